import { searchAccounts, setAccountState, type Account } from '../../accounts/accounts.js';
import { clearCodeFailures, clearFailedLogins } from '../../accounts/failure-counters.js';
import { voidAccountTokens } from '../../accounts/link-tokens.js';
import { canAdministerAccounts } from '../../accounts/roles.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Queryable } from '../../db/db.js';
import type { Deps } from '../../deps.js';
import { isLocked, lockedUntil } from '../../factors/password/lockout.js';
import { findActiveFactor } from '../../factors/second-factor/store.js';
import { queueEmail } from '../../messaging/outbox.js';
import { deleteAccountSessions } from '../../sessions/web-sessions.js';
import type { Organization } from '../../tenants/organizations.js';
import { publicUrl } from '../../tenants/public-url.js';
import { endOpenIdAccess } from '../openid-logout.js';
import { deleteAccountPasskeys, listPasskeys } from '../../factors/passkey/store.js';
import { endAppAccess, removeSecondFactors } from '../end-access.js';
import { sendPasswordReset } from '../password-reset.js';
import { sendWelcome } from '../welcome.js';
import { findManagedAccount, visibleRoles } from './scope.js';

export type StaffAction = 'resend_welcome' | 'unlock' | 'deactivate' | 'reactivate' | 'send_reset' | 'reset_two_factor';

/** `/staff/accounts`: the accounts this staff member may see, matching the search (SPEC 6). */
export function listManagedAccounts(deps: Deps, org: Organization, actor: Account, query: string): Promise<Account[]> {
  return searchAccounts(deps.db, {
    tenantId: org.tenantId,
    query: query.slice(0, 200),
    roles: visibleRoles(actor),
    clientsOf: actor.role === 'professional' ? actor.id : undefined,
    limit: 100,
  });
}

export interface ManagedAccountView {
  subject: Account;
  secondFactor: 'totp' | 'sms' | null;
  lockedUntil: Date | null;
  actions: StaffAction[];
}

/**
 * One account as a staff member sees it, with the actions they may take on it now. Anything they
 * may not see, another org's id included, is `not_found`, so every staff route answers it with the
 * same 404 (SECURITY 28).
 */
export async function viewManagedAccount(deps: Deps, org: Organization, actor: Account, id: string): Promise<Ok<ManagedAccountView> | Failure<'not_found'>> {
  const subject = await findManagedAccount(deps.db, actor, id);
  if (!subject) return { ok: false, error: 'not_found' };
  const factor = await findActiveFactor(deps.db, org.tenantId, subject.id);
  const until = isLocked(subject, deps.clock.now()) ? lockedUntil(subject) : null;
  // SPEC 11: a passkey is something a lost phone may hold too: the reset removes passkeys as well.
  const hasPasskeys = (await listPasskeys(deps.db, org.tenantId, subject.id)).length > 0;
  return { ok: true, subject, secondFactor: factor?.method ?? null, lockedUntil: until, actions: availableActions(actor, subject, factor !== null || hasPasskeys) };
}

/** The actions a staff member may take on this account now (SPEC 6). */
function availableActions(actor: Account, subject: Account, hasSecondFactor: boolean): StaffAction[] {
  const actions: StaffAction[] = [];
  if (subject.state === 'invited') actions.push('resend_welcome');
  // SPEC 4.6: a professional (for their clients), helpdesk or admin resets a lost second factor.
  if (hasSecondFactor && subject.id !== actor.id) actions.push('reset_two_factor');
  if (!canAdministerAccounts(actor.role)) return actions;
  if (subject.state === 'active') actions.push('send_reset');
  if (subject.failedLoginCount > 0) actions.push('unlock');
  if (subject.state === 'deactivated') actions.push('reactivate');
  else if (subject.id !== actor.id) actions.push('deactivate');
  return actions;
}

/** A refused action keeps the account as the staff member sees it now, for the form to show again. */
export type StaffActionFailure = Failure<'not_found'> | Failure<'action_not_available' | 'reason_required' | 'not_applicable', { view: ManagedAccountView }>;

/**
 * The helpdesk's account actions (SPEC 6), each audited with actor, subject and reason. The
 * actor must be allowed this action on this account now; every action but resending a welcome mail
 * asks a reason. Each runs in one transaction.
 */
