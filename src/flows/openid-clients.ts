import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { insertOidcClient, listOidcClients, type ClientProblem, type OidcClient } from '../oidc/clients.js';
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
