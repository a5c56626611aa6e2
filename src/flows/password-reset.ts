import { findAccountByEmail, type Account } from '../accounts/accounts.js';
import { issueAccountToken } from '../accounts/link-tokens.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { isPlausibleEmail } from '../accounts/email.js';
import type { Failure, Ok } from '../core/outcome.js';
import { hitRateLimit } from '../core/rate-limit.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { factorPhone } from '../factors/second-factor/store.js';
import { findHeldSecondStep } from '../factors/second-step.js';
import { sendSmsCode, type SendSmsOutcome } from '../factors/sms-code/send.js';
import { removeAllTrustedBrowsers } from '../factors/trusted-browser/store.js';
import { enqueueJob, type Job } from '../jobs/queue.js';
import { queueEmail } from '../messaging/outbox.js';
import { listPasskeys } from '../factors/passkey/store.js';
import { deleteAccountSessions, type WebSession } from '../sessions/web-sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import { admitAnonymousRequest } from './anonymous-requests.js';
import { endOpenIdAccess } from './openid-logout.js';
import { endAppAccess } from './end-access.js';
import { openAccountLink, setPasswordThroughLink, type LinkFailure, type SetPasswordFailure } from './set-password.js';
import { stepUp, type StepUpFailure } from './step-up.js';
import { sendWelcome } from './welcome.js';

export const passwordResetJobKind = 'password_reset_request';

/** SPEC 4.4: at most 3 reset mails per account per hour. */
const resetMailsPerAccount = { limit: 3, windowSeconds: 3600 };

/**
 * "Forgot password": the request only queues the work, so the answer and its timing are the same
 * whether or not the address has an account (SECURITY 2).
 */
export async function requestPasswordReset(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  input: { email: string; locale: Locale },
): Promise<Ok | Failure<'invalid_email'> | Failure<'rate_limited', { retryAfterSeconds: number }>> {
  const email = input.email.trim();
  if (!isPlausibleEmail(email)) return { ok: false, error: 'invalid_email' };
  // SECURITY 37: counted per network and per address before any row is written.
  const admitted = await admitAnonymousRequest(deps, org, client, 'password_reset', email);
  if (!admitted.ok) return admitted.error === 'network_throttled' ? { ok: false, error: 'rate_limited', retryAfterSeconds: admitted.retryAfterSeconds } : { ok: true };
  await deps.db.transaction(async (tx) => {
    await enqueueJob(tx, deps, org.tenantId, passwordResetJobKind, { email, locale: input.locale, ip: client.ip, requestId: client.requestId });
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'password_reset_requested', outcome: 'success' });
  });
  return { ok: true };
}

/** Sends a reset link to an account (also the helpdesk's "send reset link"), in the caller's transaction. */
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
    if (!org || !account || account.state === 'deactivated') return { outcome: 'no_account' };
    const limit = await hitRateLimit(deps.db, org.tenantId, `reset_mail:${account.id}`, resetMailsPerAccount, deps.clock.now());
    if (!limit.allowed) return { outcome: 'rate_limited' };
    const client = { ip: payload.ip, userAgent: null, requestId: payload.requestId };
    // Without a language of its own, the account gets the mail in the language the form was used in.
    const recipient = { ...account, locale: account.locale ?? payload.locale };
    await deps.db.transaction(async (tx) => {
      // An account that never set a password gets its welcome link again instead.
      if (account.state === 'invited') await sendWelcome(tx, deps, org, recipient, { actorAccountId: null, client });
      else await sendPasswordReset(tx, deps, org, recipient, client, null);
    });
    return { outcome: 'sent' };
  };
}

/** What the reset form shows: with two-step verification it also asks a code (and offers an SMS where that is the method). */
export interface ResetForm {
  account: Account;
  /** `passkey`: the second step is a passkey only, so a recovery code is asked (SPEC 11). */
  factor: 'totp' | 'sms' | 'passkey' | null;
}

async function resetFactor(deps: Deps, org: Organization, account: Account): Promise<ResetForm['factor']> {
  const step = await findHeldSecondStep(deps.db, org, account);
  return step.factor?.method ?? (step.passkey ? 'passkey' : null);
}

