import { findAccountByEmail, type Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { hitRateLimit } from '../core/rate-limit.js';
import type { Deps } from '../deps.js';
import type { Queryable } from '../db/db.js';
import { enqueueJob, type Job } from '../jobs/queue.js';
import { deleteAccountSessions } from '../sessions/sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { issueAccountToken } from './account-tokens.js';
import { queueEmail } from './outgoing-mail.js';
import { publicUrl } from './public-url.js';
import { findFactorInForce } from '../factors/second-factor/store.js';
import { removeAllTrustedBrowsers } from '../factors/trusted-browser/store.js';
import { removeAccountDevices } from './app-devices.js';
import { checkSecondFactor } from './second-factor-check.js';
import { setPasswordThroughLink, type BeforeCommit, type LinkPasswordOutcome } from './set-password.js';
import { sendWelcome } from './welcome.js';

export const passwordResetJobKind = 'password_reset_request';

/** SPEC 4.4: at most 3 reset mails per account per hour. */
const resetMailsPerAccount = { limit: 3, windowSeconds: 3600 };

/**
 * "Forgot password": the request only queues the work, so the answer and its timing are the same
 * whether or not the address has an account (SECURITY 2).
 */
export async function requestPasswordReset(deps: Deps, org: Organization, client: RequestContext, input: { email: string; locale: Locale }): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await enqueueJob(tx, deps, org.tenantId, passwordResetJobKind, { email: input.email.trim(), locale: input.locale, ip: client.ip, requestId: client.requestId });
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'password_reset_requested', outcome: 'success' });
  });
}

/** Sends a reset link to an account (also used by the helpdesk's "send reset link"). */
export async function sendPasswordReset(
  db: Queryable,
  deps: Deps,
  org: Organization,
  account: Account,
  client: RequestContext,
  by: { actorAccountId: string; reason: string } | null,
): Promise<void> {
  const token = await issueAccountToken(db, deps, account, 'reset', org.policy.resetLinkMinutes * 60);
  const link = publicUrl(deps.config, org, `/password/reset/${token}`);
  await queueEmail(db, deps, org, account, { kind: 'password_reset', name: account.name, link, validMinutes: org.policy.resetLinkMinutes });
  await recordAudit(db, deps.clock.now(), client, {
    tenantId: org.tenantId,
    event: by ? 'password_reset_sent_by_staff' : 'password_reset_email_sent',
    outcome: 'success',
    actorAccountId: by?.actorAccountId ?? null,
    subjectAccountId: account.id,
    details: by ? { reason: by.reason } : {},
  });
}

/** The queued half of "forgot password": runs in the job worker, off the request path. */
export function passwordResetJobHandler(deps: Deps, findOrg: (tenantId: string) => Promise<Organization | null>) {
  return async (job: Job): Promise<Record<string, unknown>> => {
    const payload = job.payload as { email: string; locale: Locale; ip: string | null; requestId: string | null };
    const org = await findOrg(job.tenantId);
    const account = org ? await findAccountByEmail(deps.db, org.tenantId, payload.email) : null;
    const kept = { outcome: 'no_account' };
    if (!org || !account || account.state === 'deactivated') return kept;
    const limit = await hitRateLimit(deps.db, org.tenantId, `reset_mail:${account.id}`, resetMailsPerAccount, deps.clock.now());
    if (!limit.allowed) return { outcome: 'rate_limited' };
    const client = { ip: payload.ip, userAgent: null, requestId: payload.requestId };
    // Without a language of its own, the account gets the mail in the language the form was used in.
    const recipient = { ...account, locale: account.locale ?? payload.locale };
    await deps.db.transaction(async (tx) => {
      // An account that never set a password gets its welcome link again instead.
      if (account.state === 'invited') await sendWelcome(tx, deps, org, recipient, { actorAccountId: null, client, kind: 'welcome' });
      else await sendPasswordReset(tx, deps, org, recipient, client, null);
    });
    return { outcome: 'sent' };
  };
}

/** As for any link that sets a password; a success also tells how many recovery codes are left where one was used. */
export type PasswordResetOutcome = Exclude<LinkPasswordOutcome, { ok: true }> | { ok: true; account: Account; recoveryCodesLeft: number | null };

/**
 * Sets a new password through a reset link, in one transaction: the token is used, the password
 * set, the lock cleared, every session ended and the "password changed" mail queued (SECURITY 31).
 */
export async function completePasswordReset(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { token: string; password: string; passwordConfirm: string; sessionId: string; code: string; recoveryCode: string },
): Promise<PasswordResetOutcome> {
  // Where a recovery code was the proof, the user is shown how many are left (SPEC 4.5).
  let recoveryCodesLeft: number | null = null;
  // SPEC 4.4 / SECURITY 14: with two-step verification the reset also asks a code (or recovery
  // code), in the same step; the link alone is not enough.
  const codeStep: BeforeCommit = async (account) => {
    if (!(await findFactorInForce(deps.db, org, account))) return { ok: true };
    const proof = input.recoveryCode.trim() ? { recoveryCode: input.recoveryCode } : input.code.trim() ? { code: input.code } : null;
    if (!proof) return { ok: false, error: 'code_rejected', check: null };
    const check = await checkSecondFactor(deps, org, account, input.sessionId, client, proof, 'confirm');
    if (!check.ok) return { ok: false, error: 'code_rejected', check };
    recoveryCodesLeft = check.recoveryCodesLeft;
    return { ok: true };
  };
  const outcome = await setPasswordThroughLink(deps, org, { purpose: 'reset', accountState: 'active', token: input.token }, input, async (tx, account, now) => {
    const endedSessions = await deleteAccountSessions(tx, org.tenantId, account.id);
    await removeAllTrustedBrowsers(tx, org.tenantId, account.id);
    // SPEC 4.4: all of the account's web sessions and app devices end.
    const removedDevices = await removeAccountDevices(tx, org.tenantId, account.id, 'password_reset', now);
    await recordAudit(tx, now, client, {
      tenantId: org.tenantId,
      // A reset is a password change (SPEC 7 names one event for both); `via` tells them apart.
      event: 'password_changed',
      outcome: 'success',
      actorAccountId: account.id,
      subjectAccountId: account.id,
      details: { via: 'reset', endedSessions, removedDevices },
    });
    await queueEmail(tx, deps, org, account, { kind: 'password_changed', name: account.name, helpLink: publicUrl(deps.config, org, '/help') });
  }, codeStep);
  return outcome.ok ? { ...outcome, recoveryCodesLeft } : outcome;
}
