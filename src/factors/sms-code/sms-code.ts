import { createHmac, timingSafeEqual } from 'node:crypto';

/** SPEC 4.5: SMS codes have 6 digits. */
const smsCodeDigits = 6;
const codeSpace = 10 ** smsCodeDigits;
// Largest multiple of 10^6 below 2^32: values at or above it are drawn again, so each code is
// equally likely (a plain `% 10^6` would favour the low codes).
const acceptBelow = Math.floor(2 ** 32 / codeSpace) * codeSpace;
// A working CSPRNG is rejected with probability ~2.3e-4 per draw; 64 in a row means it is broken.
const maxDraws = 64;

export function generateSmsCode(random: { bytes(n: number): Buffer }): string {
  for (let draw = 0; draw < maxDraws; draw++) {
    const bytes = random.bytes(4);
    if (bytes.length !== 4) {
      throw new Error('random source returned the wrong number of bytes');
    }
    const value = bytes.readUInt32BE(0);
    if (value < acceptBelow) {
      return (value % codeSpace).toString().padStart(smsCodeDigits, '0');
    }
  }
  throw new Error('random source keeps returning out-of-range values');
}

/**
 * HMAC-SHA256 keyed with a per-code salt (e.g. the code row's id), so two rows with the same code
 * store different hashes. This keeps the code out of a casual database read; it is no defence
 * against an offline search of 10^6 codes, which the 5-minute life and 5 tries make moot.
 */
export function hashSmsCode(code: string, salt: string): Buffer {
  return createHmac('sha256', Buffer.from(salt, 'utf8')).update(code, 'utf8').digest();
}

export function smsCodeMatches(code: string, salt: string, storedHash: Uint8Array): boolean {
  const candidate = hashSmsCode(code, salt);
  return storedHash.length === candidate.length && timingSafeEqual(candidate, storedHash);
}

/** Exactly 6 ASCII digits, nothing else. */
export function isSmsCodeShape(input: string): boolean {
  return /^[0-9]{6}$/.test(input);
}

/** What the user typed, without spaces; the 6 digits, or null. */
export function normalizeSmsCode(input: string): string | null {
  const compact = input.replace(/\s+/g, '');
  return isSmsCodeShape(compact) ? compact : null;
}
