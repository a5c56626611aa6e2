import { searchAccounts } from '../../accounts/accounts.js';
import { listAuditEvents, recordAudit, type RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { queueEmail } from '../../messaging/outbox.js';
import { savePolicy, type Organization } from '../../tenants/organizations.js';
import { applyPolicyChanges, policyKeys, weakenedKeys, type Policy } from '../../tenants/policy.js';
import { publicUrl } from '../../tenants/public-url.js';
import type { SessionTarget } from '../session-target.js';
import { stepUp, type StepUpFailure, type StepUpProofs } from '../step-up.js';

/** The policy as forms and the command line show it: every value as text. */
export function policyAsTexts(policy: Policy): Record<string, string> {
  return Object.fromEntries(Object.entries(policy).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
}

/** Who changes the policy: an admin in a browser session (who proves it first), or the operator's command line. */
export type PolicyChanger = { kind: 'admin'; target: SessionTarget; proofs: StepUpProofs } | { kind: 'operator' };

export type PolicyChangeFailure = Failure<'invalid_policy', { problems: Record<string, string> }> | StepUpFailure;

/**
 * Changes an organization's policy (SPEC 1, 6). Every key is checked on its own, so a form can
 * name each bad field; one bad value refuses the whole change. An admin proves the password, and
 * a code where they have two-step verification, every time (SECURITY 40: a stolen session must not
 * lower the bar for everyone). A change that makes the policy less strict is mailed to every admin.
 * The change is audited with who made it, the keys that changed and their new values.
 */
export async function changeOrganizationPolicy(
  deps: Deps,
  org: Organization,
  by: PolicyChanger,
  client: RequestContext,
  changes: Record<string, string>,
): Promise<Ok<{ policy: Policy; changed: string[]; weakened: string[] }> | PolicyChangeFailure> {
  const problems: Record<string, string> = {};
  for (const [key, value] of Object.entries(changes)) {
    const one = applyPolicyChanges(org.policy, { [key]: value });
    if (!one.ok) problems[key] = one.problem;
  }
  const applied = applyPolicyChanges(org.policy, changes);
  if (!applied.ok) return { ok: false, error: 'invalid_policy', problems: Object.keys(problems).length > 0 ? problems : { [applied.key]: applied.problem } };
  const before = policyAsTexts(org.policy);
  const after = policyAsTexts(applied.policy);
  const changed = policyKeys.filter((key) => key in changes && before[key] !== after[key]);
  if (changed.length === 0) return { ok: true, policy: org.policy, changed, weakened: [] };
  const actor = by.kind === 'admin' ? by.target.account : null;
  if (by.kind === 'admin') {
    const proved = await stepUp(deps, org, client, by.target, 'change_policy', by.proofs);
    if (!proved.ok) return proved;
  }
  const weakened = weakenedKeys(org.policy, applied.policy);
  const admins = weakened.length > 0 ? (await searchAccounts(deps.db, { tenantId: org.tenantId, query: '', roles: ['admin'], limit: 1000 })).filter((a) => a.state === 'active') : [];
  await deps.db.transaction(async (tx) => {
    await savePolicy(tx, org.tenantId, applied.policy);
    await recordAudit(tx, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: 'policy_changed',
      outcome: 'success',
      actorAccountId: actor?.id ?? null,
      details: { via: by.kind, keys: changed.join(','), weakened: weakened.join(','), ...Object.fromEntries(changed.map((k) => [k, after[k]!])) },
    });
    const changedBy = actor ? `${actor.name} <${actor.email}>` : 'the operator';
    const lines = weakened.map((key) => ({ key, from: before[key]!, to: after[key]! }));
    for (const admin of admins) {
      await queueEmail(tx, deps, org, admin, { kind: 'policy_weakened', name: admin.name, changedBy, changes: lines, policyLink: publicUrl(deps.config, org, '/admin/policy') });
    }
  });
  return { ok: true, policy: applied.policy, changed, weakened };
}

export interface PolicyChangeRecord {
  at: Date;
  by: string | null;
  via: string;
  changes: { key: string; to: string }[];
  weakened: string[];
}

/** `/admin/policy` says what changed, when and by whom: the latest changes from the audit trail. */
export async function listPolicyChanges(deps: Deps, org: Organization): Promise<PolicyChangeRecord[]> {
  const events = await listAuditEvents(deps.db, { tenantId: org.tenantId, event: 'policy_changed', limit: 20 });
  return events.map((event) => {
    const details = event.details as Record<string, unknown>;
    const keys = String(details.keys ?? '').split(',').filter(Boolean);
    return {
      at: event.occurredAt,
      by: event.actorEmail,
      via: String(details.via ?? ''),
      changes: keys.map((key) => ({ key, to: details[key] === undefined ? '' : String(details[key]) })),
      weakened: String(details.weakened ?? '').split(',').filter(Boolean),
    };
  });
}
