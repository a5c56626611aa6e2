import { clearFailedLogins, findAccountByEmail, recordFailedLogin, type Account } from '../accounts/accounts.js';
import { normalizeEmail } from '../accounts/email.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { hitRateLimit, isRateLimited, type RateLimitRule } from '../core/rate-limit.js';
import type { Deps } from '../deps.js';
import { verifyAgainstDummy, verifyPassword } from '../factors/password/hashing.js';
import type { Organization } from '../tenants/organizations.js';
import { isLocked } from './lockout.js';

/**
 * Credential stuffing spreads guesses over many accounts from few addresses (SECURITY 4): failed
 * logins are also counted per client IP, which throttles that IP only, never other users.
 */
export const failedLoginsPerIp: RateLimitRule = { limit: 30, windowSeconds: 15 * 60 };

export type PasswordLoginOutcome =
  | { ok: true; account: Account }
  | { ok: false; error: 'invalid_credentials' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

type FailureReason = 'unknown_account' | 'wrong_password' | 'locked' | 'deactivated' | 'invited' | 'empty';

/**
 * The password step of a login, for the web and the app alike. Every failure gives the same
 * answer after the same work: exactly one argon2 verification (against a dummy hash where there
 * is no real one), one counter write and one audit row (SECURITY 1).
 */
export async function verifyPasswordLogin(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { email: string; password: string },
): Promise<PasswordLoginOutcome> {
  const now = deps.clock.now();
  const ipKey = `login_ip:${client.ip ?? 'unknown'}`;
  const ipLimit = await isRateLimited(deps.db, org.tenantId, ipKey, failedLoginsPerIp, now);
  if (!ipLimit.allowed) {
    await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_throttled', outcome: 'failure', details: { scope: 'ip' } });
    return { ok: false, error: 'rate_limited', retryAfterSeconds: ipLimit.retryAfterSeconds };
  }

  const email = normalizeEmail(input.email);
  const account = email ? await findAccountByEmail(deps.db, org.tenantId, email) : null;
  const passwordMatches = account?.passwordHash ? await verifyPassword(account.passwordHash, input.password) : await verifyAgainstDummy(input.password);

  let failure: FailureReason | null = null;
  if (!account) failure = email ? 'unknown_account' : 'empty';
  else if (account.state === 'invited') failure = 'invited';
  else if (account.state === 'deactivated') failure = 'deactivated';
  else if (isLocked(account, now)) failure = 'locked';
  else if (!passwordMatches) failure = 'wrong_password';

  if (failure === null && account) {
    await clearFailedLogins(deps.db, org.tenantId, account.id);
    await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_succeeded', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { step: 'password' } });
    return { ok: true, account };
  }

  // Every failure counts, also during a delay, so a guessing run never gets cheaper.
  const failedCount = account ? await recordFailedLogin(deps.db, org.tenantId, account.id, now) : null;
  await hitRateLimit(deps.db, org.tenantId, ipKey, failedLoginsPerIp, now);
  await recordAudit(deps.db, now, client, {
    tenantId: org.tenantId,
    event: 'login_failed',
    outcome: 'failure',
    subjectAccountId: account?.id ?? null,
    details: { reason: failure ?? 'wrong_password', failedCount },
  });
  return { ok: false, error: 'invalid_credentials' };
}
