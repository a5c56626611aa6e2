import { addCareRelation, findLookAlikeAccount, insertInvitedAccount, takeOverSelfRegisteredAccount, type Account } from '../../accounts/accounts.js';
import { isPlausibleEmail, normalizeEmail } from '../../accounts/email.js';
import { validName } from '../../accounts/name.js';
import { canCreateRole, isRole, roles, type Role } from '../../accounts/roles.js';
import { recordAudit, type RequestContext } from '../../audit/audit.js';
import type { Failure, Ok } from '../../core/outcome.js';
import type { Deps } from '../../deps.js';
import { isLocale, type Locale } from '../../core/locale.js';
import type { Organization } from '../../tenants/organizations.js';
import { sendWelcome } from '../welcome.js';

export type CreateAccountError = 'invalid_email' | 'invalid_name' | 'invalid_role' | 'invalid_locale' | 'role_not_allowed' | 'email_taken' | 'email_look_alike';

export interface CreateAccountInput {
  email: string;
  name: string;
  role: string;
  locale: string;
}

export type CreateAccountProblems = Partial<Record<keyof CreateAccountInput, CreateAccountError>>;

/** SPEC 2: the roles this staff member may give a new account, in the order a form lists them. */
export function creatableRoles(actor: Account): Role[] {
  return roles.filter((r) => canCreateRole(actor.role, r));
}

/** Field-level checks of the "new account" form, each with its own error. */
function validateNewAccount(input: CreateAccountInput): CreateAccountProblems {
  const errors: CreateAccountProblems = {};
  if (!isPlausibleEmail(input.email)) errors.email = 'invalid_email';
  if (validName(input.name) === null) errors.name = 'invalid_name';
  if (!isRole(input.role)) errors.role = 'invalid_role';
  if (input.locale !== '' && !isLocale(input.locale)) errors.locale = 'invalid_locale';
  return errors;
}

/**
 * Creates an invited account and mails its welcome link, in one transaction (SPEC 4.1). `actor`
 * is null for the operator command line, which may create any role. A professional's new client
 * becomes one of their clients. An address that self-registered and never set a password is taken
 * over (its old welcome link voided by the new one); one that only looks like another account's
 * is refused (SECURITY 39).
 */
export async function createAccount(
  deps: Deps,
  org: Organization,
  actor: Account | null,
  client: RequestContext,
  input: CreateAccountInput,
): Promise<Ok<{ account: Account; welcomeLink: string }> | Failure<'invalid', { problems: CreateAccountProblems; lookAlikeOf?: string }>> {
  const problems = validateNewAccount(input);
  if (Object.keys(problems).length > 0) return { ok: false, error: 'invalid', problems };
  const role = input.role as Role;
  if (actor && !canCreateRole(actor.role, role)) return { ok: false, error: 'invalid', problems: { role: 'role_not_allowed' } };
  const locale: Locale | null = isLocale(input.locale) ? input.locale : null;
  return deps.db.transaction(async (tx) => {
    const given = { name: input.name, role, locale, createdBy: actor?.id ?? null };
    let account = await insertInvitedAccount(tx, deps, { tenantId: org.tenantId, email: input.email, ...given });
    let takenOver = false;
    if (!account) {
      const existing = await findLookAlikeAccount(tx, org.tenantId, input.email);
      // SECURITY 39: an address that only looks like another account's is refused, naming that one.
      if (existing && normalizeEmail(existing.email) !== normalizeEmail(input.email)) {
        return { ok: false as const, error: 'invalid' as const, problems: { email: 'email_look_alike' as const }, lookAlikeOf: existing.email };
      }
      // Someone registered this address themselves and never confirmed it: staff take it over, so a
      // squatter cannot keep the real person's account from being made (their link stops working).
      account = existing?.selfRegistered ? await takeOverSelfRegisteredAccount(tx, org.tenantId, existing.id, given) : null;
      if (!account) return { ok: false as const, error: 'invalid' as const, problems: { email: 'email_taken' as const } };
      takenOver = true;
    }
    if (actor?.role === 'professional' && role === 'client') await addCareRelation(tx, org.tenantId, actor.id, account.id, deps.clock.now());
    await recordAudit(tx, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: takenOver ? 'self_registration_taken_over' : 'account_created',
      outcome: 'success',
      actorAccountId: actor?.id ?? null,
      subjectAccountId: account.id,
      details: { role, via: actor ? 'staff' : 'operator' },
    });
    const welcomeLink = await sendWelcome(tx, deps, org, account, { actorAccountId: actor?.id ?? null, client });
    return { ok: true as const, account, welcomeLink };
  });
}
