import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cryptoRandom } from '../../core/random.js';
import { generateSmsCode, hashSmsCode, isSmsCodeShape, normalizeSmsCode, smsCodeMatches } from './sms-code.js';

function fakeRandom(values: number[]): { bytes(n: number): Buffer; calls: number } {
  const source = {
    calls: 0,
    bytes(n: number): Buffer {
      const value = values[source.calls++];
      assert.ok(value !== undefined, 'fake random ran out');
      const bytes = Buffer.alloc(n);
      bytes.writeUInt32BE(value, 0);
      return bytes;
    },
  };
  return source;
}

test('a code is six ASCII digits', () => {
  for (let i = 0; i < 1000; i++) {
    assert.match(generateSmsCode(cryptoRandom), /^[0-9]{6}$/);
  }
});

test('leading zeros are kept', () => {
  assert.equal(generateSmsCode(fakeRandom([42])), '000042');
  assert.equal(generateSmsCode(fakeRandom([0])), '000000');
  assert.equal(generateSmsCode(fakeRandom([1_000_007])), '000007');
});

test('values that would bias the result are drawn again', () => {
  // 4,294,000,000 is the first value at or above the largest multiple of 10^6 below 2^32.
  const source = fakeRandom([0xffffffff, 4_294_000_000, 4_293_999_999]);
  assert.equal(generateSmsCode(source), '999999');
  assert.equal(source.calls, 3);
});

test('a random source that only returns out-of-range values is an error, not a hang', () => {
  assert.throws(() => generateSmsCode({ bytes: (n) => Buffer.alloc(n, 0xff) }));
});

test('the first digit is roughly uniform over 10,000 codes', () => {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const first = Number(generateSmsCode(cryptoRandom)[0]);
    counts[first] = counts[first]! + 1;
  }
  for (const [digit, count] of counts.entries()) {
    assert.ok(count >= 800 && count <= 1200, `first digit ${digit}: ${count} of 10,000`);
  }
});

test('the hash depends on the salt, so equal codes are stored differently', () => {
  const first = hashSmsCode('123456', 'code-row-1');
  assert.equal(first.length, 32);
  assert.deepEqual(hashSmsCode('123456', 'code-row-1'), first);
  assert.notDeepEqual(hashSmsCode('123456', 'code-row-2'), first);
  assert.notDeepEqual(hashSmsCode('123457', 'code-row-1'), first);
  assert.ok(!first.toString('hex').includes(Buffer.from('123456').toString('hex')));
});

test('smsCodeMatches compares against the stored hash', () => {
  const stored = hashSmsCode('012345', 'row-9');
  assert.equal(smsCodeMatches('012345', 'row-9', stored), true);
  assert.equal(smsCodeMatches('012346', 'row-9', stored), false);
  assert.equal(smsCodeMatches('012345', 'row-8', stored), false);
  assert.equal(smsCodeMatches('012345', 'row-9', stored.subarray(0, 16)), false);
});

test('shape: exactly six ASCII digits', () => {
  assert.equal(isSmsCodeShape('000000'), true);
  assert.equal(isSmsCodeShape('123456'), true);
  for (const input of ['', '12345', '1234567', '12345a', ' 123456', '123 456', '１２３４５６', '12345\n', '-12345']) {
    assert.equal(isSmsCodeShape(input), false, JSON.stringify(input));
  }
});

test('normalizeSmsCode removes spaces a user may type', () => {
  assert.equal(normalizeSmsCode(' 123 456 '), '123456');
  assert.equal(normalizeSmsCode('12345'), null);
  assert.equal(normalizeSmsCode('12345x'), null);
});
