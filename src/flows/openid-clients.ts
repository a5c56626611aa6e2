import type { Account } from '../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { insertOidcClient, listOidcClients, removeOidcClient, type ClientProblem, type OidcClient } from '../oidc/clients.js';
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

/** Registers an application of the organization's platform (SPEC 10); a confidential one's secret is returned this once. */
export async function registerOpenIdClient(deps: Deps, org: Organization, input: NewClientInput): Promise<Ok<{ client: OidcClient; secret: string | null }> | Failure<ClientProblem>> {
  return insertOidcClient(deps.db, { random: deps.random, secretKey: deps.config.secretKey, now: deps.clock.now() }, {
    tenantId: org.tenantId,
    name: input.name,
    redirectUris: input.redirectUris,
    postLogoutRedirectUris: input.postLogoutRedirectUris,
    backchannelLogoutUri: input.backchannelLogoutUri,
    confidential: !input.public,
    firstParty: input.firstParty,
    offlineAccess: input.offlineAccess,
  });
}

/** The organization's clients, never a secret. */
export function listOpenIdClients(deps: Deps, org: Organization): Promise<OidcClient[]> {
  return listOidcClients(deps.db, org.tenantId);
}

/** Removes a client with everything the provider kept for it; false if there is no such client. */
export function removeOpenIdClient(deps: Deps, org: Organization, clientId: string): Promise<boolean> {
  return removeOidcClient(deps.db, org.tenantId, clientId, deps.clock.now());
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
