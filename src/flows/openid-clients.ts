import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { findOidcClient, insertOidcClient, listOidcClients, removeOidcClient, type ClientProblem, type OidcClient } from '../oidc/clients.js';
import { listRefreshTokenHolders, revokeAccountClient } from '../oidc/payload-store.js';
import { rotateSigningKeys } from '../oidc/signing-keys.js';
import type { Organization } from '../tenants/organizations.js';

export interface NewClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  public: boolean;
  firstParty: boolean;
  offlineAccess: boolean;
}

/** Who registers or removes a client: an admin on /admin/clients, or the operator (no account, no request). */
export interface ClientChangeBy {
  actorAccountId: string | null;
  client: RequestContext;
}

const operator: ClientChangeBy = { actorAccountId: null, client: { ip: null, userAgent: null, requestId: null } };

/** Registers an application of the organization's platform (SPEC 10), audited; a confidential one's secret is returned this once. */
export async function registerOpenIdClient(
  deps: Deps,
  org: Organization,
  input: NewClientInput,
  by: ClientChangeBy = operator,
): Promise<Ok<{ client: OidcClient; secret: string | null }> | Failure<ClientProblem>> {
  return deps.db.transaction(async (tx) => {
    const made = await insertOidcClient(tx, { random: deps.random, secretKey: deps.config.secretKey, now: deps.clock.now(), production: deps.config.production }, {
      tenantId: org.tenantId,
      name: input.name,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris,
      backchannelLogoutUri: input.backchannelLogoutUri,
      confidential: !input.public,
      firstParty: input.firstParty,
      offlineAccess: input.offlineAccess,
    });
    if (!made.ok) return made;
    const { client } = made;
    await recordAudit(tx, deps.clock.now(), by.client, {
      tenantId: org.tenantId,
      event: 'oidc_client_registered',
      outcome: 'success',
      actorAccountId: by.actorAccountId,
      details: { clientId: client.clientId, name: client.name, redirectUris: client.redirectUris.join(' '), confidential: client.confidential, firstParty: client.firstParty, offlineAccess: client.offlineAccess, backchannelLogoutUri: client.backchannelLogoutUri },
    });
    return made;
  });
}

/** The organization's clients, never a secret. */
export function listOpenIdClients(deps: Deps, org: Organization): Promise<OidcClient[]> {
  return listOidcClients(deps.db, org.tenantId);
}

/** One client of the organization, never its secret; null if there is none. */
export async function findOpenIdClient(deps: Deps, org: Organization, clientId: string): Promise<OidcClient | null> {
  const found = await findOidcClient(deps.db, org.tenantId, clientId);
  if (!found) return null;
  const { secretDigest: _secret, ...client } = found;
  return client;
}

/** Removes a client with everything the provider kept for it, audited; false if there is no such client. */
export async function removeOpenIdClient(deps: Deps, org: Organization, clientId: string, by: ClientChangeBy = operator): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const removed = await removeOidcClient(tx, org.tenantId, clientId, deps.clock.now());
    if (removed) await recordAudit(tx, deps.clock.now(), by.client, { tenantId: org.tenantId, event: 'oidc_client_removed', outcome: 'success', actorAccountId: by.actorAccountId, details: { clientId } });
    return removed;
  });
}

/** A new signing key for the organization's issuer; running servers take it up within minutes (flows/openid.ts). */
export function rotateOpenIdKeys(deps: Deps, org: Organization): Promise<string> {
  return rotateSigningKeys(deps.db, deps.config.secretKey, org.tenantId, deps.clock.now());
}

/** The user's devices page: the applications that can act for them without a login (a refresh token). */
export async function applicationsOf(deps: Deps, org: Organization, account: Account): Promise<{ clientId: string; name: string; since: Date }[]> {
  const holders = await listRefreshTokenHolders(deps.db, org.tenantId, account.id, deps.clock.now());
  const clients = new Map((await listOidcClients(deps.db, org.tenantId)).map((c) => [c.clientId, c.name]));
  return holders.filter((h) => clients.has(h.clientId)).map((h) => ({ clientId: h.clientId, name: clients.get(h.clientId)!, since: h.since }));
}

/** "Revoke": the application loses every grant and token of this user, at once (audited). */
export async function revokeApplication(deps: Deps, org: Organization, client: RequestContext, account: Account, clientId: string): Promise<boolean> {
  const removed = await revokeAccountClient(deps.db, org.tenantId, account.id, clientId);
  if (removed === 0) return false;
  await recordAudit(deps.db, deps.clock.now(), client, { tenantId: org.tenantId, event: 'oidc_token_revoked', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { clientId, via: 'devices_page', removed } });
  return true;
}
