import { recordAudit, noRequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import type { Locale } from '../../core/locale.js';
import { countOrganizations, createOrganization, findOrganizationBySlug, listOrganizations, type CreateOrganizationError, type Organization } from '../../tenants/organizations.js';
import { publicUrl } from '../../tenants/public-url.js';

/**
 * The operator's organization commands (SPEC 9): the command line is the only way an
 * organization comes to be, and its creation is audited in its own trail.
 */
export async function createOrganizationAsOperator(
  deps: Deps,
  input: { slug: string; name: string; hostnames: string[]; defaultLocale: Locale; helpdeskContact: string },
): Promise<Ok<{ organization: Organization; address: string }> | Failure<CreateOrganizationError, { detail?: string }>> {
  const created = await createOrganization(deps.db, deps, input);
  if (!created.ok) return created;
  const org = created.organization;
  await recordAudit(deps.db, deps.clock.now(), noRequestContext, { tenantId: org.tenantId, event: 'organization_created', outcome: 'success', details: { via: 'operator' } });
  return { ok: true, organization: org, address: publicUrl(deps.config, org, '/') };
}

/** Every organization with the address its links use. */
export async function listOrganizationAddresses(deps: Deps): Promise<{ organization: Organization; address: string }[]> {
  return (await listOrganizations(deps.db)).map((organization) => ({ organization, address: publicUrl(deps.config, organization, '/') }));
}

export function findOrganization(deps: Deps, slug: string): Promise<Organization | null> {
  return findOrganizationBySlug(deps.db, slug);
}

/** Whether any organization exists yet (the demo start makes one only on an empty database). */
export async function hasAnyOrganization(deps: Deps): Promise<boolean> {
  return (await countOrganizations(deps.db)) > 0;
}
