import { html, type SafeHtml } from '../../core/html.js';
import type { PasswordRejection } from '../../factors/password/new-password.js';
import type { PasswordProblem } from '../../factors/password/rules.js';
import type { WebContext } from '../context.js';
import { inputField } from '../fields.js';
import type { FormErrors } from '../layout.js';
import type { MessageKey } from '../i18n.js';

const problemKeys: Record<PasswordProblem, MessageKey> = {
  too_short: 'password.problem.tooShort',
  too_long: 'password.problem.tooLong',
  needs_special: 'password.problem.needsSpecial',
  too_common: 'password.problem.tooCommon',
  too_guessable: 'password.problem.tooGuessable',
  contains_email: 'password.problem.containsEmail',
  contains_org: 'password.problem.containsOrg',
  same_as_current: 'password.problem.sameAsCurrent',
  mismatch: 'password.problem.mismatch',
};

/**
 * Each refusal names its reason (SPEC 3); a mismatch belongs to the confirmation field. After the
 * reasons comes zxcvbn's own warning or suggestion for the typed password, in the page's language.
 */
export function passwordProblemErrors(ctx: WebContext, rejection: PasswordRejection): FormErrors {
  const params = { min: ctx.org.policy.passwordMinLength };
  const main = rejection.problems.filter((p) => p !== 'mismatch').map((p) => ctx.t(problemKeys[p], params));
  const errors: FormErrors = {};
  if (main.length > 0) errors.password = [...main, rejection.tip ? ctx.t('password.tip', { tip: rejection.tip }) : null].filter(Boolean).join(' ');
  if (rejection.problems.includes('mismatch')) errors.passwordConfirm = ctx.t(problemKeys.mismatch);
  return errors;
}

/** The new-password pair with its rules as a hint and a live strength hint; `email` is the account's, for the hint's context. */
export function newPasswordFields(ctx: WebContext, errors?: FormErrors, email = ''): SafeHtml {
  const t = ctx.t;
  const policy = ctx.org.policy;
  const hint = t(policy.passwordRequireSpecial ? 'password.hint.withSpecial' : 'password.hint', { min: policy.passwordMinLength });
  return html`${inputField({
    name: 'password',
    label: t('field.newPassword'),
    type: 'password',
    autocomplete: 'new-password',
    hint,
    errors,
    required: true,
    strengthHint: {
      checkUrl: '/password/strength',
      email,
      caption: t('password.strength.caption'),
      labels: [t('password.strength.0'), t('password.strength.1'), t('password.strength.2'), t('password.strength.3'), t('password.strength.4')],
    },
  })}
  ${inputField({ name: 'passwordConfirm', label: t('field.passwordConfirm'), type: 'password', autocomplete: 'new-password', errors, required: true })}
  <p class="hint"><a href="/help/passwords" target="_blank" rel="noopener">${t('password.tipsLink')}</a></p>`;
}
