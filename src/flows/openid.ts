import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { noteThrottled } from '../audit/throttled.js';
import { clientIpKey, hitRateLimit } from '../core/rate-limit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { countPasskeys } from '../factors/passkey/store.js';
import { findHeldSecondStep, findSecondStep, hasSecondStep, passkeyCountsFor } from '../factors/second-step.js';
import { findOidcClient } from '../oidc/clients.js';
import type { SessionTarget } from './session-target.js';
import { stepUp, type StepUpFailure, type StepUpProofs, type StepUpView } from './step-up.js';
import { endProviderSessions } from '../oidc/payload-store.js';
import { acrValues, createOrganizationProvider, deliverLogoutToken, issuerOf, providerRequests, type ProviderRequest } from '../oidc/provider.js';
import type { WebSession } from '../sessions/web-sessions.js';
import type { Organization } from '../tenants/organizations.js';
import { twoFactorRequirementFor } from '../tenants/policy.js';
import { offeredMethods } from './two-factor-setup.js';

/**
 * The OpenID Connect provider of each organization (SPEC 10) as one more surface on Ingang's login
 * journey: the provider asks "who is this?", the web surface's own login answers, and this hands
 * the answer over. One provider per organization and app, made on first use.
 */
type Made = { provider: Provider; callback: ReturnType<Provider['callback']> };
const providers = new WeakMap<Deps, Map<string, { made: Promise<Made>; at: number }>>();

/**
 * A provider is rebuilt after this long, so that every instance takes up a new signing key, a
 * changed policy or host within minutes (its state is all in the database; nothing is lost).
 */
const providerLifetimeMs = 5 * 60_000;

function providerOf(deps: Deps, org: Organization): Promise<Made> {
  let byOrg = providers.get(deps);
  if (!byOrg) providers.set(deps, (byOrg = new Map()));
  const cached = byOrg.get(org.tenantId);
  if (cached && Date.now() - cached.at < providerLifetimeMs) return cached.made;
  const made = createOrganizationProvider(deps, org).then((provider) => ({ provider, callback: provider.callback() }));
  // A failure (the database away) must not stay cached.
  made.catch(() => byOrg.delete(org.tenantId));
  byOrg.set(org.tenantId, { made, at: Date.now() });
  return made;
}

/** Hands a request for `/oidc/…` or discovery to the organization's provider, which answers it. */
/** The organization's issuer (SPEC 10): the URL every address the provider writes starts with. */
export const openIdIssuer = (deps: Deps, org: Organization): URL => new URL(issuerOf(deps.config, org));

/**
 * SECURITY 37 for the provider: every authorization request of a browser that is not logged in
 * writes an interaction, so those are counted per network before the provider sees them.
 */
export const anonymousAuthorizationLimit = { limit: 100, windowSeconds: 10 * 60 };
/** A logged-in browser's requests write interactions too (`prompt=login`): counted per account, more generously. */
export const accountAuthorizationLimit = { limit: 300, windowSeconds: 10 * 60 };

export async function serveOpenIdRequest(deps: Deps, org: Organization, request: IncomingMessage, response: ServerResponse, about: ProviderRequest): Promise<void> {
  if (/^\/oidc\/auth\/?(\?|$)/i.test(request.url ?? '')) {
    const now = deps.clock.now();
    const hit = about.login
      ? await hitRateLimit(deps.db, org.tenantId, `oidc_auth_account:${about.login.accountId}`, accountAuthorizationLimit, now)
      : await hitRateLimit(deps.db, org.tenantId, `oidc_auth_net:${clientIpKey(about.ip)}`, anonymousAuthorizationLimit, now);
    if (!hit.allowed) {
      await noteThrottled(deps.db, now, org.tenantId, { ip: about.ip, userAgent: request.headers['user-agent'] ?? null, requestId: null }, { event: 'requests_throttled', request: 'oidc_authorization', scope: 'network' });
      response.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(hit.retryAfterSeconds) });
      response.end(JSON.stringify({ error: 'rate_limited', error_description: 'too many login requests from this network; try again later' }));
      return;
    }
  }
  const { callback } = await providerOf(deps, org);
  providerRequests.set(request, about);
  await callback(request, response);
}

/** One back-channel logout token to one application, now (the job of flows/openid-logout.ts). */
export async function sendLogoutToken(deps: Deps, org: Organization, clientId: string, accountId: string, sid: string): Promise<void> {
  const { provider } = await providerOf(deps, org);
  await deliverLogoutToken(provider, clientId, accountId, sid);
}

/** What the page asks before the application gets its answer: a login again, or the code. */
/** What a page asks again, as a step-up form shows it (a passkey proves both, SPEC 11). */
export interface AskAgain extends StepUpView {
  uid: string;
  clientName: string;
}