export async function performStaffAction(
  deps: Deps,
  org: Organization,
  actor: Account,
  client: RequestContext,
  input: { subjectId: string; action: string; reason: string },
): Promise<Ok<{ action: StaffAction; subject: Account }> | StaffActionFailure> {
  const view = await viewManagedAccount(deps, org, actor, input.subjectId);
  if (!view.ok) return view;
  const action = view.actions.find((a) => a === input.action);
  if (!action) return { ok: false, error: 'action_not_available', view };
  const reason = input.reason.trim().slice(0, 1000);
  if (action !== 'resend_welcome' && reason.length === 0) return { ok: false, error: 'reason_required', view };
  const subject = view.subject;
  const done = await deps.db.transaction((tx) => applyAction(tx, deps, org, { actor, subject, client, action, reason }));
  if (done) return { ok: true, action, subject };
  const now = await viewManagedAccount(deps, org, actor, subject.id);
  return now.ok ? { ok: false, error: 'not_applicable', view: now } : now;
}

async function applyAction(
  tx: Queryable,
  deps: Deps,
  org: Organization,
  by: { actor: Account; subject: Account; client: RequestContext; action: StaffAction; reason: string },
): Promise<boolean> {
  const { actor, subject, client, reason } = by;
  const now = deps.clock.now();
  const audit = { tenantId: org.tenantId, outcome: 'success' as const, actorAccountId: actor.id, subjectAccountId: subject.id, details: { reason } };
  switch (by.action) {
    case 'resend_welcome':
      if (subject.state !== 'invited') return false;
      await sendWelcome(tx, deps, org, subject, { actorAccountId: actor.id, client, reason });
      return true;
    case 'unlock':
      await clearFailedLogins(tx, org.tenantId, subject.id);
      await recordAudit(tx, now, client, { ...audit, event: 'account_unlocked' });
      return true;
    case 'deactivate': {
      if (subject.id === actor.id || !(await setAccountState(tx, org.tenantId, subject.id, subject.state === 'invited' ? 'invited' : 'active', 'deactivated'))) return false;
      const endedSessions = await deleteAccountSessions(tx, org.tenantId, subject.id);
      const removedDevices = await endAppAccess(tx, org.tenantId, subject.id, 'deactivated', now);
      await endOpenIdAccess(tx, deps, org, subject.id);
      await voidAccountTokens(tx, org.tenantId, subject.id, now);
      await recordAudit(tx, now, client, { ...audit, event: 'account_deactivated', details: { reason, endedSessions, removedDevices } });
      return true;
    }
    case 'reactivate':
      if (!(await setAccountState(tx, org.tenantId, subject.id, 'deactivated', subject.passwordHash ? 'active' : 'invited'))) return false;
      await recordAudit(tx, now, client, { ...audit, event: 'account_reactivated' });
      return true;
    case 'send_reset':
      if (subject.state !== 'active') return false;
      await sendPasswordReset(tx, deps, org, subject, client, { actorAccountId: actor.id, reason });
      return true;
    case 'reset_two_factor':
      if (subject.id === actor.id) return false;
      await resetTwoFactorByStaff(tx, deps, org, by);
      return true;
  }
}

/**
 * "Lost phone" (SPEC 4.6): staff remove the user's factors, recovery codes, trusted browsers,
 * sessions and app devices, in the action's transaction, audited with both people and the
 * reason; the user is mailed. Staff never see a secret.
 */
async function resetTwoFactorByStaff(tx: Queryable, deps: Deps, org: Organization, by: { actor: Account; subject: Account; client: RequestContext; reason: string }): Promise<void> {
  const { actor, subject, client, reason } = by;
  const now = deps.clock.now();
  await removeSecondFactors(tx, org.tenantId, subject.id);
  // SPEC 11: the passkeys go too (a lost phone may hold one).
  const removedPasskeys = await deleteAccountPasskeys(tx, org.tenantId, subject.id);
  await clearCodeFailures(tx, org.tenantId, subject.id);
  const endedSessions = await deleteAccountSessions(tx, org.tenantId, subject.id);
  await endAppAccess(tx, org.tenantId, subject.id, 'two_factor_reset_by_staff', now);
  await endOpenIdAccess(tx, deps, org, subject.id);
  await recordAudit(tx, now, client, {
    tenantId: org.tenantId,
    event: 'two_factor_reset_by_staff',
    outcome: 'success',
    actorAccountId: actor.id,
    subjectAccountId: subject.id,
    details: { reason, endedSessions, removedPasskeys },
  });
  await queueEmail(tx, deps, org, subject, { kind: 'two_factor_reset_by_staff', name: subject.name, helpLink: publicUrl(deps.config, org, '/help') });
}
