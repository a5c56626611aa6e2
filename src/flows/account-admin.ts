import { addCareRelation, clearFailedLogins, insertInvitedAccount, setAccountState, type Account } from '../accounts/accounts.js';
import { isPlausibleEmail } from '../accounts/email.js';
import { validName } from '../accounts/name.js';
import { canCreateRole, isRole, type Role } from '../accounts/roles.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import type { Deps } from '../deps.js';
import { deleteAccountSessions } from '../sessions/sessions.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { isLocale } from '../web/i18n.js';
import { voidAccountTokens } from './account-tokens.js';
import { removeAccountDevices } from './app-devices.js';
import { sendPasswordReset } from './password-reset.js';
import { resetTwoFactorByStaff } from './two-factor.js';
import { sendWelcome } from './welcome.js';

export type CreateAccountError = 'invalid_email' | 'invalid_name' | 'invalid_role' | 'invalid_locale' | 'role_not_allowed' | 'email_taken';

export interface CreateAccountInput {
  email: string;
  name: string;
  role: string;
  locale: string;
}

/** Field-level checks of the "new account" form, each with its own error. */
export function validateNewAccount(input: CreateAccountInput): Partial<Record<keyof CreateAccountInput, CreateAccountError>> {
  const errors: Partial<Record<keyof CreateAccountInput, CreateAccountError>> = {};
  if (!isPlausibleEmail(input.email)) errors.email = 'invalid_email';
  if (validName(input.name) === null) errors.name = 'invalid_name';
  if (!isRole(input.role)) errors.role = 'invalid_role';
  if (input.locale !== '' && !isLocale(input.locale)) errors.locale = 'invalid_locale';
  return errors;
}

/**
 * Creates an invited account and mails its welcome link, in one transaction (SPEC 4.1). `actor`
 * is null for the operator command line, which may create any role.
 */
export async function createAccount(
  deps: Deps,
  org: Organization,
  actor: Account | null,
  client: RequestContext,
  input: CreateAccountInput,
): Promise<{ ok: true; account: Account; welcomeLink: string } | { ok: false; errors: Partial<Record<keyof CreateAccountInput, CreateAccountError>> }> {
  const errors = validateNewAccount(input);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const role = input.role as Role;
  if (actor && !canCreateRole(actor.role, role)) return { ok: false, errors: { role: 'role_not_allowed' } };
  const locale: Locale | null = isLocale(input.locale) ? input.locale : null;
  return deps.db.transaction(async (tx) => {
    const account = await insertInvitedAccount(tx, deps, { tenantId: org.tenantId, email: input.email, name: input.name, role, locale, createdBy: actor?.id ?? null });
    if (!account) return { ok: false as const, errors: { email: 'email_taken' as const } };
    if (actor?.role === 'professional' && role === 'client') await addCareRelation(tx, org.tenantId, actor.id, account.id, deps.clock.now());
    await recordAudit(tx, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: 'account_created',
      outcome: 'success',
      actorAccountId: actor?.id ?? null,
      subjectAccountId: account.id,
      details: { role, via: actor ? 'staff' : 'operator' },
    });
    const welcomeLink = await sendWelcome(tx, deps, org, account, { actorAccountId: actor?.id ?? null, client, kind: 'welcome' });
    return { ok: true as const, account, welcomeLink };
  });
}

export type StaffAction = 'resend_welcome' | 'unlock' | 'deactivate' | 'reactivate' | 'send_reset' | 'reset_two_factor';

export type StaffActionOutcome = { ok: true } | { ok: false; error: 'not_applicable' };

/**
 * The helpdesk's account actions (SPEC 6). Whether the actor may act on this account is decided
 * by the caller (staff routes); here each action checks that it applies to the account's state.
 * Every action is audited with actor, subject and reason.
 */
export async function performStaffAction(
  deps: Deps,
  org: Organization,
  actor: Account,
  subject: Account,
  client: RequestContext,
  action: StaffAction,
  reason: string,
): Promise<StaffActionOutcome> {
  const audit = { tenantId: org.tenantId, outcome: 'success' as const, actorAccountId: actor.id, subjectAccountId: subject.id, details: { reason } };
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    switch (action) {
      case 'resend_welcome':
        if (subject.state !== 'invited') return { ok: false, error: 'not_applicable' };
        await sendWelcome(tx, deps, org, subject, { actorAccountId: actor.id, client, kind: 'welcome', reason });
        return { ok: true };
      case 'unlock':
        await clearFailedLogins(tx, org.tenantId, subject.id);
        await recordAudit(tx, now, client, { ...audit, event: 'account_unlocked' });
        return { ok: true };
      case 'deactivate': {
        if (subject.id === actor.id || !(await setAccountState(tx, org.tenantId, subject.id, subject.state === 'invited' ? 'invited' : 'active', 'deactivated'))) {
          return { ok: false, error: 'not_applicable' };
        }
        const endedSessions = await deleteAccountSessions(tx, org.tenantId, subject.id);
        const removedDevices = await removeAccountDevices(tx, org.tenantId, subject.id, 'deactivated', now);
        await voidAccountTokens(tx, org.tenantId, subject.id, now);
        await recordAudit(tx, now, client, { ...audit, event: 'account_deactivated', details: { reason, endedSessions, removedDevices } });
        return { ok: true };
      }
      case 'reactivate': {
        const to = subject.passwordHash ? 'active' : 'invited';
        if (!(await setAccountState(tx, org.tenantId, subject.id, 'deactivated', to))) return { ok: false, error: 'not_applicable' };
        await recordAudit(tx, now, client, { ...audit, event: 'account_reactivated' });
        return { ok: true };
      }
      case 'send_reset':
        if (subject.state !== 'active') return { ok: false, error: 'not_applicable' };
        await sendPasswordReset(tx, deps, org, subject, client, { actorAccountId: actor.id, reason });
        return { ok: true };
      case 'reset_two_factor':
        if (subject.id === actor.id) return { ok: false, error: 'not_applicable' };
        await resetTwoFactorByStaff(tx, deps, org, actor, subject, client, reason);
        return { ok: true };
    }
  });
}
