import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import { deriveKey, openSecret, sealSecret } from '../core/secret-box.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { replaceRecoveryCodes } from '../factors/recovery-codes/store.js';
import { checkFactorCode } from '../factors/second-factor/check.js';
import { findHeldSecondStep, hasSecondStep, passkeyRequiredFor } from '../factors/second-step.js';
import type { Role } from '../accounts/roles.js';
import { activateFactor, factorPhone, findPendingFactor, insertPendingFactor, PendingFactorGoneError, type SecondFactor, type SecondFactorMethod } from '../factors/second-factor/store.js';
import { acceptSmsNumber, maskPhone, sealPhone, type SmsNumberProblem } from '../factors/sms-code/phone.js';
import { sendSmsCode, type SendSmsOutcome } from '../factors/sms-code/send.js';
import { encodeBase32 } from '../factors/totp/base32.js';
import { newTotpSecret, otpauthUri } from '../factors/totp/otpauth-uri.js';
import { openTotpSecret, sealTotpSecret } from '../factors/totp/sealed-secret.js';
import { findTotpStep, totpDefaults } from '../factors/totp/totp.js';
import { queueEmail } from '../messaging/outbox.js';
import { rotateSession, setRecoveryCodesOnDisplay, type WebSession } from '../sessions/web-sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import type { SessionTarget } from './session-target.js';
import { describeStepUp, stepUp, type StepUpFailure } from './step-up.js';

/**
 * The code methods this org offers the role; SMS only where a provider is configured. None to
 * staff who must use a passkey (a passkey is added on /account/passkeys, SPEC 11).
 */
export function offeredMethods(deps: Deps, org: Organization, role: Role): SecondFactorMethod[] {
  if (passkeyRequiredFor(org.policy, role)) return [];
  return org.policy.twoFactorMethods.filter((m): m is SecondFactorMethod => m === 'totp' || (m === 'sms' && deps.sms !== null));
}

/** Turning two-step verification on asks the password; replacing a factor in force also a code from it (SPEC 4.5). */
async function setupAction(deps: Deps, org: Organization, account: Account): Promise<'set_up_two_factor' | 'replace_two_factor'> {
  return hasSecondStep(await findHeldSecondStep(deps.db, org, account)) ? 'replace_two_factor' : 'set_up_two_factor';
}

/** What the setup form must ask before a new factor is set up (or takes the place of the one in force). */
export async function describeSetupStepUp(deps: Deps, org: Organization, target: Pick<SessionTarget, 'account' | 'session'>) {
  return describeStepUp(deps, org, target, await setupAction(deps, org, target.account));
}

export type StartSetupFailure = Failure<'method_not_offered' | SmsNumberProblem> | StepUpFailure | Exclude<SendSmsOutcome, { ok: true }>;

/**
 * Starts setting up (or replacing) a second factor: the step-up `set_up_two_factor` first, then a
 * pending factor bound to this session. A number becomes the pending one only once a code really
 * went to it (an unsent number changes nothing).
 */
export async function startTwoFactorSetup(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  input: { method: string; phone: string; password: string; code: string; recoveryCode: string; passkey?: string; locale: Locale },
): Promise<Ok<{ method: SecondFactorMethod }> | StartSetupFailure> {
  const method = offeredMethods(deps, org, target.account.role).find((m) => m === input.method);
  if (!method) return { ok: false, error: 'method_not_offered' };
  const accepted = method === 'sms' ? acceptSmsNumber(input.phone, org.policy.smsCountries) : null;
  if (accepted && !accepted.ok) return accepted;
  const phone = accepted?.ok ? accepted.e164 : null;
  const proved = await stepUp(deps, org, client, target, await setupAction(deps, org, target.account), { password: input.password, code: input.code, recoveryCode: input.recoveryCode, passkey: input.passkey });
  if (!proved.ok) return proved;
  const { account } = target;
  const session = proved.session;
  if (method === 'totp') {
    const sealed = sealTotpSecret(deps.config, org.tenantId, account.id, newTotpSecret(deps.random));
    await insertPendingFactor(deps.db, deps, { tenantId: org.tenantId, accountId: account.id, sessionId: session.id, method, totpSecretSealed: sealed });
    return { ok: true, method };
  }
  const sent = await sendSmsCode(deps, org, account, { attemptId: session.id, purpose: 'setup', phone: phone!, locale: input.locale }, client);
  if (!sent.ok) return sent;
  const phoneSealed = sealPhone(deps.config.secretKey, { tenantId: org.tenantId, accountId: account.id }, phone!);
  await insertPendingFactor(deps.db, deps, { tenantId: org.tenantId, accountId: account.id, sessionId: session.id, method, phoneSealed });
  return { ok: true, method };
}

/** For SMS, the number as pages show it: its last digits (SECURITY 45). */
export type PendingSetupView = { method: 'totp'; secretBase32: string; otpauthUri: string } | { method: 'sms'; phone: string };

