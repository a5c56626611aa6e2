import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { insertOidcClient, listOidcClients, removeOidcClient, type ClientProblem, type OidcClient } from '../oidc/clients.js';
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
