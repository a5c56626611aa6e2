import type { Account } from '../../accounts/accounts.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { savePolicy, type Organization } from '../../tenants/organizations.js';
import { applyPolicyChanges, type Policy } from '../../tenants/policy.js';

/** The policy as forms and the command line show it: every value as text. */
export function policyAsTexts(policy: Policy): Record<string, string> {
  return Object.fromEntries(Object.entries(policy).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
}

/**
 * Changes an organization's policy (SPEC 1), on `/admin/policy` or by the operator (`actor`
 * null). Every key is checked on its own, so a form can name each bad field; one bad value
 * refuses the whole change. The change is audited with the keys that changed and their new values.
 */
export async function changeOrganizationPolicy(
  deps: Deps,
  org: Organization,
  actor: Account | null,
  client: RequestContext,
  changes: Record<string, string>,
): Promise<Ok<{ policy: Policy; changed: string[] }> | Failure<'invalid_policy', { problems: Record<string, string> }>> {
  const problems: Record<string, string> = {};
  for (const [key, value] of Object.entries(changes)) {
    const one = applyPolicyChanges(org.policy, { [key]: value });
    if (!one.ok) problems[key] = one.problem;
  }
  const applied = applyPolicyChanges(org.policy, changes);
  if (!applied.ok) return { ok: false, error: 'invalid_policy', problems: Object.keys(problems).length > 0 ? problems : { [applied.key]: applied.problem } };
  const before = policyAsTexts(org.policy);
  const after = policyAsTexts(applied.policy);
  const changed = Object.keys(changes).filter((key) => before[key] !== after[key]);
  await deps.db.transaction(async (tx) => {
    await savePolicy(tx, org.tenantId, applied.policy);
    await recordAudit(tx, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: 'policy_changed',
      outcome: 'success',
      actorAccountId: actor?.id ?? null,
      details: { via: actor ? 'admin' : 'operator', keys: changed.join(','), ...Object.fromEntries(changed.map((k) => [k, after[k]!])) },
    });
  });
  return { ok: true, policy: applied.policy, changed };
}