export type InteractionOutcome =
  | Ok<{ redirect: string }>
  | Ok<{ consent: { uid: string; clientName: string; scopes: string[] } }>
  | Ok<{ askAgain: AskAgain }>
  /** Two steps asked of an account without a second factor, where the org lets it set one up: that first, then back here. */
  | Ok<{ setUpSecondFactor: { returnTo: string } }>
  | Failure<'interaction_unknown'>
  | (StepUpFailure & { askAgain: AskAgain });

export type InteractionDecision = { kind: 'none' } | { kind: 'allow' } | { kind: 'deny' } | { kind: 'prove'; proofs: StepUpProofs };

/** What this session proved, in SPEC 10's words: acr, amr (RFC 8176) and when. */
async function proofOf(deps: Deps, org: Organization, account: Account, session: WebSession) {
  const codeAt = session.secondFactorVerifiedAt;
  const passwordAt = session.passwordVerifiedAt ?? session.authenticatedAt ?? session.createdAt;
  // A passkey with user verification (SPEC 11): both steps at once, `hwk` and `user` (RFC 8176),
  // unless a later password or code proof (a step-up) is the newest.
  const passkeyAt = session.passkeyVerifiedAt;
  if (passkeyAt && passkeyAt.getTime() >= passwordAt.getTime() && (!codeAt || passkeyAt.getTime() >= codeAt.getTime())) {
    return { acr: acrValues.twoFactor, amr: ['hwk', 'user'], ts: Math.floor(passkeyAt.getTime() / 1000) };
  }
  // The passkey login's second step is no code: a password proven again after it (a login asked
  // again) is the password alone, not two steps with a code.
  if (passkeyAt && codeAt && codeAt.getTime() === passkeyAt.getTime()) return { acr: acrValues.password, amr: ['pwd'], ts: Math.floor(passwordAt.getTime() / 1000) };
  if (!codeAt) return { acr: acrValues.password, amr: ['pwd'], ts: Math.floor(passwordAt.getTime() / 1000) };
  const factor = (await findSecondStep(deps.db, org, account)).factor;
  const method = factor?.method === 'sms' ? 'sms' : 'otp';
  const last = Math.max(passwordAt.getTime(), codeAt.getTime());
  return { acr: acrValues.twoFactor, amr: ['pwd', method, 'mfa'], ts: Math.floor(last / 1000) };
}

const freshLoginSeconds = 60;

/**
 * Whether the application's request asks more than this session proved: `prompt=login` a proof
 * made for it, `max_age` one younger than that, `acr_values=urn:ingang:acr:2fa` a code.
 * Null when the session's proofs will do; `unmet` when a code is asked of an account without one.
 */
async function whatToAskAgain(
  deps: Deps,
  org: Organization,
  target: SessionTarget,
  details: Awaited<ReturnType<Provider['interactionDetails']>>,
  clientName: string,
): Promise<AskAgain | 'set_up' | 'unmet' | null> {
  const reasons = details.prompt.reasons;
  const proof = await proofOf(deps, org, target.account, target.session);
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  const maxAge = details.params.max_age === undefined ? null : Number(details.params.max_age);
  // `prompt=login`: a proof of the last minute is the login just made for this very request (the
  // user arrived logged out and was sent through the login first); an older one is asked again.
  const loginAgain = (reasons.includes('login_prompt') && now - proof.ts > freshLoginSeconds) || (maxAge !== null && Number.isFinite(maxAge) && now - proof.ts > maxAge);
  const codeWanted = String(details.params.acr_values ?? '').split(' ').includes(acrValues.twoFactor) && proof.acr !== acrValues.twoFactor;
  if (!loginAgain && !codeWanted) return null;
  const inForce = hasSecondStep(await findSecondStep(deps.db, org, target.account));
  // What a step-up asks (step-up.ts): any factor the account holds.
  const step = await findHeldSecondStep(deps.db, org, target.account);
  // A login asked again comes first: setting up a factor is no proof of who sits at the browser.
  if (codeWanted && !inForce && !loginAgain) {
    // SPEC 10: led to set it up where the organization lets this role have it; else the application is told.
    const role = target.account.role;
    const allowed = twoFactorRequirementFor(org.policy, role) !== 'off' && (offeredMethods(deps, org, role).length > 0 || passkeyCountsFor(org.policy, role));
    return allowed ? 'set_up' : 'unmet';
  }
  const passkey = (await countPasskeys(deps.db, org.tenantId, target.account.id)) > 0;
  return { uid: details.uid, clientName, password: loginAgain, code: hasSecondStep(step), codeMethod: step.factor?.method ?? null, passkey, passkeyOnly: hasSecondStep(step) && step.factor === null };
}

