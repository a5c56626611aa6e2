import type { Account } from '../../accounts/accounts.js';
import type { Locale } from '../../core/locale.js';
import type { Organization } from '../../tenants/organizations.js';
import { checkNewPassword, maxPasswordLengthInCodePoints, type PasswordProblem } from './rules.js';
import { estimateStrength, type StrengthScore } from './strength.js';

/** A refused new password: every reason (SPEC 3), and zxcvbn's tip for it in the user's language. */
export interface PasswordRejection {
  problems: PasswordProblem[];
  tip: string | null;
}

export interface PasswordJudgement extends PasswordRejection {
  /** zxcvbn's score, 0–4; never above 2 for a refused password, so no hint calls it good. */
  score: StrengthScore;
}

/**
 * The org's password rules applied to one account's new password (SPEC 3): every problem, the
 * strength, and zxcvbn's tip. The same judgement serves the form and the hint while typing, so the
 * hint never calls strong what the form refuses. The estimate runs once, on at most 40 characters
 * (strength.ts), and only on a password of an allowed length.
 */
export async function judgeNewPassword(
  org: Organization,
  account: Pick<Account, 'email' | 'passwordHash'>,
  input: { password: string; passwordConfirm: string },
  locale: Locale,
): Promise<PasswordJudgement> {
  const length = [...input.password.normalize('NFKC')].length;
  const estimable = length >= org.policy.passwordMinLength && length <= maxPasswordLengthInCodePoints;
  const localPart = account.email.split('@')[0] ?? '';
  const estimate = estimable ? estimateStrength(input.password, [org.name, org.slug, localPart], locale) : null;
  const problems = await checkNewPassword({
    policy: org.policy,
    context: { email: account.email, orgName: org.name, orgSlug: org.slug },
    password: input.password,
    passwordConfirm: input.passwordConfirm,
    currentPasswordHash: account.passwordHash,
    guessesLog10: estimate?.guessesLog10 ?? null,
  });
  const refused = problems.some((p) => p !== 'mismatch');
  const score = (refused ? Math.min(estimate?.score ?? 0, 2) : (estimate?.score ?? 0)) as StrengthScore;
  const tip = refused ? (estimate?.warning ?? estimate?.suggestions[0] ?? null) : null;
  return { problems, tip, score };
}

/** The judgement as a refusal, or null when the new password passes. */
export async function rejectNewPassword(
  org: Organization,
  account: Pick<Account, 'email' | 'passwordHash'>,
  input: { password: string; passwordConfirm: string },
  locale: Locale,
): Promise<PasswordRejection | null> {
  const judged = await judgeNewPassword(org, account, input, locale);
  return judged.problems.length === 0 ? null : { problems: judged.problems, tip: judged.tip };
}
