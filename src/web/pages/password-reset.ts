import { html } from '../../core/html.js';
import { completePasswordReset, openResetLink, requestPasswordReset, sendResetCode, type ResetForm } from '../../flows/password-reset.js';
import { field } from '../../http/form-body.js';
import { ensureSession, setSessionCookie, speakAccountLanguage } from '../context.js';
import { inputField } from '../fields.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { signCount } from '../signed-count.js';
import { throttledForm } from './errors.js';
import { smsErrorText, stepUpErrors } from './code-fields.js';
import { linkThrottledPage } from './link-pages.js';
import { newPasswordFields, passwordProblemErrors } from './password-fields.js';

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
  const requested = await requestPasswordReset(deps, ctx.org, ctx.client, { email, locale: ctx.locale });
  if (!requested.ok && requested.error === 'rate_limited') return throttledForm(page, forgotForm(page, email, { email: ctx.t('login.error.rateLimited', { minutes: Math.ceil(requested.retryAfterSeconds / 60) }) }), requested.retryAfterSeconds);
  if (!requested.ok) return forgotForm(page, email, { email: ctx.t('form.error.email') });
  const text = html`<p>${ctx.t('forgot.sent.text', { minutes: ctx.org.policy.resetLinkMinutes })}</p><p>${ctx.t('register.sent.spam')}</p>
<p><a href="/login">${ctx.t('forgot.back')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('forgot.sent.title'), body: text }) };
};

async function resetForm(page: PageRequest, token: string, link: ResetForm, errors?: FormErrors, notice?: string): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  // The link knows whose it is: the page speaks the account's language (issue 12 stumble 10).
  speakAccountLanguage(ctx, page.request, link.account.locale);
  await ensureSession(deps, ctx, reply);
  const t = ctx.t;
  const body = html`<form method="post" action="/password/reset/${token}" novalidate>
  ${csrfField(ctx)}
  ${newPasswordFields(ctx, errors, link.account.email)}
  ${link.factor === 'passkey'
    ? html`<p>${t('reset.passkeyHint')}</p>
  ${inputField({ name: 'recoveryCode', label: t('field.recoveryCode'), autocomplete: 'off', errors })}`
    : link.factor
    ? html`<p>${t('reset.codeHint')}</p>
  ${inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors })}
  ${inputField({ name: 'recoveryCode', label: t('field.recoveryCode'), autocomplete: 'off', errors })}`
    : null}
  <button type="submit">${t('reset.submit')}</button>
</form>
${link.factor === 'sms' ? html`<form method="post" action="/password/reset/${token}/sms" class="inline">${csrfField(ctx)}<button type="submit" class="link">${t('reset.sendSms')}</button></form>` : null}`;
  return { html: renderPage(ctx, { title: t('reset.title'), body, errors, notice, strengthHint: true }) };
}

function resetLinkNotValid(page: PageRequest): PageResult {
  const { ctx } = page;
  const body = html`<p>${ctx.t('reset.invalid.text')}</p><p><a href="/password/forgot">${ctx.t('reset.invalid.again')}</a></p>`;
  return { status: 404, html: renderPage(ctx, { title: ctx.t('reset.invalid.title'), body }) };
}

export const showReset: PageHandler = async (page) => {
  const link = await openResetLink(page.deps, page.ctx.org, page.ctx.client, page.params.token ?? '');
  if (!link.ok) return link.error === 'rate_limited' ? linkThrottledPage(page, link.retryAfterSeconds) : resetLinkNotValid(page);
  return resetForm(page, page.params.token ?? '', link);
};

/** An SMS code for the reset step, on request (a GET of the link never sends anything). */
export const sendResetSms: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const token = page.params.token ?? '';
  const sent = await sendResetCode(deps, ctx.org, ctx.client, ctx.session!, { token, locale: ctx.locale });
  if ('form' in sent) {
    if (sent.ok) return resetForm(page, token, sent.form, undefined, ctx.t('reset.smsSent'));
    if (sent.error === 'no_sms') return resetForm(page, token, sent.form);
    return resetForm(page, token, sent.form, { code: smsErrorText(ctx, sent) });
  }
  return sent.error === 'rate_limited' ? linkThrottledPage(page, sent.retryAfterSeconds) : resetLinkNotValid(page);
};

export const submitReset: PageHandler = async (page) => {
  const { deps, ctx, body, reply } = page;
  const token = page.params.token ?? '';
  const input = { token, password: field(body, 'password'), passwordConfirm: field(body, 'passwordConfirm'), code: field(body, 'code'), recoveryCode: field(body, 'recoveryCode'), locale: ctx.locale };
  const reset = await completePasswordReset(deps, ctx.org, ctx.client, ctx.session!, input);
  if (!reset.ok) {
    // Only the link is counted here (a reset asks no password): the network is over its guess budget.
    if (reset.error === 'rate_limited') return linkThrottledPage(page, reset.retryAfterSeconds);
    if (reset.error === 'invalid_link') return resetLinkNotValid(page);
    speakAccountLanguage(ctx, page.request, reset.form.account.locale);
    const errors = reset.error === 'password_rejected' ? passwordProblemErrors(ctx, reset.rejection) : stepUpErrors(ctx, reset);
    return resetForm(page, token, reset.form, errors);
  }
  // Every session of the account has ended, this browser's too: the user logs in afresh.
  setSessionCookie(reply, deps, null);
  if (reset.recoveryCodesLeft === null) return { redirect: '/login?reset=1' };
  return { redirect: `/login?reset=1&recoveryCodesLeft=${signCount(deps.config.secretKey, ctx.org.tenantId, 'recoveryCodesLeft', reset.recoveryCodesLeft, deps.clock.now())}` };
};
