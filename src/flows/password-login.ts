import { findAccountByEmail, type Account } from '../accounts/accounts.js';
import { normalizeEmail } from '../accounts/email.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import type { Organization } from '../tenants/organizations.js';
import { attemptPassword } from './password-attempt.js';

export type PasswordLoginOutcome =
  | { ok: true; account: Account }
  | { ok: false; error: 'invalid_credentials' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };

/**
 * The password step of a login, for the web and the app alike. Every failure — unknown address,
 * wrong password, locked, deactivated, invited — is one answer after the same work (SECURITY 1);
 * only the audit row says which it was.
 */
export async function verifyPasswordLogin(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { email: string; password: string },
): Promise<PasswordLoginOutcome> {
  const email = normalizeEmail(input.email);
  const account = email ? await findAccountByEmail(deps.db, org.tenantId, email) : null;
  const outcome = await attemptPassword(deps, org, client, account, email, input.password);
  const now = deps.clock.now();
  if (outcome.ok) {
    await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_succeeded', outcome: 'success', actorAccountId: outcome.account.id, subjectAccountId: outcome.account.id, details: { step: 'password' } });
    return { ok: true, account: outcome.account };
  }
  if (outcome.reason === 'rate_limited') {
    await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_throttled', outcome: 'failure', details: { scope: 'ip' } });
    return { ok: false, error: 'rate_limited', retryAfterSeconds: outcome.retryAfterSeconds };
  }
  await recordAudit(deps.db, now, client, {
    tenantId: org.tenantId,
    event: 'login_failed',
    outcome: 'failure',
    subjectAccountId: account?.id ?? null,
    details: { reason: outcome.reason, failedCount: outcome.failedCount },
  });
  return { ok: false, error: 'invalid_credentials' };
}
