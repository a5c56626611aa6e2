import { availableParallelism } from 'node:os';
import { hash, verify, type Options } from '@node-rs/argon2';
import { createWorkQueue } from '../../core/work-queue.js';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet minimum, which SPEC 3 adopts:
 * 19 MiB of memory, 2 passes, 1 lane (NIST SP 800-63B §5.1.1.2 asks for a memory-hard
 * or iterated KDF with a salt; the library makes a fresh 16-byte salt per hash).
 */
export const argon2idOptions: Readonly<Options> = Object.freeze({
  // `Algorithm` is a `const enum` in @node-rs/argon2's .d.ts, which `isolatedModules` cannot
  // inline, so the value is spelled out: 2 is `Algorithm.Argon2id`.
  algorithm: 2,
  memoryCost: 19456, // KiB
  timeCost: 2,
  parallelism: 1,
});

/** SPEC 3: NFKC-normalized before hashing and before every comparison, so that the same password typed on another keyboard or input method (fullwidth forms, ligatures) still matches. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * SECURITY 35: argon2 is the dearest thing a request can ask for (19 MiB and tens of milliseconds
 * of a core), so at most `concurrency` hashes run at once — by default one core fewer than the
 * machine has, leaving one for everything else — and the rest wait their turn; past `maxWaiting`
 * waiting, a login is refused with 503 and Retry-After instead of piling up. Set from the
 * configuration at start (ARGON2_CONCURRENCY, ARGON2_MAX_WAITING); the queue is in /metrics.
 */
export const argon2Limits = { concurrency: Math.max(1, availableParallelism() - 1), maxWaiting: 200 };

const argon2Queue = createWorkQueue('argon2', argon2Limits);

export function limitPasswordHashing(limits: { concurrency: number; maxWaiting: number }): void {
  Object.assign(argon2Limits, limits);
}

export async function hashPassword(password: string): Promise<string> {
  return argon2Queue.run(() => hash(normalizePassword(password), argon2idOptions));
}

/**
 * A stored hash that cannot be parsed can never match, so it answers false instead of
 * throwing: a corrupt row must look like a wrong password, not like a server error.
 */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  return argon2Queue.run(async () => {
    verifications += 1;
    try {
      return await verify(storedHash, normalizePassword(password));
    } catch {
      return false;
    }
  });
}

let verifications = 0;

/**
 * How many argon2 verifications this process has run: the CPU the login path spends, for
 * /metrics, and the measure by which the tests see that an unknown address costs the same
 * work as a known one (SECURITY 1) without timing anything.
 */
export function passwordVerificationCount(): number {
  return verifications;
}

let dummyHash: Promise<string> | null = null;

/** The hash an unknown address is checked against: made once, with the same options as a real one. */
export function dummyPasswordHash(): Promise<string> {
  if (dummyHash === null) {
    dummyHash = argon2Queue.run(() => hash('ingang dummy password, never assigned to an account', argon2idOptions));
    // A failed first attempt must not poison every later login.
    dummyHash.catch(() => {
      dummyHash = null;
    });
  }
  return dummyHash;
}

/**
 * Spends the same argon2 work as a real verify, so that the response time of a login does
 * not reveal whether the account exists (OWASP Authentication Cheat Sheet, "Authentication
 * and Error Messages"). Always false, whatever the password. The very first call also pays
 * for making the dummy hash once.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await dummyPasswordHash(), password);
  return false;
}
