import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { findAccountById, type Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { noteThrottled } from '../audit/throttled.js';
import { clientIpKey, hitRateLimit } from '../core/rate-limit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { storeChallenge, takeChallenge } from '../factors/passkey/challenges.js';
import { countPasskeysLocked, deletePasskey, findPasskeyByCredential, insertPasskey, listPasskeys, maxPasskeysPerAccount, recordPasskeyUse } from '../factors/passkey/store.js';
import { authenticationOptions, registrationOptions, verifyAuthentication, verifyRegistration } from '../factors/passkey/webauthn.js';
import { findActiveFactor } from '../factors/second-factor/store.js';
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

/** A credential id as WebAuthn allows it (L3 §7.1: at most 1,023 bytes), base64url: anything else is no answer. */
const credentialIdPattern = /^[A-Za-z0-9_-]{16,1364}$/;

/** SECURITY 4, 37: passkey logins from one network are counted, as password logins are; past the budget they are not tried. */
export const passkeyLoginsPerNetwork = { limit: 30, windowSeconds: 10 * 60 };

const refusedAudit = (deps: Deps, org: Organization, client: RequestContext, accountId: string | null, reason: string, credentialId: string | null) =>
  recordAudit(deps.db, deps.clock.now(), client, {
    tenantId: org.tenantId,
    event: 'passkey_refused',
    outcome: 'failure',
    actorAccountId: accountId,
    subjectAccountId: accountId,
    // Only base64url characters of the id, and only its start: the rest is the sender's.
    details: { reason, credentialId: typeof credentialId === 'string' ? credentialId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 100) : null },
  });

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
  target: Pick<SessionTarget, 'account' | 'session'>,
  input: { response: string; name: string },
): Promise<Ok<{ passkey: PasskeyView }> | Failure<'no_ceremony' | 'invalid_response' | 'invalid_name' | 'already_registered' | 'too_many'>> {
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
    await refusedAudit(deps, org, client, account.id, 'invalid_registration', response?.id ?? null);
    return { ok: false, error: 'invalid_response' };
  }
  const id = deps.random.uuid();
  const stored = await deps.db.transaction(async (tx) => {
    // The limit again, under the account's lock: ceremonies finished in several sessions at once add no more.
    if ((await countPasskeysLocked(tx, org.tenantId, account.id)) >= maxPasskeysPerAccount) return 'too_many' as const;
    const inserted = await insertPasskey(tx, { tenantId: org.tenantId, id, accountId: account.id, name, createdAt: now, ...verified });
    if (!inserted) return false;
    await recordAudit(tx, now, client, { tenantId: org.tenantId, event: 'passkey_added', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { passkeyId: id, name, synced: verified.deviceType === 'multiDevice' } });
    await queueEmail(tx, deps, org, account, { kind: 'passkey_added', name: account.name, passkeyName: name, passkeysLink: publicUrl(deps.config, org, '/account/passkeys'), helpLink: publicUrl(deps.config, org, '/help') });
    return true;
  });
  if (stored === 'too_many') return { ok: false, error: 'too_many' };
  if (!stored) return { ok: false, error: 'already_registered' };
  return { ok: true, passkey: { id, name, addedAt: now, lastUsedAt: null, synced: verified.deviceType === 'multiDevice' } };
}

/** Removes one of the account's passkeys, after a step-up. */
export async function removePasskey(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  proofs: StepUpProofs,
  passkeyId: string,
): Promise<Ok | StepUpFailure | Failure<'unknown_passkey'>> {
  const owned = (await listPasskeys(deps.db, org.tenantId, target.account.id)).some((p) => p.id === passkeyId);
  if (!owned) return { ok: false, error: 'unknown_passkey' };
  const proved = await stepUp(deps, org, client, target, 'remove_passkey', proofs);
  if (!proved.ok) return proved;
  const removed = await deletePasskey(deps.db, org.tenantId, target.account.id, passkeyId);
  if (!removed) return { ok: false, error: 'unknown_passkey' };
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'passkey_removed', outcome: 'success', actorAccountId: target.account.id, subjectAccountId: target.account.id, details: { passkeyId, name: removed.name } });
  return { ok: true };
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
  const taken = await takeChallenge(deps.db, org.tenantId, session.loginId, 'login', now);
  if (!taken) return { ok: false, error: 'no_ceremony' };
  const response = parseJson<AuthenticationResponseJSON>(responseJson);
  const handle: unknown = response?.response?.userHandle;
  if (!response || typeof response.id !== 'string' || !credentialIdPattern.test(response.id) || (handle !== undefined && typeof handle !== 'string')) {
    await refusedAudit(deps, org, client, null, 'invalid_response', null);
    return { ok: false, error: 'refused' };
  }
  // A credential of another organization is no passkey here: its relying party differs, and it is unknown.
  const passkey = await findPasskeyByCredential(deps.db, org.tenantId, response.id);
  if (!passkey) {
    await refusedAudit(deps, org, client, null, 'unknown_credential', response.id);
    return { ok: false, error: 'refused' };
  }
  const account = await findAccountById(deps.db, org.tenantId, passkey.accountId);
  if (!account || account.state !== 'active') {
    await refusedAudit(deps, org, client, passkey.accountId, 'account_not_active', response.id);
    return { ok: false, error: 'refused' };
  }
  const check = await verifyAuthentication(deps.config, org, response, taken.challenge, passkey);
  const handleMatches = !handle || Buffer.from(handle as string, 'base64url').toString('utf8') === account.id;
  if (!check.ok || !handleMatches) {
    await refusedAudit(deps, org, client, account.id, check.ok ? 'user_handle_mismatch' : check.reason, response.id);
    return { ok: false, error: 'refused' };
  }
  // Compare-and-set on the counter: two answers with the same counter, one login.
  if (!(await recordPasskeyUse(deps.db, passkey, check.newCounter, check.backedUp, now))) {
    await refusedAudit(deps, org, client, account.id, 'counter_not_grown', response.id);
    return { ok: false, error: 'refused' };
  }
  const rotated = await rotateSession(deps.db, deps, session, { kind: 'passkey_verified', accountId: account.id });
  if (!rotated) return { ok: false, error: 'no_ceremony' };
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'passkey_used', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { passkeyId: passkey.id, via: 'login' } });
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_succeeded', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { step: 'passkey', via: 'web' } });
  const hasSecondFactor = (await findActiveFactor(deps.db, org.tenantId, account.id)) !== null;
  const standing = deriveStanding({ attempt: { kind: 'web', session: rotated.session }, account, policy: org.policy, now, hasSecondFactor, browserTrusted: false });
  return { ok: true, session: rotated.session, cookieValue: rotated.cookieValue, standing };
}

function parseJson<T>(text: string): T | null {
  if (text.length === 0 || text.length > 64 * 1024) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as T) : null;
  } catch {
    return null;
  }
}
