import type { RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { clientInputProblem, type ClientProblem, type OidcClient } from '../../oidc/clients.js';
import type { Organization } from '../../tenants/organizations.js';
import { registerOpenIdClient, removeOpenIdClient, type NewClientInput } from '../openid-clients.js';
import type { SessionTarget } from '../session-target.js';
import { stepUp, type StepUpFailure, type StepUpProofs } from '../step-up.js';

/**
 * /admin/clients (SPEC 10): an admin registers and removes the applications that log the
 * organization's people in. Each change asks the password and a code (step-up `manage_clients`),
 * after the input itself was found sound, and is audited with who made it.
 */
export async function registerClientAsAdmin(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  proofs: StepUpProofs,
  input: NewClientInput,
): Promise<Ok<{ client: OidcClient; secret: string | null }> | Failure<ClientProblem> | StepUpFailure> {
  const problem = clientInputProblem(input, deps.config.production);
  if (problem) return { ok: false, error: problem };
  const proved = await stepUp(deps, org, client, target, 'manage_clients', proofs);
  if (!proved.ok) return proved;
  return registerOpenIdClient(deps, org, input, { actorAccountId: target.account.id, client });
}

export async function removeClientAsAdmin(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  target: SessionTarget,
  proofs: StepUpProofs,
  clientId: string,
): Promise<Ok | Failure<'unknown_client'> | StepUpFailure> {
  const proved = await stepUp(deps, org, client, target, 'manage_clients', proofs);
  if (!proved.ok) return proved;
  return (await removeOpenIdClient(deps, org, clientId, { actorAccountId: target.account.id, client })) ? { ok: true } : { ok: false, error: 'unknown_client' };
}
