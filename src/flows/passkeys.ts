import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Account } from '../accounts/accounts.js';
import { credentialIdPattern, parseJson, provePasskey, refusedPasskeyAudit } from './passkey-proof.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { noteThrottled } from '../audit/throttled.js';
import { clientIpKey, hitRateLimit } from '../core/rate-limit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { storeChallenge, takeChallenge } from '../factors/passkey/challenges.js';
import { countPasskeysLocked, deletePasskey, findPasskeyByCredential, insertPasskey, listPasskeys, maxPasskeysPerAccount, recordPasskeyUse } from '../factors/passkey/store.js';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration } from '../factors/passkey/webauthn.js';
import { countRemainingRecoveryCodes } from '../factors/recovery-codes/store.js';
import { findSecondStep, hasSecondStep, passkeyCountsFor } from '../factors/second-step.js';
import { twoFactorRequirementFor } from '../tenants/policy.js';
import { showNewRecoveryCodes } from './two-factor-setup.js';
import { queueEmail } from '../messaging/outbox.js';
import { rotateSession, type WebSession } from '../sessions/web-sessions.js';
import type { Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';
import { deriveStanding, type Standing } from './login/standing.js';
import type { SessionTarget } from './session-target.js';
import { stepUp, type StepUpFailure, type StepUpProofs } from './step-up.js';

/**
 * Passkeys (SPEC 11): adding one (a step-up first, then the browser's ceremony), removing one (a
 * step-up), and logging in with one, which is a whole login. Every ceremony's challenge is bound
 * to the browser session's login and used once.
 */

export interface PasskeyView {
  id: string;
  name: string;
  addedAt: Date;
  lastUsedAt: Date | null;
  /** Synced between the user's devices (a passkey manager), or bound to one device (a security key). */
  synced: boolean;
}

export async function passkeysOf(deps: Deps, org: Organization, account: Account): Promise<PasskeyView[]> {
  return (await listPasskeys(deps.db, org.tenantId, account.id)).map((p) => ({ id: p.id, name: p.name, addedAt: p.createdAt, lastUsedAt: p.lastUsedAt, synced: p.deviceType === 'multiDevice' }));
}

/** A passkey's name: what the user calls the device, 1 to 60 characters, no control characters. */
export function passkeyName(value: string): string | null {
  const name = value.trim().replace(/\s+/g, ' ');
  return name.length >= 1 && name.length <= 60 && !/\p{Cc}/u.test(name) ? name : null;
}

/** For the pages: whether a passkey is (or becomes) the role's second step in this organization. */
export { passkeyCountsFor } from '../factors/second-step.js';

/** SECURITY 4, 37: passkey logins from one network are counted, as password logins are; past the budget they are not tried. */
export const passkeyLoginsPerNetwork = { limit: 30, windowSeconds: 10 * 60 };

/** Adding, step one: the step-up, then what the browser needs to make the passkey. */
export async function startAddingPasskey(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  proofs: StepUpProofs,
  name: string,
): Promise<Ok<{ options: PublicKeyCredentialCreationOptionsJSON; name: string }> | StepUpFailure | Failure<'invalid_name' | 'too_many'>> {
  const named = passkeyName(name);
  if (!named) return { ok: false, error: 'invalid_name' };
  const existing = await listPasskeys(deps.db, org.tenantId, target.account.id);
  if (existing.length >= maxPasskeysPerAccount) return { ok: false, error: 'too_many' };
  const proved = await stepUp(deps, org, client, target, 'add_passkey', proofs);
  if (!proved.ok) return proved;
  const options = await registrationOptions(deps.config, org, target.account, existing);
  await storeChallenge(deps.db, org.tenantId, proved.session.loginId, 'register', options.challenge, target.account.id, deps.clock.now());
  return { ok: true, options, name: named };
}

/** Adding, step two: the browser's answer, checked against the challenge of step one; the user is mailed. */
export async function finishAddingPasskey(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  input: { response: string; name: string },
): Promise<Ok<{ passkey: PasskeyView; recoveryCodesShown: boolean }> | Failure<'no_ceremony' | 'invalid_response' | 'invalid_name' | 'already_registered' | 'too_many'>> {
  const { account, session } = target;
  const name = passkeyName(input.name);
  if (!name) return { ok: false, error: 'invalid_name' };
  const now = deps.clock.now();
  const taken = await takeChallenge(deps.db, org.tenantId, session.loginId, 'register', now);
  if (!taken || taken.accountId !== account.id) return { ok: false, error: 'no_ceremony' };
  const response = parseJson<RegistrationResponseJSON>(input.response);
  const sound = response && typeof response.id === 'string' && credentialIdPattern.test(response.id);
  const verified = sound ? await verifyRegistration(deps.config, org, response, taken.challenge) : null;
  if (!verified || !credentialIdPattern.test(verified.credentialId)) {
    await refusedPasskeyAudit(deps, org, client, account.id, 'invalid_registration', response?.id ?? null);
    return { ok: false, error: 'invalid_response' };
  }
  const id = deps.random.uuid();
  const stored = await deps.db.transaction(async (tx) => {
    // The limit again, under the account's lock: ceremonies finished in several sessions at once add no more.
    if ((await countPasskeysLocked(tx, org.tenantId, account.id)) >= maxPasskeysPerAccount) return 'too_many' as const;
    const before = await findSecondStep(tx, org, account);
    const inserted = await insertPasskey(tx, { tenantId: org.tenantId, id, accountId: account.id, name, createdAt: now, ...verified });
    if (!inserted) return false;
    // SPEC 11: a passkey that becomes the account's first second step is a factor for the
    // recovery-code rules: recovery codes are made and shown once, as after a factor's setup.
    const becameSecondStep = !hasSecondStep(before) && passkeyCountsFor(org.policy, account.role);
    const recoveryCodesShown = becameSecondStep && (await countRemainingRecoveryCodes(tx, org.tenantId, account.id)) === 0;
    if (recoveryCodesShown) {
      await showNewRecoveryCodes(tx, deps, account, session.id);
      await recordAudit(tx, now, client, { tenantId: org.tenantId, event: 'recovery_codes_generated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { with: 'passkey' } });
    }
    await recordAudit(tx, now, client, { tenantId: org.tenantId, event: 'passkey_added', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { passkeyId: id, name, synced: verified.deviceType === 'multiDevice' } });
    await queueEmail(tx, deps, org, account, { kind: 'passkey_added', name: account.name, passkeyName: name, passkeysLink: publicUrl(deps.config, org, '/account/passkeys'), helpLink: publicUrl(deps.config, org, '/help') });
    return { recoveryCodesShown, becameSecondStep };
  });
  if (stored === 'too_many') return { ok: false, error: 'too_many' };
  if (!stored) return { ok: false, error: 'already_registered' };
  // As after a factor's setup: the new passkey (made with user verification) is this session's second step.
  if (stored.becameSecondStep) {
    const rotated = await rotateSession(deps.db, deps, session, { kind: 'second_factor_verified' });
    if (rotated) target.renewed(rotated);
  }
  return { ok: true, passkey: { id, name, addedAt: now, lastUsedAt: null, synced: verified.deviceType === 'multiDevice' }, recoveryCodesShown: stored.recoveryCodesShown };
}

/** Removes one of the account's passkeys, after a step-up. */
export async function removePasskey(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  proofs: StepUpProofs,
  passkeyId: string,
): Promise<Ok | StepUpFailure | Failure<'unknown_passkey'> | Failure<'last_second_step'>> {
  const { account } = target;
  const owned = (await listPasskeys(deps.db, org.tenantId, account.id)).some((p) => p.id === passkeyId);
  if (!owned) return { ok: false, error: 'unknown_passkey' };
  if (await isLastRequiredSecondStep(deps, org, account)) return { ok: false, error: 'last_second_step' };
  const proved = await stepUp(deps, org, client, target, 'remove_passkey', proofs);
  if (!proved.ok) return proved;
  const removed = await deps.db.transaction(async (tx) => {
    // Under the account's lock: two removals at once cannot take away the last required one.
    const count = await countPasskeysLocked(tx, org.tenantId, account.id);
    const step = await findSecondStep(tx, org, account);
    if (count === 1 && step.passkey && step.factor === null && twoFactorRequirementFor(org.policy, account.role) === 'required') return 'last_second_step' as const;
    const gone = await deletePasskey(tx, org.tenantId, account.id, passkeyId);
    if (!gone) return null;
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'passkey_removed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { passkeyId, name: gone.name } });
    return gone;
  });
  if (removed === 'last_second_step') return { ok: false, error: 'last_second_step' };
  if (!removed) return { ok: false, error: 'unknown_passkey' };
  return { ok: true };
}

/**
 * Where two-step verification is required and the account's passkeys are all its second step,
 * the last one is not removed: another second step first (SPEC 4.5 keeps a required factor in place).
 */
export async function isLastRequiredSecondStep(deps: Deps, org: Organization, account: Account): Promise<boolean> {
  if (twoFactorRequirementFor(org.policy, account.role) !== 'required') return false;
  const step = await findSecondStep(deps.db, org, account);
  return step.passkey && step.factor === null && (await listPasskeys(deps.db, org.tenantId, account.id)).length === 1;
}

/**
 * The challenge of a ceremony of one known account, whose passkeys the browser is asked for: the
 * second step after the password (`login`: a passkey is a whole login) or a step-up. Null where
 * the account has none.
 */
export async function accountPasskeyOptions(deps: Deps, org: Organization, session: WebSession, account: Account, purpose: 'login' | 'step_up'): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const passkeys = await listPasskeys(deps.db, org.tenantId, account.id);
  if (passkeys.length === 0) return null;
  const options = await authenticationOptions(deps.config, org, passkeys);
  await storeChallenge(deps.db, org.tenantId, session.loginId, purpose, options.challenge, account.id, deps.clock.now());
  return options;
}

/** What the login page's script asks for: a challenge bound to this browser session. */
export async function passkeyLoginOptions(deps: Deps, org: Organization, session: WebSession): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const options = await authenticationOptions(deps.config, org);
  await storeChallenge(deps.db, org.tenantId, session.loginId, 'login', options.challenge, null, deps.clock.now());
  return options;
}

export type PasskeyLoginOutcome = Ok<{ session: WebSession; cookieValue: string; standing: Standing }> | Failure<'no_ceremony' | 'refused'> | Failure<'rate_limited', { retryAfterSeconds: number }>;

/**
 * A login with a passkey (SPEC 11): the challenge of this session, a passkey of this organization,
 * an active account, user verification and a counter that grew. It proves both steps at once.
 * Anything else is refused with one answer, and audited with its reason.
 */
export async function logInWithPasskey(deps: Deps, org: Organization, client: RequestContext, session: WebSession, responseJson: string): Promise<PasskeyLoginOutcome> {
  const now = deps.clock.now();
  const budget = await hitRateLimit(deps.db, org.tenantId, `passkey_login_net:${clientIpKey(client.ip)}`, passkeyLoginsPerNetwork, now);
  if (!budget.allowed) {
    await noteThrottled(deps.db, now, org.tenantId, client, { event: 'login_throttled', via: 'web' });
    return { ok: false, error: 'rate_limited', retryAfterSeconds: budget.retryAfterSeconds };
  }
  const proved = await provePasskey(deps, org, client, { loginId: session.loginId, purpose: 'login', responseJson });
  if (!proved.ok) return proved;
  const { account } = proved;
  const rotated = await rotateSession(deps.db, deps, session, { kind: 'passkey_verified', accountId: account.id });
  if (!rotated) return { ok: false, error: 'no_ceremony' };
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_succeeded', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { step: 'passkey', via: 'web' } });
  const hasSecondFactor = hasSecondStep(await findSecondStep(deps.db, org, account));
  const standing = deriveStanding({ attempt: { kind: 'web', session: rotated.session }, account, policy: org.policy, now, hasSecondFactor, browserTrusted: false });
  return { ok: true, session: rotated.session, cookieValue: rotated.cookieValue, standing };
}
