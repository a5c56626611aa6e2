import type { Failure, Ok } from './outcome.js';
import type { Queryable } from '../db/db.js';
import { clientIpKey, hitRateLimit, isRateLimited, refundRateLimit } from './rate-limit.js';

/**
 * Guessing random credentials — link tokens, QR tokens, app login challenges, device secrets,
 * access tokens — is throttled per client network (SECURITY 9), in one budget that the web and
 * the app API share: 20 misses in 10 minutes, then every such credential from that network (a
 * right one too, so a hit cannot be told from a miss) answers `rate_limited` until the window ends.
 */
export const tokenGuessesPerNetwork = { limit: 20, windowSeconds: 600 } as const;

export interface GuessScope {
  db: Queryable;
  tenantId: string;
  ip: string | null;
  now: Date;
}

export type Guessed<T> = Ok<{ value: T }> | Failure<'unknown'> | Failure<'rate_limited', { retryAfterSeconds: number }>;

const key = (ip: string | null) => `token_guess:${clientIpKey(ip)}`;

/**
 * For one-use credentials: the use is counted as a guess BEFORE the lookup, so a parallel burst
 * gets no more lookups than the budget; a right credential (the lookup gives a value) takes its
 * count back. `lookUp` answers null for a wrong one.
 */
export async function guessOneUseCredential<T>(scope: GuessScope, lookUp: () => Promise<T | null>): Promise<Guessed<T>> {
  const state = await hitRateLimit(scope.db, scope.tenantId, key(scope.ip), tokenGuessesPerNetwork, scope.now);
  if (!state.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: state.retryAfterSeconds };
  const value = await lookUp();
  if (value === null) return { ok: false, error: 'unknown' };
  await refundRateLimit(scope.db, scope.tenantId, key(scope.ip));
  return { ok: true, value };
}

/**
 * For credentials an app sends on every call (device secrets, access tokens): checked against
 * the budget first and counted only when wrong, so many parallel right calls from one network (a
 * clinic behind one address) are never throttled. A parallel burst of wrong ones can overshoot
 * the budget by the requests in flight, which is harmless against 256-bit secrets.
 */
export async function guessStandingCredential<T>(scope: GuessScope, lookUp: () => Promise<T | null>): Promise<Guessed<T>> {
  const state = await isRateLimited(scope.db, scope.tenantId, key(scope.ip), tokenGuessesPerNetwork, scope.now);
  if (!state.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: state.retryAfterSeconds };
  const value = await lookUp();
  if (value !== null) return { ok: true, value };
  await hitRateLimit(scope.db, scope.tenantId, key(scope.ip), tokenGuessesPerNetwork, scope.now);
  return { ok: false, error: 'unknown' };
}

/** Counts a guess without a lookup (a renewal request that names a link): the seconds to wait when over the budget, else null. */
export async function countGuess(scope: GuessScope): Promise<number | null> {
  const state = await hitRateLimit(scope.db, scope.tenantId, key(scope.ip), tokenGuessesPerNetwork, scope.now);
  return state.allowed ? null : state.retryAfterSeconds;
}

/** Whether the network is over the budget now, without counting: the seconds to wait, else null. */
export async function guessingThrottled(scope: GuessScope): Promise<number | null> {
  const state = await isRateLimited(scope.db, scope.tenantId, key(scope.ip), tokenGuessesPerNetwork, scope.now);
  return state.allowed ? null : state.retryAfterSeconds;
}
