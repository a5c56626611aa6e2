/** RFC 4648 §6 base32, the encoding of TOTP secrets in otpauth URIs and on the setup page. */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Upper case, without `=` padding (authenticator apps do not need it in otpauth URIs). */
export function encodeBase32(bytes: Uint8Array): string {
  return encodeBase32With(bytes, alphabet);
}

/** Five bits per character in the given 32-character alphabet (RFC 4648 §6 order of bits). */
export function encodeBase32With(bytes: Uint8Array, alphabet: string): string {
  let output = '';
  let buffer = 0;
  let bitCount = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bitCount += 8;
    while (bitCount >= 5) {
      bitCount -= 5;
      output += alphabet[(buffer >> bitCount) & 0x1f];
    }
  }
  if (bitCount > 0) {
    output += alphabet[(buffer << (5 - bitCount)) & 0x1f];
  }
  return output;
}

/**
 * Case-insensitive; whitespace and `=` are ignored, so a secret copied in groups or with padding
 * still decodes. Throws on characters outside the alphabet, on a length no encoding can produce
 * (1, 3 or 6 characters in the last group), and on non-zero leftover bits (RFC 4648 §3.5), so
 * every byte string has exactly one accepted spelling up to case, spacing and padding.
 */
export function decodeBase32(text: string): Uint8Array {
  const cleaned = text.replace(/[\s=]+/g, '').toUpperCase();
  const remainder = cleaned.length % 8;
  if (remainder === 1 || remainder === 3 || remainder === 6) {
    throw new Error('invalid base32: impossible length');
  }
  const output = new Uint8Array(Math.floor((cleaned.length * 5) / 8));
  let buffer = 0;
  let bitCount = 0;
  let index = 0;
  for (const character of cleaned) {
    const value = alphabet.indexOf(character);
    if (value === -1) {
      throw new Error('invalid base32: unexpected character');
    }
    buffer = ((buffer << 5) | value) & 0xffff;
    bitCount += 5;
    if (bitCount >= 8) {
      bitCount -= 8;
      output[index++] = (buffer >> bitCount) & 0xff;
    }
  }
  if ((buffer & ((1 << bitCount) - 1)) !== 0) {
    throw new Error('invalid base32: non-zero trailing bits');
  }
  return output;
}
