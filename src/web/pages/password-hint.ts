import { hintNewPassword } from '../../flows/password-hint.js';
import { field } from '../../http/form-body.js';
import type { PageHandler } from '../page.js';
import { passwordProblemErrors } from './password-fields.js';

/**
 * POST /password/strength, for the hint script of the new-password fields: the same judgement as
 * the form's (SPEC 3), as JSON — the strength label and, for a refused password, why. CSRF-bound
 * like every post; it tells nothing about any account but the asker's own.
 */
export const checkPasswordStrength: PageHandler = async (page) => {
  const { ctx, deps, body, reply } = page;
  const hint = await hintNewPassword(deps, ctx.org, ctx.client, { session: ctx.session!, account: ctx.account }, { password: field(body, 'password'), email: field(body, 'email'), locale: ctx.locale });
  if (!hint.ok) {
    reply.header('retry-after', String(hint.retryAfterSeconds));
    return { status: 429, json: { error: 'rate_limited', retryAfterSeconds: hint.retryAfterSeconds } };
  }
  const problems = hint.acceptable ? null : (passwordProblemErrors(ctx, hint).password ?? null);
  return { json: { score: hint.score, acceptable: hint.acceptable, label: ctx.t(`password.strength.${hint.score}`), problems } };
};
