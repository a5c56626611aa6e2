import { createHash } from 'node:crypto';
import type { Account } from '../../accounts/accounts.js';
import { clearFailedLogins, countPasswordAttempt } from '../../accounts/failure-counters.js';
import type { RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import { clientIpKey, hitRateLimit, refundRateLimit, type RateLimitRule } from '../../core/rate-limit.js';
import type { Deps } from '../../deps.js';
import type { Organization } from '../../tenants/organizations.js';
import { verifyAgainstDummy, verifyPassword } from './hashing.js';
import { isLocked } from './lockout.js';

/**
 * Credential stuffing spreads guesses over many accounts from few addresses (SECURITY 4): failed
 * passwords are also counted per client network, which throttles that network only.
 */
export const failedPasswordsPerIp: RateLimitRule = { limit: 30, windowSeconds: 15 * 60 };

export type PasswordRefusal = 'unknown_account' | 'wrong_password' | 'locked' | 'deactivated' | 'invited';

export type PasswordAttemptOutcome =
  | Ok<{ account: Account }>
  | Failure<PasswordRefusal, { failedCount: number | null }>
  | Failure<'rate_limited', { retryAfterSeconds: number }>;

/**
 * One password guess against one account (or none), wherever a password is asked: login, a
 * step-up, the current password of a change.
 *
 * Every attempt is counted BEFORE the password is checked, in one locked row update, and the lock
 * is judged from the count as it stood before this attempt. So a burst of parallel guesses is
 * counted in full and no guess after the fifth is ever checked against the real hash in time
 * (SECURITY 3); the same holds for the per-IP budget (SECURITY 4). A success takes its count back.
 * Every failure costs the same work: one argon2 verification (a dummy one where there is no
 * hash), one counter write, one rate-limit write (SECURITY 1).
 */
export async function attemptPassword(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  account: Account | null,
  emailNormalized: string,
  password: string,
): Promise<PasswordAttemptOutcome> {
  const now = deps.clock.now();
  const ipKey = `password_ip:${clientIpKey(client.ip)}`;
  const ipBudget = await hitRateLimit(deps.db, org.tenantId, ipKey, failedPasswordsPerIp, now);
  if (!ipBudget.allowed) return { ok: false, error: 'rate_limited', retryAfterSeconds: ipBudget.retryAfterSeconds };

  const before = account
    ? await deps.db.transaction((tx) => countPasswordAttempt(tx, account, now))
    : await countUnknownAddressAttempt(deps, org, emailNormalized, now);
  const matches = account?.passwordHash ? await verifyPassword(account.passwordHash, password) : await verifyAgainstDummy(password);

  let refusal: PasswordRefusal | null = null;
  if (!account) refusal = 'unknown_account';
  else if (account.state === 'invited') refusal = 'invited';
  else if (account.state === 'deactivated') refusal = 'deactivated';
  else if (before && isLocked(before, now)) refusal = 'locked';
  else if (!matches) refusal = 'wrong_password';

  if (refusal === null && account) {
    await clearFailedLogins(deps.db, org.tenantId, account.id);
    await refundRateLimit(deps.db, org.tenantId, ipKey);
    return { ok: true, account };
  }
  return { ok: false, error: refusal ?? 'wrong_password', failedCount: before ? before.failedLoginCount + 1 : null };
}

/** The same kind of write for an address without an account, so both cost the same (SECURITY 1). */
async function countUnknownAddressAttempt(deps: Deps, org: Organization, emailNormalized: string, now: Date): Promise<null> {
  const key = `password_unknown:${createHash('sha256').update(emailNormalized).digest('base64url')}`;
  await deps.db.transaction((tx) => hitRateLimit(tx, org.tenantId, key, { limit: 1_000_000, windowSeconds: 3600 }, now));
  return null;
}
