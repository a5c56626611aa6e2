import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomSource } from './random.js';

/**
 * Tokens travel as `id.secret`. The id finds the row; only a SHA-256 of the secret is stored and
 * it is compared in constant time. A fast hash is right here: the secret has 256 random bits,
 * so there is nothing to brute-force offline (unlike a password).
 */
export interface IssuedToken {
  id: string;
  secretHash: Buffer;
  /** The whole token as handed out: `id.secret`. Shown once, never stored. */
  token: string;
}

const idBytes = 16;
const secretBytes = 32;
const tokenPattern = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function issueToken(random: RandomSource): IssuedToken {
  const id = random.bytes(idBytes).toString('base64url');
  const secret = random.bytes(secretBytes).toString('base64url');
  return { id, secretHash: hashSecret(secret), token: `${id}.${secret}` };
}

export function parseToken(token: string): { id: string; secret: string } | null {
  const match = tokenPattern.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const candidate = hashSecret(secret);
  return storedHash.length === candidate.length && timingSafeEqual(candidate, storedHash);
}