/** What the confirm page shows of the factor this session is setting up; null when there is none. */
export async function viewPendingSetup(deps: Deps, org: Organization, target: { account: Account; session: WebSession }): Promise<PendingSetupView | null> {
  const pending = await findPendingFactor(deps.db, org.tenantId, target.account.id, target.session.id);
  if (!pending) return null;
  if (pending.method === 'sms') return { method: 'sms', phone: maskPhone(factorPhone(deps.config.secretKey, pending)) };
  const secretBase32 = encodeBase32(pendingTotpSecret(deps, pending));
  return { method: 'totp', secretBase32, otpauthUri: otpauthUri({ orgName: org.name, email: target.account.email, secretBase32 }) };
}

function pendingTotpSecret(deps: Deps, factor: SecondFactor): Buffer {
  return openTotpSecret(deps.config, factor.tenantId, factor.accountId, factor.totpSecretSealed!);
}

/** "Send a new code" while confirming a number (the SMS limits of SPEC 4.5 apply). */
export async function resendSetupCode(deps: Deps, org: Organization, client: RequestContext, target: { account: Account; session: WebSession }, locale: Locale): Promise<SendSmsOutcome | Failure<'no_setup'>> {
  const pending = await findPendingFactor(deps.db, org.tenantId, target.account.id, target.session.id);
  if (!pending?.phoneSealed) return { ok: false, error: 'no_setup' };
  return sendSmsCode(deps, org, target.account, { attemptId: target.session.id, purpose: 'setup', phone: factorPhone(deps.config.secretKey, pending), locale }, client);
}

/**
 * Confirms the pending factor with a code from it, and in one transaction makes it the active
 * one, makes a new set of recovery codes (shown once, sealed in the session), audits and mails
 * (SECURITY 31). Proving the new factor counts as this session's code step (a new session id).
 */
export async function confirmTwoFactorSetup(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  code: string,
): Promise<Ok | Failure<'invalid_code' | 'no_setup'>> {
  const { account, session } = target;
  const pending = await findPendingFactor(deps.db, org.tenantId, account.id, session.id);
  if (!pending) return { ok: false, error: 'no_setup' };
  const now = deps.clock.now();
  let step: bigint | null = null;
  if (pending.method === 'totp') {
    step = findTotpStep(pendingTotpSecret(deps, pending), code, Math.floor(now.getTime() / 1000), totpDefaults);
    if (step === null) return { ok: false, error: 'invalid_code' };
  } else if (!(await checkFactorCode(deps, pending, { attemptId: session.id, purpose: 'setup' }, code, now))) {
    return { ok: false, error: 'invalid_code' };
  }
  const done = await deps.db
    .transaction(async (tx) => {
      const { replaced } = await activateFactor(tx, pending, now, step);
      await showNewRecoveryCodes(tx, deps, account, session.id);
      await recordAudit(tx, now, client, { tenantId: org.tenantId, event: pending.method === 'totp' ? 'totp_enabled' : 'sms_enabled', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { replaced } });
      // A factor that takes another's place is news the user must hear about: the mail says "changed".
      await queueEmail(tx, deps, org, account, { kind: 'two_factor_enabled', name: account.name, method: pending.method, replaced, helpLink: publicUrl(deps.config, org, '/help') });
      return true;
    })
    .catch((error: unknown) => {
      if (error instanceof PendingFactorGoneError) return false;
      throw error;
    });
  if (!done) return { ok: false, error: 'no_setup' };
  const rotated = await rotateSession(deps.db, deps, session, { kind: 'second_factor_verified' });
  if (rotated) target.renewed(rotated);
  return { ok: true };
}

/** Recovery codes wait in the session, sealed, until the user confirms they stored them. */
function recoveryCodesKey(deps: Deps): Buffer {
  return deriveKey(deps.config.secretKey, 'ingang recovery codes on display v1');
}

/** A new set of recovery codes (the old set is void), put on display in this session. */
export async function showNewRecoveryCodes(tx: Queryable, deps: Deps, account: Account, sessionId: string): Promise<void> {
  const codes = await replaceRecoveryCodes(tx, deps, account.tenantId, account.id);
  const sealed = sealSecret(recoveryCodesKey(deps), Buffer.from(codes.join('\n')), `${account.tenantId}:${account.id}`);
  await setRecoveryCodesOnDisplay(tx, account.tenantId, sessionId, sealed);
}

/** The codes on display in this session, or null when none wait. */
export function recoveryCodesOnDisplay(deps: Deps, target: { account: Account; session: WebSession }): string[] | null {
  const sealed = target.session.recoveryCodesSealed;
  if (!sealed) return null;
  return openSecret(recoveryCodesKey(deps), sealed, `${target.account.tenantId}:${target.account.id}`).toString().split('\n');
}

/** The user ticked "stored": the codes leave the session for good. */
export async function confirmRecoveryCodesStored(deps: Deps, target: { account: Account; session: WebSession }): Promise<void> {
  await setRecoveryCodesOnDisplay(deps.db, target.account.tenantId, target.session.id, null);
}
