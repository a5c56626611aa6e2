import { createHash } from 'node:crypto';
import type { Account } from '../accounts/accounts.js';
import type { RequestContext } from '../audit/audit.js';
import { clientIpKey, hitRateLimit, refundRateLimit, type RateLimitRule } from '../core/rate-limit.js';
import type { Deps } from '../deps.js';
import { verifyAgainstDummy, verifyPassword } from '../factors/password/hashing.js';
import type { Organization } from '../tenants/organizations.js';
import { isLocked } from './lockout.js';

/**
 * Credential stuffing spreads guesses over many accounts from few addresses (SECURITY 4): failed
 * passwords are also counted per client network, which throttles that network only.
 */
export const failedPasswordsPerIp: RateLimitRule = { limit: 30, windowSeconds: 15 * 60 };

export type PasswordRefusal = 'unknown_account' | 'wrong_password' | 'locked' | 'deactivated' | 'invited';

export type PasswordAttemptOutcome =
  | { ok: true; account: Account }
  | { ok: false; reason: PasswordRefusal; failedCount: number | null }
  | { ok: false; reason: 'rate_limited'; retryAfterSeconds: number };

/**
 * One password guess against one account (or none), for login and for "change password".
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
  if (!ipBudget.allowed) return { ok: false, reason: 'rate_limited', retryAfterSeconds: ipBudget.retryAfterSeconds };

  const before = account ? await countPasswordAttempt(deps, account, now) : await countUnknownAddressAttempt(deps, org, emailNormalized, now);
  const matches = account?.passwordHash ? await verifyPassword(account.passwordHash, password) : await verifyAgainstDummy(password);

  let reason: PasswordRefusal | null = null;
  if (!account) reason = 'unknown_account';
  else if (account.state === 'invited') reason = 'invited';
  else if (account.state === 'deactivated') reason = 'deactivated';
  else if (before && isLocked(before, now)) reason = 'locked';
  else if (!matches) reason = 'wrong_password';

  if (reason === null && account) {
    await deps.db.query('UPDATE account SET failed_login_count = 0, last_failed_login_at = NULL WHERE tenant_id = $1 AND id = $2', [org.tenantId, account.id]);
    await refundRateLimit(deps.db, org.tenantId, ipKey);
    return { ok: true, account };
  }
  return { ok: false, reason: reason ?? 'wrong_password', failedCount: before ? before.failedLoginCount + 1 : null };
}

/** Counts the attempt under a row lock and returns the account's failure state before it. */
async function countPasswordAttempt(deps: Deps, account: Account, now: Date): Promise<Pick<Account, 'failedLoginCount' | 'lastFailedLoginAt'>> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.query<{ failed_login_count: number; last_failed_login_at: Date | null }>(
      'SELECT failed_login_count, last_failed_login_at FROM account WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
      [account.tenantId, account.id],
    );
    await tx.query('UPDATE account SET failed_login_count = failed_login_count + 1, last_failed_login_at = $3 WHERE tenant_id = $1 AND id = $2', [
      account.tenantId,
      account.id,
      now,
    ]);
    return { failedLoginCount: row?.failed_login_count ?? 0, lastFailedLoginAt: row?.last_failed_login_at ?? null };
  });
}

/** The same kind of write for an address without an account, so both cost the same (SECURITY 1). */
async function countUnknownAddressAttempt(deps: Deps, org: Organization, emailNormalized: string, now: Date): Promise<null> {
  const key = `password_unknown:${createHash('sha256').update(emailNormalized).digest('base64url')}`;
  await deps.db.transaction((tx) => hitRateLimit(tx, org.tenantId, key, { limit: 1_000_000, windowSeconds: 3600 }, now));
  return null;
}
