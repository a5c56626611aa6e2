import { recordAudit } from '../../audit/audit.js';
import { html } from '../../core/html.js';
import { findActiveFactor } from '../../factors/second-factor/store.js';
import { hasFreshSmsCode } from '../../factors/sms-code/store.js';
import { checkSecondFactor, type CodeCheckOutcome, type CodeInput } from '../../flows/second-factor-check.js';
import { sendSmsCode, type SendSmsOutcome } from '../../flows/two-factor.js';
import { deleteSession, rotateSession } from '../../sessions/sessions.js';
import { browserName, effectiveValidity, trustBrowser } from '../../factors/trusted-browser/store.js';
import { ensureSession, setSessionCookie, setTrustCookie, standingAccount, type WebContext } from '../context.js';
import { inputField } from '../fields.js';
import { field } from '../form-body.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { safeReturnTo } from '../return-to.js';

/** The error a failed code check shows; also used by the step-up forms. */
export function codeErrorText(ctx: WebContext, outcome: Exclude<CodeCheckOutcome, { ok: true }>): string {
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
    default:
      return ctx.t('sms.error.sendFailed');
  }
}

/** Where a step-up asks a code of an SMS user: a button that sends one (purpose `confirm`). */
export function smsCodeButton(ctx: WebContext, factor: { method: string } | null, returnTo: string) {
  if (factor?.method !== 'sms') return null;
  return html`<form method="post" action="/account/2fa/confirm-code" class="inline">${csrfField(ctx)}<input type="hidden" name="returnTo" value="${returnTo}"><button type="submit" class="link">${ctx.t('reset.sendSms')}</button></form>`;
}

const smsNoticeKeys = { sent: 'reset.smsSent', too_soon: 'sms.error.tooSoon', too_many: 'sms.error.tooMany', send_failed: 'sms.error.sendFailed' } as const;

/** The outcome of that button, shown on the page it returns to. */
export function smsNotice(ctx: WebContext, query: Record<string, string>): string | undefined {
  const key = query.sms && Object.prototype.hasOwnProperty.call(smsNoticeKeys, query.sms) ? smsNoticeKeys[query.sms as keyof typeof smsNoticeKeys] : undefined;
  const retry = /^\d{1,6}$/.test(query.retry ?? '') ? Number(query.retry) : 60;
  return key ? ctx.t(key, { seconds: retry, minutes: Math.ceil(retry / 60) }) : undefined;
}

/** POST /account/2fa/confirm-code: sends a step-up code to the account's phone, then goes back. */
export const sendConfirmCode: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = ctx.account!;
  const back = safeReturnTo(page.body.returnTo);
  const factor = await findActiveFactor(deps.db, ctx.org.tenantId, account.id);
  if (factor?.method !== 'sms') return { redirect: back };
  const sent = await sendSmsCode(deps, ctx.org, account, { sessionId: ctx.session!.id, purpose: 'confirm', phone: factor.phone!, locale: ctx.locale }, ctx.client);
  const outcome = sent.ok ? 'sent' : sent.error === 'no_sms' ? 'send_failed' : sent.error;
  const retry = !sent.ok && 'retryAfterSeconds' in sent ? `&retry=${sent.retryAfterSeconds}` : '';
  return { redirect: `${back}${back.includes('?') ? '&' : '?'}sms=${outcome}${retry}` };
};

async function codePage(page: PageRequest, options: { recovery: boolean; errors?: FormErrors; notice?: string; status?: number }): Promise<PageResult> {
  const { ctx, deps } = page;
  const account = standingAccount(ctx)!;
  const t = ctx.t;
  const factor = await findActiveFactor(deps.db, ctx.org.tenantId, account.id);
  const returnTo = safeReturnTo(page.query.returnTo ?? page.body.returnTo);
  const idle = ctx.standing.kind === 'needs_second_factor' && ctx.standing.reason === 'idle';
  const body = options.recovery
    ? html`<p>${t('recovery.intro')}</p>
<form method="post" action="/login/recovery" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${returnTo}">
  ${inputField({ name: 'recoveryCode', label: t('field.recoveryCode'), hint: t('recovery.hint'), errors: options.errors, autocomplete: 'off', required: true })}
  <button type="submit">${t('login.submit')}</button>
</form>
<p><a href="/login/code">${t('recovery.back')}</a></p>`
    : html`<p>${factor?.method === 'sms' ? t('code.intro.sms') : t('code.intro.totp')}</p>
<form method="post" action="/login/code" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${returnTo}">
  ${inputField({ name: 'code', label: t('field.code'), errors: options.errors, autocomplete: 'one-time-code', required: true, inputMode: 'numeric' })}
  <button type="submit">${t('code.submit')}</button>
</form>
${factor?.method === 'sms'
  ? html`<form method="post" action="/login/code/resend" class="inline">${csrfField(ctx)}<input type="hidden" name="returnTo" value="${returnTo}"><button type="submit" class="link">${t('code.resend')}</button></form>`
  : null}
<ul class="links">
  <li><a href="/login/recovery">${t('code.useRecovery')}</a></li>
  <li><a href="/help#lost-phone">${t('code.lostPhone')}</a></li>
</ul>`;
  const notice = options.notice ?? (idle ? t('code.notice.idle') : undefined);
  return { status: options.status ?? 200, html: renderPage(ctx, { title: options.recovery ? t('recovery.title') : t('code.title'), body, errors: options.errors, notice }) };
}

