import { html } from '../../core/html.js';
import type { CodeCheckFailure } from '../../factors/second-factor/check.js';
import type { SendSmsOutcome } from '../../factors/sms-code/send.js';
import { describeStepUp, type StepUpAction, type StepUpFailure, type StepUpProofs, type StepUpView } from '../../flows/step-up.js';
import { field } from '../../http/form-body.js';
import { standingAccount, type WebContext } from '../context.js';
import { inputField } from '../fields.js';
import { csrfField, type FormErrors } from '../layout.js';
import type { PageRequest } from '../page.js';

/** The error a failed code check shows, at login and in every step-up form. */
export function codeErrorText(ctx: WebContext, outcome: CodeCheckFailure): string {
  if (outcome.error === 'locked') return ctx.t('code.error.locked', { minutes: Math.ceil(outcome.retryAfterSeconds / 60) });
  if (outcome.error === 'blocked') return ctx.t('code.error.blocked');
  if (outcome.error === 'attempt_ended') return ctx.t('code.error.attemptEnded');
  return ctx.t('code.error.invalid');
}

export function smsErrorText(ctx: WebContext, outcome: Exclude<SendSmsOutcome, { ok: true }>): string {
  switch (outcome.error) {
    case 'too_soon':
      return ctx.t('sms.error.tooSoon', { seconds: outcome.retryAfterSeconds });
    case 'too_many':
      return ctx.t('sms.error.tooMany', { minutes: Math.ceil(outcome.retryAfterSeconds / 60) });
    case 'limited_destination':
    case 'limited_network':
    case 'limited_organization':
      return ctx.t(smsNoticeKeys[outcome.error], { minutes: Math.ceil(outcome.retryAfterSeconds / 60) });
    case 'number_not_allowed':
      return ctx.t('sms.error.numberNotAllowed');
    default:
      return ctx.t('sms.error.sendFailed');
  }
}

/**
 * A refused step-up as form errors: the password field (named as the form names it) or the code
 * field says what was wrong (SPEC 4.5).
 */
export function stepUpErrors(ctx: WebContext, failure: StepUpFailure, fields: { password: string; code?: string } = { password: 'password' }): FormErrors {
  switch (failure.error) {
    case 'wrong_password':
      return { [fields.password]: ctx.t('password.error.current') };
    case 'rate_limited':
      return { [fields.password]: ctx.t('login.error.rateLimited', { minutes: Math.ceil(failure.retryAfterSeconds / 60) }) };
    case 'code_missing':
      return { [fields.code ?? 'code']: ctx.t('reset.error.code') };
    case 'passkey_needed':
      return { [passkeyFieldId]: ctx.t('stepUp.error.passkeyNeeded') };
    case 'passkey_refused':
      return { [passkeyFieldId]: ctx.t('stepUp.error.passkeyRefused') };
    default:
      return { [fields.code ?? 'code']: codeErrorText(ctx, failure) };
  }
}

/** Where a step-up asks a code of an SMS user: a button that sends one (purpose `confirm`). */
export function smsCodeButton(ctx: WebContext, method: 'totp' | 'sms' | null, returnTo: string) {
  if (method !== 'sms') return null;
  return html`<form method="post" action="/account/2fa/confirm-code" class="inline">${csrfField(ctx)}<input type="hidden" name="returnTo" value="${returnTo}"><button type="submit" class="link">${ctx.t('reset.sendSms')}</button></form>`;
}

const smsNoticeKeys = {
  sent: 'reset.smsSent',
  too_soon: 'sms.error.tooSoon',
  too_many: 'sms.error.tooMany',
  send_failed: 'sms.error.sendFailed',
  limited_destination: 'sms.error.limitedDestination',
  limited_network: 'sms.error.limitedNetwork',
  limited_organization: 'sms.error.limitedOrganization',
  number_not_allowed: 'sms.error.numberNotAllowed',
} as const;

/** The outcome of that button, shown on the page it returns to. */
export function smsNotice(ctx: WebContext, query: Record<string, string>): string | undefined {
  const key = query.sms && Object.prototype.hasOwnProperty.call(smsNoticeKeys, query.sms) ? smsNoticeKeys[query.sms as keyof typeof smsNoticeKeys] : undefined;
  const retry = /^\d{1,6}$/.test(query.retry ?? '') ? Number(query.retry) : 60;
  return key ? ctx.t(key, { seconds: retry, minutes: Math.ceil(retry / 60) }) : undefined;
}

/** The proofs a step-up form sends: the password and code, or a passkey's answer (SPEC 11). */
export function stepUpProofsOf(body: Record<string, string>, names: { password: string } = { password: 'password' }): StepUpProofs {
  return { password: field(body, names.password), code: field(body, 'code'), passkey: field(body, 'passkeyResponse') };
}

/** The id of the passkey button of a step-up form, where its error is shown and the error summary leads. */
export const passkeyFieldId = 'passkeyStepUp';

/**
 * SPEC 11: a step-up form offers the account's passkey instead of the password and code. With
 * script, the button runs the ceremony and sends the form with the answer in `passkeyResponse`
 * (static/passkeys.js); without, the page says a passkey needs it.
 */
export function passkeyStepUpOption(ctx: WebContext, view: StepUpView, errors: FormErrors | undefined) {
  if (!view.passkey) return null;
  const error = errors?.[passkeyFieldId];
  return html`<div class="passkey-step-up${error ? ' field-error' : ''}" data-passkey-step-up data-options="/account/step-up/passkey/options" data-error-text="${ctx.t('stepUp.passkey.failed')}">
  <p>${ctx.t(view.passkeyOnly ? 'stepUp.passkey.only' : 'stepUp.passkey.or')}</p>
  ${error ? html`<p class="error" id="${passkeyFieldId}-error">${error}</p>` : null}
  <p class="error" role="alert" data-passkey-error hidden></p>
  <input type="hidden" name="passkeyResponse" value="">
  <button type="button" id="${passkeyFieldId}" class="secondary" hidden${error ? html` aria-describedby="${passkeyFieldId}-error"` : null}>${ctx.t('stepUp.passkey.button')}</button>
  <noscript><p>${ctx.t('passkeys.needsScript')}</p></noscript>
</div>`;
}

/**
 * The fields a step-up form shows for `action`: the password and the code as the step-up table
 * asks them of this session, where the code comes by SMS the button that sends one, and the
 * passkey where the account has one (alone where nothing else proves its second step).
 */
export async function stepUpFields(page: PageRequest, action: StepUpAction, errors: FormErrors | undefined, returnTo: string) {
  const { ctx, deps } = page;
  const view = await describeStepUp(deps, ctx.org, { account: standingAccount(ctx)!, session: ctx.session! }, action);
  return {
    fields: html`${view.password && !view.passkeyOnly ? inputField({ name: 'password', label: ctx.t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true }) : null}
  ${view.code && !view.passkeyOnly ? inputField({ name: 'code', label: ctx.t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors, required: true }) : null}
  ${passkeyStepUpOption(ctx, view, errors)}`,
    smsButton: smsCodeButton(ctx, view.codeMethod, returnTo),
    /** The page loads the passkey script where the passkey is offered. */
    passkeyScript: view.passkey,
  };
}
