import { html } from '../../core/html.js';
import type { CodeInput } from '../../factors/second-factor/check.js';
import { loginCodeOffers, openCodeStep, resendLoginCode, submitCode, type WebCodeAttempt } from '../../flows/login/code-step.js';
import { sendStepUpCode } from '../../flows/step-up.js';
import { field } from '../../http/form-body.js';
import { adoptSession, ensureSession, setSessionCookie, setTrustCookie, standingAccount } from '../context.js';
import { inputField } from '../fields.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import { codeErrorText, smsErrorText } from './code-fields.js';

function attemptOf(page: PageRequest): WebCodeAttempt {
  return { kind: 'web', session: page.ctx.session!, account: standingAccount(page.ctx)!, locale: page.ctx.locale };
}

/** POST /account/2fa/confirm-code: sends a step-up code to the account's phone, then goes back. */
export const sendConfirmCode: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const back = safeReturnTo(page.body.returnTo);
  const sent = await sendStepUpCode(deps, ctx.org, ctx.client, { account: ctx.account!, session: ctx.session! }, ctx.locale);
  if (!sent.ok && sent.error === 'not_an_sms_account') return { redirect: back };
  const outcome = sent.ok ? 'sent' : sent.error === 'no_sms' ? 'send_failed' : sent.error;
  const retry = !sent.ok && 'retryAfterSeconds' in sent ? `&retry=${sent.retryAfterSeconds}` : '';
  return { redirect: `${back}${back.includes('?') ? '&' : '?'}sms=${outcome}${retry}` };
};

/** SPEC 11: the account's passkey as its second step (a whole login), with script; posted to /login/passkey. */
function passkeySection(page: PageRequest, returnTo: string, only: boolean) {
  const t = page.ctx.t;
  return html`<section id="passkey-login" aria-labelledby="passkey-login-title"${only ? null : html` hidden`}>
  <h2 id="passkey-login-title">${t(only ? 'code.passkey.only' : 'code.passkey.title')}</h2>
  <form method="post" action="/login/passkey" data-passkey-login data-options="/login/code/passkey/options" data-error-text="${t('login.passkey.failed')}" novalidate>
    ${csrfField(page.ctx)}
    <input type="hidden" name="returnTo" value="${returnTo}">
    <input type="hidden" name="response" value="">
    <button type="submit"${only ? null : html` class="secondary"`}>${t('login.passkey.button')}</button>
  </form>
  ${only ? html`<noscript><p class="error">${t('passkeys.needsScript')}</p></noscript>` : null}
  <p class="error" id="passkey-error" role="alert" hidden></p>
</section>`;
}

async function codePage(page: PageRequest, options: { method: 'totp' | 'sms' | null; recovery: boolean; errors?: FormErrors; notice?: string; status?: number }): Promise<PageResult> {
  const { ctx } = page;
  const t = ctx.t;
  const returnTo = safeReturnTo(page.query.returnTo ?? page.body.returnTo);
  const idle = ctx.standing.kind === 'needs_second_factor' && ctx.standing.reason === 'idle';
  const passkey = !options.recovery && (await loginCodeOffers(page.deps, ctx.org, standingAccount(ctx)!)).passkey;
  const passkeyOnly = passkey && options.method === null;
  const body = options.recovery
    ? html`<p>${t('recovery.intro')}</p>
<form method="post" action="/login/recovery" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${returnTo}">
  ${inputField({ name: 'recoveryCode', label: t('field.recoveryCode'), hint: t('recovery.hint'), errors: options.errors, autocomplete: 'off', required: true })}
  <button type="submit">${t('login.submit')}</button>
</form>
<p><a href="/login/code">${t('recovery.back')}</a></p>`
    : html`${passkeyOnly
  ? passkeySection(page, returnTo, true)
  : html`<p>${options.method === 'sms' ? t('code.intro.sms') : t('code.intro.totp')}</p>
<form method="post" action="/login/code" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${returnTo}">
  ${inputField({ name: 'code', label: t('field.code'), errors: options.errors, autocomplete: 'one-time-code', required: true, inputMode: 'numeric' })}
  <button type="submit">${t('code.submit')}</button>
</form>
${passkey ? passkeySection(page, returnTo, false) : null}`}
${options.method === 'sms'
  ? html`<form method="post" action="/login/code/resend" class="inline">${csrfField(ctx)}<input type="hidden" name="returnTo" value="${returnTo}"><button type="submit" class="link">${t('code.resend')}</button></form>`
  : null}
<ul class="links">
  <li><a href="/login/recovery">${t('code.useRecovery')}</a></li>
  <li><a href="/help#lost-phone">${t('code.lostPhone')}</a></li>
</ul>`;
  const refused = page.query.passkeyRefused === '1' ? t('login.notice.passkeyRefused') : undefined;
  const notice = options.notice ?? refused ?? (idle ? t('code.notice.idle') : undefined);
  return { status: options.status ?? 200, html: renderPage(ctx, { title: options.recovery ? t('recovery.title') : t('code.title'), body, errors: options.errors, notice, passkeyScript: passkey }) };
}