/** The reset page: the link must be open. */
export async function openResetLink(deps: Deps, org: Organization, client: RequestContext, token: string): Promise<Ok<ResetForm> | LinkFailure> {
  const link = await openAccountLink(deps, org, client, 'reset', token);
  if (!link.ok) return link;
  return { ok: true, account: link.account, factor: await resetFactor(deps, org, link.account) };
}

/** An SMS code for the reset step, on request (a GET of the link never sends anything: mail scanners open links). */
export async function sendResetCode(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  session: WebSession,
  input: { token: string; locale: Locale },
): Promise<LinkFailure | (SendSmsOutcome & { form: ResetForm })> {
  const link = await openAccountLink(deps, org, client, 'reset', input.token);
  if (!link.ok) return link;
  const factor = (await findHeldSecondStep(deps.db, org, link.account)).factor;
  const form: ResetForm = { account: link.account, factor: await resetFactor(deps, org, link.account) };
  if (factor?.method !== 'sms') return { ok: false, error: 'no_sms', form };
  const sent = await sendSmsCode(deps, org, link.account, { attemptId: session.id, purpose: 'confirm', phone: factorPhone(deps.config.secretKey, factor), locale: input.locale }, client);
  return { ...sent, form };
}

/**
 * Sets a new password through a reset link. With two-step verification it also asks a code or a
 * recovery code in the same step (SPEC 4.4, SECURITY 14: the link alone is not enough). Then, in
 * one transaction, the token is used, the password set, the lock cleared, every session, trusted
 * browser and app device ended and the "password changed" mail queued (SECURITY 31). Where a
 * recovery code was the proof, the user is told how many are left (SPEC 4.5).
 */
export async function completePasswordReset(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  session: WebSession,
  input: { token: string; password: string; passwordConfirm: string; code: string; recoveryCode: string; locale: Locale },
): Promise<Ok<{ account: Account; recoveryCodesLeft: number | null }> | LinkFailure | ((Exclude<SetPasswordFailure, { error: 'invalid_link' }> | StepUpFailure) & { form: ResetForm })> {
  const link = await openAccountLink(deps, org, client, 'reset', input.token);
  if (!link.ok) return link;
  let recoveryCodesLeft: number | null = null;
  const codeStep = async (): Promise<StepUpFailure | null> => {
    // The reset's session is anonymous: the step-up proves the code and renews nothing (the reset ends every session).
    const proved = await stepUp(deps, org, client, { account: link.account, session, renewed: () => undefined }, 'reset_password', { code: input.code, recoveryCode: input.recoveryCode });
    if (!proved.ok) return proved;
    recoveryCodesLeft = proved.recoveryCodesLeft;
    return null;
  };
  const set = await setPasswordThroughLink(deps, org, client, link, input, async (tx, account, now) => {
    const endedSessions = await deleteAccountSessions(tx, org.tenantId, account.id);
    await removeAllTrustedBrowsers(tx, org.tenantId, account.id);
    // SPEC 4.4: all of the account's web sessions and app devices end.
    const removedDevices = await endAppAccess(tx, org.tenantId, account.id, 'password_reset', now);
    await endOpenIdAccess(tx, deps, org, account.id);
    await recordAudit(tx, now, client, {
      tenantId: org.tenantId,
      // A reset is a password change (SPEC 7 names one event for both); `via` tells them apart.
      event: 'password_changed',
      outcome: 'success',
      actorAccountId: account.id,
      subjectAccountId: account.id,
      details: { via: 'reset', endedSessions, removedDevices },
    });
    // SPEC 11: a reset keeps the passkeys; the mail lists them.
    const passkeys = (await listPasskeys(tx, org.tenantId, account.id)).map((p) => p.name);
    await queueEmail(tx, deps, org, account, { kind: 'password_changed', name: account.name, helpLink: publicUrl(deps.config, org, '/help'), passkeys, passkeysLink: publicUrl(deps.config, org, '/account/passkeys') });
  }, codeStep);
  if (set.ok) return { ok: true, account: set.account, recoveryCodesLeft };
  if (set.error === 'invalid_link') return set;
  // The form comes back with its reasons; the link stays usable (nothing was consumed).
  return { ...set, form: { account: link.account, factor: await resetFactor(deps, org, link.account) } };
}
