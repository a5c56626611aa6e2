import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadFormError, field, parseFormBody } from './form-body.js';

const parse = (text: string) => parseFormBody(Buffer.from(text, 'utf8'));
const plain = (fields: Record<string, string>) => ({ ...fields });

test('fields are read, + is a space and percent escapes are decoded', () => {
  const body = parse('email=jan%40example.nl&name=Jan+de+Vries&password=a%2Bb+c%26d%3De&_csrf=abc');
  assert.deepEqual(plain(body), { email: 'jan@example.nl', name: 'Jan de Vries', password: 'a+b c&d=e', _csrf: 'abc' });
});

test('UTF-8, raw or percent-encoded, is decoded', () => {
  assert.equal(field(parse('name=%C3%89%C3%A9n+%F0%9F%90%BB'), 'name'), 'Één 🐻');
  assert.equal(field(parse('name=Één'), 'name'), 'Één');
});

test('field names are decoded too', () => {
  assert.equal(field(parse('my+field%21=x'), 'my field!'), 'x');
});

test('an empty body has no fields', () => {
  assert.deepEqual(Object.keys(parseFormBody(Buffer.alloc(0))), []);
  assert.equal(field(parseFormBody(Buffer.alloc(0)), 'email'), '');
});

test('a pair without = is a field with an empty value; an empty value stays empty', () => {
  const body = parse('stored&email=');
  assert.equal(field(body, 'stored'), '');
  assert.ok(Object.prototype.hasOwnProperty.call(body, 'stored'));
  assert.equal(field(body, 'email'), '');
});

test('= inside a value is kept', () => {
  assert.equal(field(parse('token=abc==&x=1'), 'token'), 'abc==');
});

test('empty pairs (&&, a trailing &) are skipped', () => {
  assert.deepEqual(plain(parse('&a=1&&b=2&')), { a: '1', b: '2' });
});

test('field gives "" for an absent field', () => {
  const body = parse('a=1');
  assert.equal(field(body, 'a'), '1');
  assert.equal(field(body, 'b'), '');
  assert.equal(field(body, 'toString'), '');
  assert.equal(field(body, 'constructor'), '');
  assert.equal(field(body, '__proto__'), '');
});

test('raw bytes that are not UTF-8 are refused', () => {
  assert.throws(() => parseFormBody(Buffer.from([0xff])), BadFormError);
  assert.throws(() => parseFormBody(Buffer.concat([Buffer.from('name='), Buffer.from([0xc3, 0x28])])), BadFormError);
  // An overlong encoding of '/' and a lone surrogate in UTF-8 form.
  assert.throws(() => parseFormBody(Buffer.from([0x61, 0x3d, 0xc0, 0xaf])), BadFormError);
  assert.throws(() => parseFormBody(Buffer.from([0x61, 0x3d, 0xed, 0xa0, 0x80])), BadFormError);
});

test('an invalid percent escape is refused', () => {
  assert.throws(() => parse('a=%E0%A4%A'), BadFormError);
  assert.throws(() => parse('a=%'), BadFormError);
  assert.throws(() => parse('a=%zz'), BadFormError);
  assert.throws(() => parse('%G0=x'), BadFormError);
});

test('percent-encoded invalid UTF-8 is refused', () => {
  assert.throws(() => parse('a=%C3%28'), BadFormError);
  assert.throws(() => parse('a=%FF'), BadFormError);
  assert.throws(() => parse('a=%C0%AF'), BadFormError);
  assert.throws(() => parse('a=%ED%A0%80'), BadFormError);
  assert.throws(() => parse('%C3%28=x'), BadFormError);
});

test('a NUL byte, raw or encoded, in a name or a value is refused', () => {
  assert.throws(() => parse('a=b\u0000c'), BadFormError);
  assert.throws(() => parse('a=%00'), BadFormError);
  assert.throws(() => parse('a%00=b'), BadFormError);
  assert.throws(() => parse('a\u0000=b'), BadFormError);
});

test('a field given twice is refused, also when only its encoding differs', () => {
  assert.throws(() => parse('email=a%40x.nl&email=b%40x.nl'), BadFormError);
  assert.throws(() => parse('role=client&role=admin'), BadFormError);
  assert.throws(() => parse('role=client&r%6Fle=admin'), BadFormError);
  assert.throws(() => parse('stored&stored'), BadFormError);
});

test('a refusal is a BadFormError with a message, not some other error', () => {
  try {
    parse('a=1&a=2');
    assert.fail('expected a BadFormError');
  } catch (error) {
    assert.ok(error instanceof BadFormError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'BadFormError');
    assert.match(error.message, /\S/);
  }
});

test('__proto__ and friends as field names do not pollute Object.prototype', () => {
  const body = parse('__proto__=polluted&constructor=x&__proto__%5Bisadmin%5D=1&toString=y&hasOwnProperty=z');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(({} as Record<string, unknown>)['isadmin'], undefined);
  assert.equal(Object.prototype.toString.call({}), '[object Object]');
  assert.equal(typeof Object.prototype.hasOwnProperty, 'function');
  assert.equal(field(body, '__proto__'), 'polluted');
  assert.equal(field(body, 'constructor'), 'x');
  assert.equal(field(body, '__proto__[isadmin]'), '1');
  assert.equal(field(body, 'toString'), 'y');
  // The field stays data of this one body.
  assert.equal(field(parse('a=1'), '__proto__'), '');
});

test('__proto__ given twice is refused like any other duplicate', () => {
  assert.throws(() => parse('__proto__=a&__proto__=b'), BadFormError);
});