/** SPEC 4.3: with SMS, the code is sent when the page opens (not again on a reload within its validity). */
export const showCodeStep: PageHandler = async (page) => {
  await ensureSession(page.deps, page.ctx, page.reply);
  const opened = await openCodeStep(page.deps, page.ctx.org, page.ctx.client, attemptOf(page));
  if (!opened.ok) return codePage(page, { method: opened.method, recovery: false, errors: { code: smsErrorText(page.ctx, opened) } });
  return codePage(page, { method: opened.method, recovery: false });
};

export const showRecoveryStep: PageHandler = async (page) => {
  await ensureSession(page.deps, page.ctx, page.reply);
  return codePage(page, { method: null, recovery: true });
};

async function submitCodeForm(page: PageRequest, input: CodeInput, recovery: boolean): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  const outcome = await submitCode(deps, ctx.org, ctx.client, attemptOf(page), input);
  if (!outcome.ok) {
    if (outcome.error === 'attempt_ended') {
      // Five wrong codes ended this login attempt: start again with the password (SPEC 4.5).
      setSessionCookie(reply, deps, null);
      return { redirect: '/login?codeAttemptEnded=1' };
    }
    const { method } = await loginCodeOffers(deps, ctx.org, standingAccount(ctx)!);
    const errors = { [recovery ? 'recoveryCode' : 'code']: codeErrorText(ctx, outcome) };
    return codePage(page, { method, recovery, errors, status: outcome.error === 'locked' || outcome.error === 'blocked' ? 429 : 200 });
  }
  adoptSession(reply, deps, ctx, outcome);
  if (outcome.trustCookieValue) setTrustCookie(reply, deps, outcome.trustCookieValue);
  // The page counts what is left itself: nothing in its address is taken for the number.
  if (outcome.recoveryCodesLeft !== null) return { redirect: '/account/2fa?done=recovery' };
  return { redirect: safeReturnTo(page.body.returnTo) };
}

export const submitCodeStep: PageHandler = (page) => submitCodeForm(page, { code: field(page.body, 'code') }, false);
export const submitRecoveryStep: PageHandler = (page) => submitCodeForm(page, { recoveryCode: field(page.body, 'recoveryCode') }, true);

export const resendCode: PageHandler = async (page) => {
  const sent = await resendLoginCode(page.deps, page.ctx.org, page.ctx.client, attemptOf(page));
  if (sent.ok) return codePage(page, { method: 'sms', recovery: false, notice: page.ctx.t('code.resent') });
  if (sent.error === 'no_sms') return codePage(page, { method: null, recovery: false });
  return codePage(page, { method: 'sms', recovery: false, errors: { code: smsErrorText(page.ctx, sent) } });
};
