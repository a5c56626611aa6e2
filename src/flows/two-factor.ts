import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { deriveKey, openSecret, sealSecret } from '../core/secret-box.js';
import type { Queryable } from '../db/db.js';
import type { Deps } from '../deps.js';
import { deleteRecoveryCodes, replaceRecoveryCodes } from '../factors/recovery-codes/store.js';
import { activateFactor, deleteFactors, findActiveFactor, insertPendingFactor, PendingFactorGoneError, type SecondFactor, type SecondFactorMethod } from '../factors/second-factor/store.js';
import { issueSmsCode, settleSentSmsCode, withdrawUnsentSmsCode, type SmsPurpose } from '../factors/sms-code/store.js';
import { removeAllTrustedBrowsers } from '../factors/trusted-browser/store.js';
import { newTotpSecret } from '../factors/totp/otpauth-uri.js';
import { findTotpStep, totpDefaults } from '../factors/totp/totp.js';
import { recordDeliveredMessage } from '../jobs/queue.js';
import { renderSmsCode } from '../messaging/sms-texts.js';
import { deleteAccountSessions } from '../sessions/sessions.js';
import { twoFactorRequirementFor } from '../sessions/next-step.js';
import type { Organization } from '../tenants/organizations.js';
import { removeAccountDevices } from './app-devices.js';
import { checkFactorCode, clearCodeFailures } from './second-factor-check.js';
import { queueEmail } from './outgoing-mail.js';
import { publicUrl } from './public-url.js';
import { openTotpSecret, sealTotpSecret } from './totp-secret.js';

export const devSmsKind = 'sms_dev';

/** The methods this org offers; SMS only where a provider is configured. */
export function offeredMethods(deps: Deps, org: Organization): SecondFactorMethod[] {
  return org.policy.twoFactorMethods.filter((m) => m === 'totp' || deps.sms !== null);
}

/** SPEC 4.5: 2FA can be turned off only where the org's policy for the role is optional. */
export function mayTurnOff(org: Organization, account: Account): boolean {
  return twoFactorRequirementFor(org.policy, account.role) === 'optional';
}

/** A phone number in international format, as E.164; null when it is no valid number. */
export function normalizePhone(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed.startsWith('+') && !trimmed.startsWith('00')) return null;
  const parsed = parsePhoneNumberFromString(trimmed.replace(/^00/, '+'));
  return parsed?.isValid() ? parsed.number : null;
}

export async function startTotpSetup(deps: Deps, org: Organization, account: Account, sessionId: string): Promise<SecondFactor> {
  const secret = newTotpSecret(deps.random);
  return insertPendingFactor(deps.db, deps, {
    tenantId: org.tenantId,
    accountId: account.id,
    sessionId,
    method: 'totp',
    totpSecretSealed: sealTotpSecret(deps.config, org.tenantId, account.id, secret),
  });
}

export function pendingTotpSecret(deps: Deps, factor: SecondFactor): Buffer {
  return openTotpSecret(deps.config, factor.tenantId, factor.accountId, factor.totpSecretSealed!);
}

export type SendSmsOutcome = { ok: true } | { ok: false; error: 'too_soon' | 'too_many'; retryAfterSeconds: number } | { ok: false; error: 'send_failed' | 'no_sms' };

/**
 * Sends a code by SMS within the limits (SPEC 4.5). Synchronous: a code is only useful now, so a
 * provider that is down is reported to the user at once and nothing is counted (SECURITY 33).
 * The provider is called outside any transaction, so a slow one holds no lock or connection.
 */
export async function sendSmsCode(
  deps: Deps,
  org: Organization,
  account: Account,
  input: { sessionId: string; purpose: SmsPurpose; phone: string; locale: 'nl' | 'en' },
  client: RequestContext,
): Promise<SendSmsOutcome> {
  const sms = deps.sms;
  if (!sms) return { ok: false, error: 'no_sms' };
  const scope = { tenantId: org.tenantId, accountId: account.id, sessionId: input.sessionId, purpose: input.purpose };
  const issued = await deps.db.transaction((tx) => issueSmsCode(tx, deps, { ...scope, phone: input.phone }));
  if (!issued.ok) return issued;
  const message = renderSmsCode(input.locale, org.name, issued.code, input.purpose);
  try {
    await sms.send({ to: input.phone, message });
  } catch (error) {
    await withdrawUnsentSmsCode(deps.db, org.tenantId, issued.codeId);
    deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'SMS could not be sent');
    return { ok: false, error: 'send_failed' };
  }
  const now = deps.clock.now();
  await settleSentSmsCode(deps.db, { ...scope, codeId: issued.codeId }, now);
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'sms_code_sent', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { purpose: input.purpose } });
  // Development only: list it in the dev outbox. In production the code is never stored readable.
  if (deps.config.sms.provider === 'dev') await recordDeliveredMessage(deps.db, deps, org.tenantId, devSmsKind, { to: input.phone, subject: 'SMS', text: message });
  return { ok: true };
}

export async function startSmsSetup(deps: Deps, org: Organization, account: Account, sessionId: string, phone: string): Promise<SecondFactor> {
  return insertPendingFactor(deps.db, deps, { tenantId: org.tenantId, accountId: account.id, sessionId, method: 'sms', phone });
}

/** Recovery codes wait in the session, sealed, until the user confirms they stored them. */
function recoveryCodesKey(deps: Deps): Buffer {
  return deriveKey(deps.config.secretKey, 'ingang recovery codes on display v1');
}

