import type { Account } from '../accounts/accounts.js';
import { checkNewPassword, type PasswordProblem } from '../factors/password/rules.js';
import type { Organization } from '../tenants/organizations.js';

/** The org's password rules applied to one account (SPEC 3). */
export function checkPasswordForAccount(
  org: Organization,
  account: Pick<Account, 'email' | 'passwordHash'>,
  input: { password: string; passwordConfirm: string },
): Promise<PasswordProblem[]> {
  return checkNewPassword({
    policy: org.policy,
    context: { email: account.email, orgName: org.name, orgSlug: org.slug },
    password: input.password,
    passwordConfirm: input.passwordConfirm,
    currentPasswordHash: account.passwordHash,
  });
}
