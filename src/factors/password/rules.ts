import { normalizePassword, verifyPassword } from './hashing.js';
import { isCommonPassword } from './strength.js';

export interface PasswordPolicy {
  passwordMinLength: number;
  passwordRequireSpecial: boolean;
  /** With `guessesLog10` given, a password estimated to fall in fewer guesses is refused (SPEC 3). */
  passwordMinGuessesLog10?: number;
}

/** What the password must not contain (SPEC 3): the account's e-mail and its organization. */
export interface PasswordContext {
  email: string;
  orgName: string;
  orgSlug: string;
}

/** Each code is shown as its own reason in the form (SPEC 3: "each refusal names its reason"). */
export type PasswordProblem =
  | 'too_short'
  | 'too_long'
  | 'needs_special'
  | 'too_common'
  | 'too_guessable'
  | 'contains_email'
  | 'contains_org'
  | 'same_as_current'
  | 'mismatch';

/**
 * SPEC 3 caps at 128 and never truncates: a longer password is refused rather than silently
 * shortened, so that what the user typed is exactly what is checked at login.
 */
export const maxPasswordLengthInCodePoints = 128;

/** Names shorter than this would refuse too many good passwords ("ab" is in many words). */
const minContextLengthInCodePoints = 3;

/**
 * Every problem at once, so the form can name them all in one round trip. The order is fixed:
 * too_short, too_long, needs_special, too_common (or else too_guessable), contains_email,
 * contains_org, mismatch, and same_as_current only when nothing else is wrong, because it costs
 * an argon2 verify.
 */
export async function checkNewPassword(input: {
  policy: PasswordPolicy;
  context: PasswordContext;
  password: string;
  passwordConfirm: string;
  currentPasswordHash: string | null;
  /** zxcvbn's estimate for this password (strength.ts), where the caller made one. */
  guessesLog10?: number | null;
}): Promise<PasswordProblem[]> {
  const normalized = normalizePassword(input.password);
  const lowered = normalized.toLowerCase();
  const problems: PasswordProblem[] = [];

  // Length in code points, as NIST SP 800-63B §5.1.1.2 counts characters; an emoji is one.
  const length = countCodePoints(normalized);
  if (length < input.policy.passwordMinLength) problems.push('too_short');
  if (length > maxPasswordLengthInCodePoints) problems.push('too_long');

  // Anything outside letters and digits counts as special, spaces included (SPEC 3 allows
  // spaces and any Unicode, and passphrases are what /help/passwords recommends).
  if (input.policy.passwordRequireSpecial && !/[^\p{L}\p{N}]/u.test(normalized)) problems.push('needs_special');

  // Only the exact password is looked up, not variants with trailing digits or punctuation
  // stripped: "monkey2024!" is not in the list, and zxcvbn's hint already scores it as weak.
  // Refusing variants would turn the blocklist into a composition rule, which NIST SP 800-63B
  // §5.1.1.2 advises against.
  if (isCommonPassword(normalized)) problems.push('too_common');
  // `Welkom12345!` meets every rule above and still falls in about a million guesses.
  const floor = input.policy.passwordMinGuessesLog10;
  if (floor !== undefined && input.guessesLog10 != null && !problems.includes('too_common') && input.guessesLog10 < floor) problems.push('too_guessable');

  if (containsAny(lowered, [localPartOf(input.context.email)])) problems.push('contains_email');
  if (containsAny(lowered, orgNeedles(input.context))) problems.push('contains_org');

  if (normalizePassword(input.passwordConfirm) !== normalized) problems.push('mismatch');

  if (problems.length === 0 && input.currentPasswordHash !== null) {
    if (await verifyPassword(input.currentPasswordHash, normalized)) problems.push('same_as_current');
  }
  return problems;
}

function countCodePoints(text: string): number {
  return [...text].length;
}

/**
 * Needles are NFKC (not only NFC, as e-mail addresses are stored) because the password they
 * are looked for in is NFKC: a compatibility character in the needle could never match.
 */
function normalizeNeedle(text: string): string {
  return text.trim().normalize('NFKC').toLowerCase();
}

function localPartOf(email: string): string {
  const normalized = normalizeNeedle(email);
  const at = normalized.lastIndexOf('@');
  return at === -1 ? normalized : normalized.slice(0, at);
}

function orgNeedles(context: PasswordContext): string[] {
  const name = normalizeNeedle(context.orgName);
  return [name, name.replace(/\s+/gu, ''), normalizeNeedle(context.orgSlug)];
}

function containsAny(lowered: string, needles: string[]): boolean {
  return needles.some((needle) => countCodePoints(needle) >= minContextLengthInCodePoints && lowered.includes(needle));
}
