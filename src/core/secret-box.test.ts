import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { deriveKey, openSecret, sealSecret } from './secret-box.js';

const key = randomBytes(32);
const plaintext = randomBytes(20);
const boundTo = 'tenant-a:account-1';

function flipFirstByte(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64url');
}

function replacePart(sealed: string, index: number, change: (part: string) => string): string {
  const parts = sealed.split('.');
  parts[index] = change(parts[index]!);
  return parts.join('.');
}

test('a sealed secret opens with the same key and associated data', () => {
  const sealed = sealSecret(key, plaintext, boundTo);
  assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(openSecret(key, sealed, boundTo), plaintext);
  assert.ok(!sealed.includes(plaintext.toString('base64url')));
});

test('an empty secret round-trips too', () => {
  assert.deepEqual(openSecret(key, sealSecret(key, new Uint8Array(0), boundTo), boundTo), Buffer.alloc(0));
});

test('each seal uses a fresh IV, so equal secrets look different', () => {
  const ivs = new Set<string>();
  const sealedValues = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const sealed = sealSecret(key, plaintext, boundTo);
    ivs.add(sealed.split('.')[1]!);
    sealedValues.add(sealed);
  }
  assert.equal(ivs.size, 100);
  assert.equal(sealedValues.size, 100);
});

test('tampering with IV, ciphertext or tag makes it throw', () => {
  const sealed = sealSecret(key, plaintext, boundTo);
  for (const index of [1, 2, 3]) {
    assert.throws(() => openSecret(key, replacePart(sealed, index, flipFirstByte), boundTo), Error, `part ${index}`);
  }
});

test('a wrong key or wrong associated data makes it throw', () => {
  const sealed = sealSecret(key, plaintext, boundTo);
  assert.throws(() => openSecret(randomBytes(32), sealed, boundTo));
  assert.throws(() => openSecret(key, sealed, 'tenant-a:account-2'));
  assert.throws(() => openSecret(key, sealed, 'tenant-b:account-1'));
  assert.throws(() => openSecret(key, sealed, ''));
});

test('truncated, reshaped or unknown-version input throws', () => {
  const sealed = sealSecret(key, plaintext, boundTo);
  const tag = sealed.split('.')[3]!;
  const malformed = [
    '',
    sealed.slice(0, -1),
    sealed.slice(0, sealed.lastIndexOf('.')),
    replacePart(sealed, 3, () => Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url')), // a truncated tag, which Node would otherwise accept
    replacePart(sealed, 3, () => ''),
    replacePart(sealed, 1, (iv) => iv.slice(0, -2)),
    replacePart(sealed, 0, () => 'v2'),
    replacePart(sealed, 2, (ct) => `${ct}!`),
    `${sealed}.`,
    sealed.replace(/\./g, ':'),
  ];
  for (const input of malformed) {
    assert.throws(() => openSecret(key, input, boundTo), Error, input);
  }
});

test('keys of the wrong size are refused', () => {
  assert.throws(() => sealSecret(randomBytes(16), plaintext, boundTo), RangeError);
  assert.throws(() => openSecret(randomBytes(31), sealSecret(key, plaintext, boundTo), boundTo), RangeError);
});

test('deriveKey gives 32-byte keys, stable per purpose and independent across purposes', () => {
  const master = randomBytes(32);
  const totpKey = deriveKey(master, 'totp-key');
  assert.equal(totpKey.length, 32);
  assert.deepEqual(deriveKey(master, 'totp-key'), totpKey);
  assert.notDeepEqual(deriveKey(master, 'other-purpose'), totpKey);
  assert.notDeepEqual(deriveKey(randomBytes(32), 'totp-key'), totpKey);

  const sealed = sealSecret(totpKey, plaintext, boundTo);
  assert.throws(() => openSecret(deriveKey(master, 'other-purpose'), sealed, boundTo));
});

test('deriveKey is RFC 5869 HKDF-SHA256 with no salt and the purpose as info', () => {
  // Extract with the default salt (HashLen zero bytes, RFC 5869 §2.2), then one block of Expand.
  const master = Buffer.alloc(32, 0x0b);
  const prk = createHmac('sha256', Buffer.alloc(32, 0)).update(master).digest();
  const okm = createHmac('sha256', prk).update(Buffer.concat([Buffer.from('totp-key'), Buffer.from([1])])).digest();
  assert.deepEqual(deriveKey(master, 'totp-key'), okm);
});

test('a short master key or empty purpose is refused', () => {
  assert.throws(() => deriveKey(randomBytes(16), 'totp-key'), RangeError);
  assert.throws(() => deriveKey(randomBytes(32), ''), RangeError);
});
