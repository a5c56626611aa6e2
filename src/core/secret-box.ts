import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets that must be read back (TOTP keys) are stored sealed with AES-256-GCM. The associated
 * data binds a sealed value to its place (`tenantId:accountId`), so a value copied to another
 * row does not open. Format: `v1.<iv>.<ciphertext>.<tag>`, each part base64url.
 *
 * The IV is 96 random bits per call (NIST SP 800-38D §8.2.2). With random IVs one key should seal
 * fewer than 2^32 values; a TOTP key is sealed once per 2FA setup, far below that.
 */

const version = 'v1';
const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
const base64url = /^[A-Za-z0-9_-]*$/;

export function sealSecret(key: Buffer, plaintext: Uint8Array, associatedData: string): string {
  assertKey(key);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [version, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
}

/** Throws on a wrong key, wrong associated data, any change to the sealed text, or an unknown version. */
export function openSecret(key: Buffer, sealed: string, associatedData: string): Buffer {
  assertKey(key);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== version) {
    throw new Error('sealed secret: unknown format or version');
  }
  const [iv, ciphertext, tag] = parts.slice(1).map(decodeStrictBase64url);
  // Node accepts GCM tags as short as 4 bytes unless told otherwise; insist on the full 16.
  if (!iv || !ciphertext || !tag || iv.length !== ivBytes || tag.length !== tagBytes) {
    throw new Error('sealed secret: malformed');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new Error('sealed secret: does not open (wrong key, wrong associated data or tampered)');
  }
}

/**
 * HKDF-SHA256 (RFC 5869) from one configured master key, so that each purpose ("totp-key",
 * and any later one) gets an independent 32-byte key and a leak of one does not expose another.
 */
export function deriveKey(master: Buffer, purpose: string): Buffer {
  if (master.length < keyBytes) {
    throw new RangeError(`master key must have at least ${keyBytes} bytes`);
  }
  if (purpose.length === 0) {
    throw new RangeError('key purpose must not be empty');
  }
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), keyBytes));
}

function assertKey(key: Buffer): void {
  if (key.length !== keyBytes) {
    throw new RangeError(`secret-box key must have ${keyBytes} bytes`);
  }
}

/** Buffer.from(…, 'base64url') silently skips bad characters; a tampered value must not decode. */
function decodeStrictBase64url(text: string): Buffer | null {
  if (!base64url.test(text) || text.length % 4 === 1) {
    return null;
  }
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}
