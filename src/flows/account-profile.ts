import { updateProfile, type Account } from '../accounts/accounts.js';
import { validName } from '../accounts/name.js';
import { listAuditEvents, recordAudit, type AuditRecord, type RequestContext } from '../audit/audit.js';
import type { Failure, Ok } from '../core/outcome.js';
import type { Deps } from '../deps.js';
import { isLocale } from '../core/locale.js';
import type { Organization } from '../tenants/organizations.js';

export type ProfileProblem = 'invalid_name' | 'invalid_locale';

/** `/account`: the user's own name and language (SPEC 4.7); each problem names its field. */
export async function updateOwnProfile(
  deps: Deps,
  org: Organization,
  client: RequestContext,
  account: Account,
  input: { name: string; locale: string },
): Promise<Ok | Failure<'invalid_profile', { problems: Partial<Record<'name' | 'locale', ProfileProblem>> }>> {
  const name = input.name.trim();
  const problems: Partial<Record<'name' | 'locale', ProfileProblem>> = {};
  if (validName(name) === null) problems.name = 'invalid_name';
  if (!isLocale(input.locale)) problems.locale = 'invalid_locale';
  if (Object.keys(problems).length > 0 || !isLocale(input.locale)) return { ok: false, error: 'invalid_profile', problems };
  const locale = input.locale;
  await deps.db.transaction(async (tx) => {
    await updateProfile(tx, org.tenantId, account.id, { name, locale });
    await recordAudit(tx, deps.clock.now(), client, { tenantId: org.tenantId, event: 'profile_updated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { locale } });
  });
  return { ok: true };
}

/** `/account/activity` (SPEC 4.7): the user's own security events, newest first. */
export function listOwnActivity(deps: Deps, org: Organization, account: Account): Promise<AuditRecord[]> {
  return listAuditEvents(deps.db, { tenantId: org.tenantId, subjectAccountId: account.id, limit: 100 });
}
