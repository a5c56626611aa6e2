import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeReturnTo } from './return-to.js';

const origin = 'http://org.localhost';

/** Where a browser on our origin would go with this Location. */
function staysOnOrigin(result: string): boolean {
  return result.startsWith('/') && !result.startsWith('//') && new URL(result, origin).origin === origin;
}

test('relative paths are kept, with their query and hash', () => {
  assert.equal(safeReturnTo('/'), '/');
  assert.equal(safeReturnTo('/account'), '/account');
  assert.equal(safeReturnTo('/account/2fa'), '/account/2fa');
  assert.equal(safeReturnTo('/staff/accounts?q=jan&page=2'), '/staff/accounts?q=jan&page=2');
  assert.equal(safeReturnTo('/help#locked'), '/help#locked');
  assert.equal(safeReturnTo('/staff/accounts?q=a%20b#top'), '/staff/accounts?q=a%20b#top');
});

test('protocol-relative URLs fall back to /', () => {
  assert.equal(safeReturnTo('//evil.com'), '/');
  assert.equal(safeReturnTo('//evil.com/account'), '/');
  assert.equal(safeReturnTo('///evil.com'), '/');
});

test('backslash tricks that browsers read as another host fall back to /', () => {
  assert.equal(safeReturnTo('/\\evil.com'), '/');
  assert.equal(safeReturnTo('\\\\evil'), '/');
  assert.equal(safeReturnTo('\\/evil.com'), '/');
  assert.equal(safeReturnTo('/\\/evil.com'), '/');
});

test('absolute URLs and other schemes fall back to /', () => {
  assert.equal(safeReturnTo('https://evil.com'), '/');
  assert.equal(safeReturnTo('http://org.localhost/account'), '/');
  assert.equal(safeReturnTo('javascript:alert(1)'), '/');
  assert.equal(safeReturnTo('JavaScript:alert(1)'), '/');
  assert.equal(safeReturnTo('data:text/html,<script>alert(1)</script>'), '/');
  assert.equal(safeReturnTo('evil.com'), '/');
  assert.equal(safeReturnTo('account'), '/');
});

test('a percent-encoded backslash or slash stays a path on our origin', () => {
  for (const input of ['/%5Cevil.com', '/%5cevil.com', '/%2F%2Fevil.com', '/%2f/evil.com']) {
    const result = safeReturnTo(input);
    assert.ok(staysOnOrigin(result), `${input} → ${result}`);
    assert.equal(new URL(result, origin).host, 'org.localhost');
  }
});

test('tabs, newlines and other control characters fall back to /', () => {
  assert.equal(safeReturnTo('/\t/evil.com'), '/');
  assert.equal(safeReturnTo('/\n/evil.com'), '/');
  assert.equal(safeReturnTo('/\r\n/evil.com'), '/');
  assert.equal(safeReturnTo('/account\r\nSet-Cookie: x=1'), '/');
  assert.equal(safeReturnTo('/acc\u0000ount'), '/');
  assert.equal(safeReturnTo(' //evil.com'), '/');
});

test('dot segments that collapse to // fall back to / (or stay on our origin)', () => {
  // new URL('/.//evil.com', base).pathname is '//evil.com': returned as is, a browser reads it as
  // a protocol-relative URL to evil.com.
  for (const input of ['/..//evil.com', '/.//evil.com', '/./../..//evil.com', '/a/..//evil.com', '/%2e//evil.com', '/%2e%2e//evil.com']) {
    const result = safeReturnTo(input);
    assert.ok(staysOnOrigin(result), `${input} → ${result}`);
  }
});

test('empty, over-long and non-string values fall back to /', () => {
  assert.equal(safeReturnTo(''), '/');
  assert.equal(safeReturnTo(undefined), '/');
  assert.equal(safeReturnTo(null), '/');
  assert.equal(safeReturnTo(42), '/');
  assert.equal(safeReturnTo(['/account']), '/');
  assert.equal(safeReturnTo({ toString: () => '/account' }), '/');
  assert.equal(safeReturnTo(`/${'a'.repeat(600)}`), '/');
});

test('whatever the input, the result stays a path on our origin', () => {
  const nasty = [
    '//evil.com',
    '/\\evil.com',
    '\\\\evil',
    '\\/evil.com',
    '/\\/evil.com',
    '/%5Cevil',
    '/%5C%5Cevil',
    '/%2F%2Fevil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    '/ /evil.com',
    '/\u00a0/evil.com',
    '/\u3000/evil.com',
    '/\u2028/evil.com',
    '/\ufeff/evil.com',
    'https://evil.com',
    'https:evil.com',
    'http:/evil.com',
    'http:\\\\evil.com',
    'javascript:alert(1)',
    'java\tscript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,x',
    '/../../evil.com',
    '/./../..//evil.com',
    '/..//evil.com',
    '/.//evil.com',
    '/@evil.com',
    '/evil.com@org.localhost',
    '/%09/evil.com',
    '/%0d%0a/evil.com',
    '/?next=//evil.com',
    '/#//evil.com',
    '／／evil.com',
    '/／evil.com',
    '\u0000//evil.com',
    ' /account',
    '',
    '/',
  ];
  const escaped: string[] = [];
  for (const input of nasty) {
    const result = safeReturnTo(input);
    // The same on any origin of ours, whatever its scheme or port.
    if (!staysOnOrigin(result) || new URL(result, 'https://zorg.acme.test:8443').origin !== 'https://zorg.acme.test:8443') {
      escaped.push(`${JSON.stringify(input)} → ${JSON.stringify(result)}`);
    }
  }
  assert.deepEqual(escaped, []);
});
