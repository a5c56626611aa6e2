import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cryptoRandom } from '../../core/random.js';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode, recoveryCodeCount } from './recovery-codes.js';

const groupedFormat = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

test('six grouped, distinct codes', () => {
  const codes = generateRecoveryCodes(cryptoRandom);
  assert.equal(recoveryCodeCount, 6);
  assert.equal(codes.length, 6);
  for (const code of codes) {
    assert.match(code, groupedFormat);
  }
  assert.equal(new Set(codes).size, 6);
});

test('each code is 80 random bits by construction: 10 bytes become 16 base32 digits', () => {
  const requested: number[] = [];
  let fill = 0;
  const codes = generateRecoveryCodes({
    bytes: (n) => {
      requested.push(n);
      return Buffer.alloc(n, fill++);
    },
  });
  assert.deepEqual(requested, [10, 10, 10, 10, 10, 10]);
  assert.ok(requested[0]! * 8 >= 64);
  assert.equal(codes[0], '0000-0000-0000-0000');
  // Bytes 0x01 0x01 …: bits 00000 00100 00000 10000 00010 00000 01000 00001 → 0 4 0 G 2 0 8 1.
  assert.equal(codes[1], '040G-2081-040G-2081');
  // All-ones bytes use the last alphabet character in every position: the whole alphabet is reachable.
  assert.deepEqual(generateRecoveryCodes({ bytes: (n) => Buffer.alloc(n, 0xff) }, 1), ['ZZZZ-ZZZZ-ZZZZ-ZZZZ']);
});

test('every alphabet character appears over many codes, and no excluded letter ever does', () => {
  const seen = new Set<string>();
  for (const code of generateRecoveryCodes(cryptoRandom, 200)) {
    for (const character of code.replaceAll('-', '')) seen.add(character);
  }
  assert.equal([...seen].sort().join(''), '0123456789ABCDEFGHJKMNPQRSTVWXYZ');
});

test('entry is case-, dash- and space-insensitive, and maps look-alikes', () => {
  const canonical = '0A1B-2C3D-4E5F-6G7H';
  const normalized = '0A1B2C3D4E5F6G7H';
  const equivalent = [
    canonical,
    canonical.toLowerCase(),
    normalized,
    '0a1b2c3d4e5f6g7h',
    ' 0A1B 2C3D 4E5F 6G7H ',
    '0A1B-2C3D 4e5f-6g7h',
    'OA1B-2C3D-4E5F-6G7H', // O for 0
    'oAiB-2C3D-4E5F-6G7H', // o for 0, i for 1
    '0ALB-2C3D-4E5F-6G7H', // L for 1
    '0alb\t2c3d\n4e5f 6g7h',
    '0A1B–2C3D—4E5F-6G7H', // typographic dashes from a copied document
  ];
  for (const input of equivalent) {
    assert.equal(normalizeRecoveryCode(input), normalized, JSON.stringify(input));
  }
});

test('anything else is refused', () => {
  const refused = [
    '',
    '----',
    '0A1B-2C3D-4E5F-6G7', // 15
    '0A1B-2C3D-4E5F-6G7H-0', // 17
    '0A1B-2C3D-4E5F-6G7U', // U is not in the alphabet
    '0A1B-2C3D-4E5F-6G7!',
    '0A1B_2C3D_4E5F_6G7H',
    '0A1B-2C3D-4E5F-6G7Ä',
    '0ıAB-2C3D-4E5F-6G7H', // dotless i upper-cases to I; non-ASCII is refused first
    '0A1B-2C3D-4E5F-6G7H\u0000',
    'x'.repeat(10_000),
  ];
  for (const input of refused) {
    assert.equal(normalizeRecoveryCode(input), null, JSON.stringify(input));
  }
});

test('equivalent entries hash equal; different codes hash differently', () => {
  const [code, other] = generateRecoveryCodes(cryptoRandom, 2);
  const stored = hashRecoveryCode(normalizeRecoveryCode(code!)!);
  assert.equal(stored.length, 32);
  assert.deepEqual(hashRecoveryCode(normalizeRecoveryCode(code!.toLowerCase().replaceAll('-', ' '))!), stored);
  assert.notDeepEqual(hashRecoveryCode(normalizeRecoveryCode(other!)!), stored);
});

test('hashing something not normalized is a bug', () => {
  assert.throws(() => hashRecoveryCode('0a1b-2c3d-4e5f-6g7h'));
});
