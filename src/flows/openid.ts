import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { findFactorInForce } from '../factors/second-factor/store.js';
import { findOidcClient } from '../oidc/clients.js';
import { acrValues, createOrganizationProvider } from '../oidc/provider.js';
import type { WebSession } from '../sessions/web-sessions.js';
import type { Organization } from '../tenants/organizations.js';

/**
 * The OpenID Connect provider of each organization (SPEC 10) as one more surface on Ingang's login
 * journey: the provider asks "who is this?", the web surface's own login answers, and this hands
 * the answer over. One provider per organization and app, made on first use.
 */
const providers = new WeakMap<Deps, Map<string, Promise<{ provider: Provider; callback: ReturnType<Provider['callback']> }>>>();

function providerOf(deps: Deps, org: Organization) {
  let byOrg = providers.get(deps);
  if (!byOrg) providers.set(deps, (byOrg = new Map()));
  let made = byOrg.get(org.tenantId);
  if (!made) {
    made = createOrganizationProvider(deps, org).then((provider) => ({ provider, callback: provider.callback() }));
    // A failure (the database away) must not stay cached.
    made.catch(() => byOrg.delete(org.tenantId));
    byOrg.set(org.tenantId, made);
  }
  return made;
}

/** Hands a request for `/oidc/…` or discovery to the organization's provider, which answers it. */
export async function serveOpenIdRequest(deps: Deps, org: Organization, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { callback } = await providerOf(deps, org);
  await callback(request, response);
}

export type InteractionOutcome =
  | Ok<{ redirect: string }>
  | Ok<{ consent: { uid: string; clientName: string; scopes: string[] } }>
  | Failure<'interaction_unknown'>;

/** What this session proved, in SPEC 10's words: acr, amr (RFC 8176) and when. */
async function proofOf(deps: Deps, org: Organization, account: Account, session: WebSession) {
  const codeAt = session.secondFactorVerifiedAt;
  const passwordAt = session.passwordVerifiedAt ?? session.authenticatedAt ?? session.createdAt;
  if (!codeAt) return { acr: acrValues.password, amr: ['pwd'], ts: Math.floor(passwordAt.getTime() / 1000) };
  const factor = await findFactorInForce(deps.db, org, account);
  const method = factor?.method === 'sms' ? 'sms' : 'otp';
  const last = Math.max(passwordAt.getTime(), codeAt.getTime());
  return { acr: acrValues.twoFactor, amr: ['pwd', method, 'mfa'], ts: Math.floor(last / 1000) };
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
  target: { account: Account; session: WebSession },
  raw: { request: IncomingMessage; response: ServerResponse },
  uid: string,
  decision: 'none' | 'allow' | 'deny' = 'none',
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
  if (decision === 'deny') {
    const redirect = await provider.interactionResult(raw.request, raw.response, { error: 'access_denied', error_description: 'the user did not allow it' }, { mergeWithLastSubmission: false });
    return { ok: true, redirect };
  }
  if (!registered.firstParty && decision !== 'allow') return { ok: true, consent: { uid, clientName: registered.name, scopes } };

  const grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const granting = grant ?? new provider.Grant({ accountId: target.account.id, clientId });
  granting.addOIDCScope(scopes.join(' '));
  const grantId = await granting.save();
  if (!details.grantId) {
    await recordAudit(deps.db, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: 'oidc_consent_given',
      outcome: 'success',
      actorAccountId: target.account.id,
      subjectAccountId: target.account.id,
      details: { clientId, scopes: scopes.join(' '), firstParty: registered.firstParty },
    });
  }
  const proof = await proofOf(deps, org, target.account, target.session);
  const redirect = await provider.interactionResult(
    raw.request,
    raw.response,
    { login: { accountId: target.account.id, acr: proof.acr, amr: proof.amr, ts: proof.ts, remember: false }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  return { ok: true, redirect };
}
