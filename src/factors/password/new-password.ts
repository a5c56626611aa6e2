import type { Account } from '../../accounts/accounts.js';
import type { Locale } from '../../core/locale.js';
import type { Organization } from '../../tenants/organizations.js';
import { checkNewPassword, type PasswordProblem } from './rules.js';
import { estimateStrength } from './strength.js';

/** A refused new password: every reason (SPEC 3), and zxcvbn's tip for it in the user's language. */
export interface PasswordRejection {
  problems: PasswordProblem[];
  tip: string | null;
}

/**
 * The org's password rules applied to one account's new password (SPEC 3); null when it passes.
 * Where it is refused for more than a mismatch, zxcvbn's own warning or suggestion follows.
 */
export async function rejectNewPassword(
  org: Organization,
  account: Pick<Account, 'email' | 'passwordHash'>,
  input: { password: string; passwordConfirm: string },
  locale: Locale,
): Promise<PasswordRejection | null> {
  const problems = await checkNewPassword({
    policy: org.policy,
    context: { email: account.email, orgName: org.name, orgSlug: org.slug },
    password: input.password,
    passwordConfirm: input.passwordConfirm,
    currentPasswordHash: account.passwordHash,
  });
  if (problems.length === 0) return null;
  if (problems.every((p) => p === 'mismatch')) return { problems, tip: null };
  const estimate = estimateStrength(input.password, [org.name, org.slug], locale);
  return { problems, tip: estimate.warning ?? estimate.suggestions[0] ?? null };
}
