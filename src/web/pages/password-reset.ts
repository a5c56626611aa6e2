import { isPlausibleEmail } from '../../accounts/email.js';
import { html } from '../../core/html.js';
import { lookUpAccountToken } from '../../flows/account-tokens.js';
import { completePasswordReset, requestPasswordReset } from '../../flows/password-reset.js';
import { ensureSession, setSessionCookie } from '../context.js';
import { inputField } from '../fields.js';
import { field } from '../form-body.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import type { Account } from '../../accounts/accounts.js';
import { findFactorInForce } from '../../factors/second-factor/store.js';
import { sendSmsCode } from '../../flows/two-factor.js';
import { newPasswordFields, passwordProblemErrors } from './password-fields.js';
import { codeErrorText, smsErrorText } from './second-factor-login.js';
import { signCount } from '../signed-count.js';
import { countTokenGuess, refundTokenGuess } from './token-guard.js';

async function forgotForm(page: PageRequest, email: string, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  await ensureSession(deps, ctx, reply);
  const body = html`<p>${ctx.t('forgot.intro')}</p>
<form method="post" action="/password/forgot" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'email', label: ctx.t('field.email'), type: 'email', value: email, autocomplete: 'username', errors, required: true })}
  <button type="submit">${ctx.t('forgot.submit')}</button>
</form>
<p><a href="/login">${ctx.t('forgot.back')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('forgot.title'), body, errors }) };
}

export const showForgot: PageHandler = async (page) => forgotForm(page, '');

export const submitForgot: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const email = field(body, 'email').trim();
  if (!isPlausibleEmail(email)) return forgotForm(page, email, { email: ctx.t('form.error.email') });
  await requestPasswordReset(deps, ctx.org, ctx.client, { email, locale: ctx.locale });
  const text = html`<p>${ctx.t('forgot.sent.text', { minutes: ctx.org.policy.resetLinkMinutes })}</p><p>${ctx.t('register.sent.spam')}</p>
<p><a href="/login">${ctx.t('forgot.back')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('forgot.sent.title'), body: text }) };
};

async function resetForm(page: PageRequest, token: string, account: Account, errors?: FormErrors, notice?: string): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  await ensureSession(deps, ctx, reply);
  const t = ctx.t;
  const factor = await findFactorInForce(deps.db, ctx.org, account);
  const body = html`<form method="post" action="/password/reset/${token}" novalidate>
  ${csrfField(ctx)}
  ${newPasswordFields(ctx, errors)}
  ${factor
    ? html`<p>${t('reset.codeHint')}</p>
  ${inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors })}
  ${inputField({ name: 'recoveryCode', label: t('field.recoveryCode'), autocomplete: 'off', errors })}`
    : null}
  <button type="submit">${t('reset.submit')}</button>
</form>
${factor?.method === 'sms' ? html`<form method="post" action="/password/reset/${token}/sms" class="inline">${csrfField(ctx)}<button type="submit" class="link">${t('reset.sendSms')}</button></form>` : null}`;
  return { html: renderPage(ctx, { title: t('reset.title'), body, errors, notice, strengthHint: true }) };
}

async function resetLinkNotValid(page: PageRequest): Promise<PageResult> {
  const { ctx } = page;
  const body = html`<p>${ctx.t('reset.invalid.text')}</p><p><a href="/password/forgot">${ctx.t('reset.invalid.again')}</a></p>`;
  return { status: 404, html: renderPage(ctx, { title: ctx.t('reset.invalid.title'), body }) };
}

export const showReset: PageHandler = async (page) => {
  const token = page.params.token ?? '';
  const blocked = await countTokenGuess(page);
  if (blocked) return blocked;
  const lookup = await lookUpAccountToken(page.deps.db, page.ctx.org.tenantId, 'reset', token, page.deps.clock.now());
  if (!lookup.usable || lookup.account.state !== 'active') return resetLinkNotValid(page);
  await refundTokenGuess(page);
  return resetForm(page, token, lookup.account);
};

/** An SMS code for the reset step, on request (a GET of the link never sends anything). */
export const sendResetSms: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const token = page.params.token ?? '';
  const blocked = await countTokenGuess(page);
  if (blocked) return blocked;
  const lookup = await lookUpAccountToken(deps.db, ctx.org.tenantId, 'reset', token, deps.clock.now());
  if (!lookup.usable || lookup.account.state !== 'active') return resetLinkNotValid(page);
  await refundTokenGuess(page);
  const factor = await findFactorInForce(deps.db, ctx.org, lookup.account);
  if (factor?.method !== 'sms') return resetForm(page, token, lookup.account);
  const sent = await sendSmsCode(deps, ctx.org, lookup.account, { sessionId: ctx.session!.id, purpose: 'confirm', phone: factor.phone!, locale: ctx.locale }, ctx.client);
  if (!sent.ok) return resetForm(page, token, lookup.account, { code: smsErrorText(ctx, sent) });
  return resetForm(page, token, lookup.account, undefined, ctx.t('reset.smsSent'));
};

export const submitReset: PageHandler = async (page) => {
  const { deps, ctx, body, reply } = page;
  const token = page.params.token ?? '';
  const blocked = await countTokenGuess(page);
  if (blocked) return blocked;
  const outcome = await completePasswordReset(deps, ctx.org, ctx.client, {
    token,
    password: field(body, 'password'),
    passwordConfirm: field(body, 'passwordConfirm'),
    sessionId: ctx.session!.id,
    code: field(body, 'code'),
    recoveryCode: field(body, 'recoveryCode'),
  });
  if (!outcome.ok && outcome.error !== 'password_rejected' && outcome.error !== 'code_rejected') return resetLinkNotValid(page);
  await refundTokenGuess(page);
  if (!outcome.ok) {
    const lookup = await lookUpAccountToken(deps.db, ctx.org.tenantId, 'reset', token, deps.clock.now());
    if (!lookup.usable) return resetLinkNotValid(page);
    const errors = outcome.error === 'password_rejected' ? passwordProblemErrors(ctx, outcome.problems, field(body, 'password')) : { code: outcome.check ? codeErrorText(ctx, outcome.check) : ctx.t('reset.error.code') };
    return resetForm(page, token, lookup.account, errors);
  }
  // Every session of the account has ended, this browser's too: the user logs in afresh.
  setSessionCookie(reply, deps, null);
  if (outcome.recoveryCodesLeft === null) return { redirect: '/login?reset=1' };
  return { redirect: `/login?reset=1&recoveryCodesLeft=${signCount(deps.config.secretKey, ctx.org.tenantId, 'recoveryCodesLeft', outcome.recoveryCodesLeft, deps.clock.now())}` };
};
