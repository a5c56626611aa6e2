import { createHash } from 'node:crypto';
import { encodeBase32With } from '../totp/base32.js';

/**
 * SPEC 4.5 recovery codes: 6 codes of 80 random bits each, written as 16 Crockford base32
 * characters in groups of four (`XXXX-XXXX-XXXX-XXXX`). Crockford's alphabet leaves out I, L, O
 * and U, so a code read off paper cannot be mistyped into another valid code; on entry the
 * look-alikes are mapped back (O→0, I/L→1).
 */

export const recoveryCodeCount = 6;

const crockfordAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const codeBytes = 10; // 80 bits = exactly 16 base32 digits, so every digit is uniform (no modulo bias)
const codeCharacters = 16;
const normalizedPattern = /^[0-9A-HJKMNP-TV-Z]{16}$/;

export function generateRecoveryCodes(random: { bytes(n: number): Buffer }, count = recoveryCodeCount): string[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError('recovery code count must be a positive whole number');
  }
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = random.bytes(codeBytes);
    if (bytes.length !== codeBytes) {
      throw new Error('random source returned the wrong number of bytes');
    }
    const characters = encodeCrockford(bytes);
    codes.push(characters.match(/.{4}/g)!.join('-'));
  }
  return codes;
}

/**
 * Upper case; hyphens (also typographic dashes from a copied document) and whitespace removed;
 * O→0 and I/L→1. Returns the 16 alphabet characters, or null for anything else. Non-ASCII input
 * is refused before upper-casing, so no Unicode case mapping can turn it into a valid code.
 */
export function normalizeRecoveryCode(input: string): string | null {
  if (input.length > 64) {
    return null;
  }
  const compact = input.replace(/[\s\-\u2010-\u2015\u2212]+/g, '');
  if (!/^[0-9A-Za-z]+$/.test(compact)) {
    return null;
  }
  const mapped = compact.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return normalizedPattern.test(mapped) ? mapped : null;
}

/**
 * SHA-256, not a password hash: each code carries 80 random bits, so an offline search of the
 * stored hash is out of reach without any work factor, and a fast hash lets the database find a
 * code by its hash (`UPDATE … WHERE code_hash = $1 AND used_at IS NULL RETURNING`).
 */
export function hashRecoveryCode(normalized: string): Buffer {
  if (!normalizedPattern.test(normalized)) {
    throw new Error('hashRecoveryCode expects the output of normalizeRecoveryCode');
  }
  return createHash('sha256').update(normalized, 'ascii').digest();
}

function encodeCrockford(bytes: Buffer): string {
  const output = encodeBase32With(bytes, crockfordAlphabet);
  if (output.length !== codeCharacters) {
    throw new Error('recovery code encoding produced the wrong length');
  }
  return output;
}