/** SPEC 4.3: with SMS, the code is sent when the page opens (not again on a reload within its validity). */
export const showCodeStep: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const session = await ensureSession(deps, ctx, reply);
  const account = standingAccount(ctx)!;
  const factor = await findActiveFactor(deps.db, ctx.org.tenantId, account.id);
  if (factor?.method === 'sms' && !(await hasFreshSmsCode(deps.db, { tenantId: ctx.org.tenantId, accountId: account.id, sessionId: session.id, purpose: 'login' }, deps.clock.now()))) {
    const sent = await sendSmsCode(deps, ctx.org, account, { sessionId: session.id, purpose: 'login', phone: factor.phone!, locale: ctx.locale }, ctx.client);
    if (!sent.ok) return codePage(page, { recovery: false, errors: { code: smsErrorText(ctx, sent) } });
  }
  return codePage(page, { recovery: false });
};

export const showRecoveryStep: PageHandler = async (page) => {
  await ensureSession(page.deps, page.ctx, page.reply);
  return codePage(page, { recovery: true });
};

async function submitCode(page: PageRequest, input: CodeInput, recovery: boolean): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  const account = standingAccount(ctx)!;
  const session = ctx.session!;
  const outcome = await checkSecondFactor(deps, ctx.org, account, session.id, ctx.client, input, 'login');
  if (!outcome.ok) {
    if (outcome.error === 'attempt_ended') {
      // Five wrong codes end this login attempt: start again with the password (SPEC 4.5).
      await deleteSession(deps.db, ctx.org.tenantId, session.id);
      setSessionCookie(reply, deps, null);
      return { redirect: '/login?codeAttemptEnded=1' };
    }
    const field = recovery ? 'recoveryCode' : 'code';
    return codePage(page, { recovery, errors: { [field]: codeErrorText(ctx, outcome) }, status: outcome.error === 'locked' || outcome.error === 'blocked' ? 429 : 200 });
  }
  const rotated = await rotateSession(deps.db, deps, session, { kind: 'second_factor_verified' });
  if (rotated) setSessionCookie(reply, deps, rotated.cookieValue);
  if (ctx.org.policy.maxCodeValidityDays > 0) {
    const trust = await trustBrowser(deps.db, deps, {
      tenantId: ctx.org.tenantId,
      accountId: account.id,
      validity: effectiveValidity(account.codeValidity, ctx.org.policy),
      name: browserName(ctx.client.userAgent),
    });
    setTrustCookie(reply, deps, trust);
  }
  await recordAudit(deps.db, deps.clock.now(), ctx.client, {
    tenantId: ctx.org.tenantId,
    event: 'login_succeeded',
    outcome: 'success',
    actorAccountId: account.id,
    subjectAccountId: account.id,
    details: { step: 'second_factor', method: outcome.method },
  });
  // The page counts what is left itself: nothing in its address is taken for the number.
  if (outcome.recoveryCodesLeft !== null) return { redirect: '/account/2fa?done=recovery' };
  return { redirect: safeReturnTo(page.body.returnTo) };
}

export const submitCodeStep: PageHandler = (page) => submitCode(page, { code: field(page.body, 'code') }, false);
export const submitRecoveryStep: PageHandler = (page) => submitCode(page, { recoveryCode: field(page.body, 'recoveryCode') }, true);

export const resendCode: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = standingAccount(ctx)!;
  const factor = await findActiveFactor(deps.db, ctx.org.tenantId, account.id);
  if (factor?.method !== 'sms') return codePage(page, { recovery: false });
  const sent = await sendSmsCode(deps, ctx.org, account, { sessionId: ctx.session!.id, purpose: 'login', phone: factor.phone!, locale: ctx.locale }, ctx.client);
  if (!sent.ok) return codePage(page, { recovery: false, errors: { code: smsErrorText(ctx, sent) } });
  return codePage(page, { recovery: false, notice: ctx.t('code.resent') });
};