/**
 * The logged-in user arrives at the interaction of a relying application: the login is handed
 * over, with what it proved; a first-party client's scopes are granted at once, another's are asked
 * on a consent page first.
 */
export async function continueOpenIdInteraction(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  raw: { request: IncomingMessage; response: ServerResponse },
  uid: string,
  decision: InteractionDecision = { kind: 'none' },
): Promise<InteractionOutcome> {
  const { provider } = await providerOf(deps, org);
  const details = await provider.interactionDetails(raw.request, raw.response).catch(() => null);
  if (!details || details.uid !== uid) return { ok: false, error: 'interaction_unknown' };
  const clientId = String(details.params.client_id ?? '');
  const registered = await findOidcClient(deps.db, org.tenantId, clientId);
  if (!registered) return { ok: false, error: 'interaction_unknown' };
  // offline_access (a refresh token) only for a client allowed it (SPEC 10).
  const scopes = String(details.params.scope ?? 'openid')
    .split(' ')
    .filter((scope) => scope !== '' && (scope !== 'offline_access' || registered.offlineAccess));
  if (decision.kind === 'deny') {
    const redirect = await provider.interactionResult(raw.request, raw.response, { error: 'access_denied', error_description: 'the user did not allow it' }, { mergeWithLastSubmission: false });
    return { ok: true, redirect };
  }
  // The provider session is another account's (one logged out, another logged in, in this
  // browser): it ends, and this login starts a provider session of its own.
  if (details.session?.accountId && details.session.accountId !== target.account.id) {
    await endProviderSessions(deps.db, org.tenantId, [details.session.uid]);
    delete details.session;
    await details.save(Math.max(1, details.exp - Math.floor(Date.now() / 1000)));
  }
  let session = target.session;
  if (details.prompt.name === 'login') {
    const asked = await whatToAskAgain(deps, org, target, details, registered.name);
    // Asked for two steps of an account with no second factor in force (SPEC 10): set one up, or the application is told.
    const setUpOrRefuse = async (what: 'set_up' | 'unmet'): Promise<InteractionOutcome> =>
      what === 'set_up'
        ? { ok: true, setUpSecondFactor: { returnTo: `/oidc/interaction/${uid}` } }
        : { ok: true, redirect: await provider.interactionResult(raw.request, raw.response, { error: 'unmet_authentication_requirements', error_description: 'this account has no second factor in force' }, { mergeWithLastSubmission: false }) };
    if (asked === 'set_up' || asked === 'unmet') return setUpOrRefuse(asked);
    if (asked) {
      if (decision.kind !== 'prove') return { ok: true, askAgain: asked };
      const proved = await stepUp(deps, org, client, target, asked.password ? 'openid_login_again' : 'openid_second_factor', decision.proofs);
      if (!proved.ok) return { ...proved, askAgain: asked };
      session = proved.session;
      // The login proven again, two steps may still be asked of an account without a factor.
      const still = await whatToAskAgain(deps, org, { ...target, session }, details, registered.name);
      if (still === 'set_up' || still === 'unmet') return setUpOrRefuse(still);
    }
  }
  // The scopes are granted here for a first-party client, or once the user allowed them on the
  // consent page (the provider asks for consent whenever its grant lacks a requested scope).
  const consenting = details.prompt.name === 'consent';
  if (consenting && !registered.firstParty && decision.kind !== 'allow') return { ok: true, consent: { uid, clientName: registered.name, scopes } };
  // Only a grant of this very account and client is added to (a provider session ended above
  // may have named another account's).
  const found = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const existing = found && found.accountId === target.account.id && found.clientId === clientId ? found : undefined;
  let grantId = existing ? details.grantId : undefined;
  if (consenting || registered.firstParty) {
    const grant = existing ?? new provider.Grant({ accountId: target.account.id, clientId });
    grant.addOIDCScope(scopes.join(' '));
    const isNew = !existing;
    grantId = await grant.save();
    if (isNew || consenting) {
      await recordAudit(deps.db, deps.clock.now(), client, {
        tenantId: org.tenantId,
        event: 'oidc_consent_given',
        outcome: 'success',
        actorAccountId: target.account.id,
        subjectAccountId: target.account.id,
        details: { clientId, scopes: scopes.join(' '), firstParty: registered.firstParty },
      });
    }
  }
  const proof = await proofOf(deps, org, target.account, session);
  const login = { accountId: target.account.id, acr: proof.acr, amr: proof.amr, ts: proof.ts, remember: false };
  const redirect = await provider.interactionResult(raw.request, raw.response, { login, ...(grantId ? { consent: { grantId } } : {}) }, { mergeWithLastSubmission: false });
  return { ok: true, redirect };
}