async function showRecoveryCodesOnce(tx: Queryable, deps: Deps, account: Account, sessionId: string, codes: string[]): Promise<void> {
  const sealed = sealSecret(recoveryCodesKey(deps), Buffer.from(codes.join('\n')), `${account.tenantId}:${account.id}`);
  await tx.query('UPDATE web_session SET recovery_codes_sealed = $3 WHERE tenant_id = $1 AND id = $2', [account.tenantId, sessionId, sealed]);
}

export function recoveryCodesOnDisplay(deps: Deps, account: Account, sealed: string): string[] {
  return openSecret(recoveryCodesKey(deps), sealed, `${account.tenantId}:${account.id}`).toString().split('\n');
}

export async function confirmRecoveryCodesStored(deps: Deps, account: Account, sessionId: string): Promise<void> {
  await deps.db.query('UPDATE web_session SET recovery_codes_sealed = NULL WHERE tenant_id = $1 AND id = $2', [account.tenantId, sessionId]);
}

export type ConfirmSetupOutcome = { ok: true } | { ok: false; error: 'invalid_code' | 'no_setup' };

/**
 * Confirms a pending factor with a code from it, and in one transaction makes it the active one,
 * makes a new set of recovery codes, audits and mails (SECURITY 31).
 */
export async function confirmSetup(deps: Deps, org: Organization, account: Account, pending: SecondFactor | null, sessionId: string, code: string, client: RequestContext): Promise<ConfirmSetupOutcome> {
  if (!pending) return { ok: false, error: 'no_setup' };
  const now = deps.clock.now();
  let step: bigint | null = null;
  if (pending.method === 'totp') {
    step = findTotpStep(pendingTotpSecret(deps, pending), code, Math.floor(now.getTime() / 1000), totpDefaults);
    if (step === null) return { ok: false, error: 'invalid_code' };
  } else if (!(await checkFactorCode(deps, pending, { sessionId, purpose: 'setup' }, code, now))) {
    return { ok: false, error: 'invalid_code' };
  }
  const done = await deps.db
    .transaction(async (tx) => {
    const { replaced } = await activateFactor(tx, pending, now, step);
    const codes = await replaceRecoveryCodes(tx, deps, org.tenantId, account.id);
    await showRecoveryCodesOnce(tx, deps, account, sessionId, codes);
    await recordAudit(tx, now, client, { tenantId: org.tenantId, event: pending.method === 'totp' ? 'totp_enabled' : 'sms_enabled', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { replaced } });
    // A factor that takes another's place is news the user must hear about: the mail says "changed".
    await queueEmail(tx, deps, org, account, { kind: 'two_factor_enabled', name: account.name, method: pending.method, replaced, helpLink: publicUrl(deps.config, org, '/help') });
    return true;
  })
    .catch((error: unknown) => {
      if (error instanceof PendingFactorGoneError) return false;
      throw error;
    });
  return done ? { ok: true } : { ok: false, error: 'no_setup' };
}

export async function regenerateRecoveryCodes(deps: Deps, org: Organization, account: Account, sessionId: string, client: RequestContext): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const codes = await replaceRecoveryCodes(tx, deps, org.tenantId, account.id);
    await showRecoveryCodesOnce(tx, deps, account, sessionId, codes);
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'recovery_codes_generated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
    await queueEmail(tx, deps, org, account, { kind: 'recovery_codes_regenerated', name: account.name, helpLink: publicUrl(deps.config, org, '/help') });
  });
}

/** Removes every second factor, recovery code and trusted browser of an account. */
async function removeSecondFactors(tx: Queryable, tenantId: string, accountId: string): Promise<void> {
  await deleteFactors(tx, tenantId, accountId);
  await deleteRecoveryCodes(tx, tenantId, accountId);
  await removeAllTrustedBrowsers(tx, tenantId, accountId);
}

export async function turnOffTwoFactor(deps: Deps, org: Organization, account: Account, client: RequestContext): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await removeSecondFactors(tx, org.tenantId, account.id);
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'two_factor_disabled', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
    await queueEmail(tx, deps, org, account, { kind: 'two_factor_disabled', name: account.name, helpLink: publicUrl(deps.config, org, '/help') });
  });
}

/**
 * "Lost phone" (SPEC 4.6): staff remove the user's factors, recovery codes, trusted browsers and
 * sessions, in one transaction, audited with both people and the reason; the user is mailed.
 */
export async function resetTwoFactorByStaff(tx: Queryable, deps: Deps, org: Organization, actor: Account, subject: Account, client: RequestContext, reason: string): Promise<void> {
  await removeSecondFactors(tx, org.tenantId, subject.id);
  await clearCodeFailures(tx, org.tenantId, subject.id);
  const endedSessions = await deleteAccountSessions(tx, org.tenantId, subject.id);
  await removeAccountDevices(tx, org.tenantId, subject.id, 'two_factor_reset_by_staff', deps.clock.now());
  await recordAudit(tx, deps.clock.now(), client, {
    tenantId: org.tenantId,
    event: 'two_factor_reset_by_staff',
    outcome: 'success',
    actorAccountId: actor.id,
    subjectAccountId: subject.id,
    details: { reason, endedSessions },
  });
  await queueEmail(tx, deps, org, subject, { kind: 'two_factor_reset_by_staff', name: subject.name, helpLink: publicUrl(deps.config, org, '/help') });
}

export { findActiveFactor };
