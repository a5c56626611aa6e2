import { setAccountPassword, type Account } from '../accounts/accounts.js';
import { normalizeEmail } from '../accounts/email.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { hashPassword } from '../factors/password/hashing.js';
import type { PasswordProblem } from '../factors/password/rules.js';
import { deleteAccountSessions } from '../sessions/sessions.js';
import type { Organization } from '../tenants/organizations.js';
import { findFactorInForce } from '../factors/second-factor/store.js';
import { attemptPassword } from './password-attempt.js';
import { checkSecondFactor, type CodeCheckOutcome } from './second-factor-check.js';
import { queueEmail } from './outgoing-mail.js';
import { publicUrl } from './public-url.js';
import { checkPasswordForAccount } from './set-password.js';

export type ChangePasswordOutcome =
  | { ok: true }
  | { ok: false; error: 'wrong_current_password' }
  | { ok: false; error: 'code_rejected'; check: Exclude<CodeCheckOutcome, { ok: true }> }
  | { ok: false; error: 'password_rejected'; problems: PasswordProblem[] };

/**
 * `/account/password` (SPEC 4.4): the current password proves the person; a wrong one counts
 * toward the account's lock like a failed login. Other web sessions end; the caller renews its own.
 */
export async function changePassword(
  deps: Deps,
  org: Organization,
  account: Account,
  sessionId: string,
  client: RequestContext,
  input: { currentPassword: string; password: string; passwordConfirm: string; code: string },
): Promise<ChangePasswordOutcome> {
  // The current password is one more guess against the account: it counts like a login (SECURITY 3).
  const attempt = await attemptPassword(deps, org, client, account, normalizeEmail(account.email), input.currentPassword);
  if (!attempt.ok) {
    await recordAudit(deps.db, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: 'password_changed',
      outcome: 'failure',
      actorAccountId: account.id,
      subjectAccountId: account.id,
      details: { reason: attempt.reason, failedCount: attempt.reason === 'rate_limited' ? null : attempt.failedCount },
    });
    return { ok: false, error: 'wrong_current_password' };
  }
  const problems = await checkPasswordForAccount(org, account, input);
  if (problems.length > 0) return { ok: false, error: 'password_rejected', problems };
  // SPEC 4.5 step-up: a password change asks the code too, always (after the rules, so a code is
  // not used up by a refused password).
  if (await findFactorInForce(deps.db, org, account)) {
    const check = await checkSecondFactor(deps, org, account, sessionId, client, { code: input.code }, 'confirm');
    if (!check.ok) return { ok: false, error: 'code_rejected', check };
  }
  const passwordHash = await hashPassword(input.password);
  await deps.db.transaction(async (tx) => {
    const at = deps.clock.now();
    await setAccountPassword(tx, org.tenantId, account.id, passwordHash, at);
    const endedSessions = await deleteAccountSessions(tx, org.tenantId, account.id, sessionId);
    await recordAudit(tx, at, client, { tenantId: org.tenantId, event: 'password_changed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { via: 'account', endedSessions } });
    await queueEmail(tx, deps, org, account, { kind: 'password_changed', name: account.name, helpLink: publicUrl(deps.config, org, '/help') });
  });
  return { ok: true };
}
