import { html } from '../../core/html.js';
import { logOut } from '../../flows/login/browser-session.js';
import { submitPassword } from '../../flows/login/password-step.js';
import { field } from '../../http/form-body.js';
import { afterPasswordPath } from '../access.js';
import { adoptSession, ensureSession, setSessionCookie } from '../context.js';
import { inputField } from '../fields.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import { readSignedCount } from '../signed-count.js';

const notices = { reset: 'login.notice.reset', loggedOut: 'login.notice.loggedOut', idle: 'login.notice.idle', codeAttemptEnded: 'login.notice.codeAttemptEnded', passkeyRefused: 'login.notice.passkeyRefused' } as const;

async function loginForm(page: PageRequest, values: { email: string; returnTo: string }, errors?: FormErrors, status = 200) {
  const { ctx, deps, reply } = page;
  await ensureSession(deps, ctx, reply);
  const t = ctx.t;
  const idle = ctx.standing.kind === 'needs_password';
  const noticeKey = idle
    ? notices.idle
    : page.query.reset === '1'
      ? notices.reset
      : page.query.loggedOut === '1'
        ? notices.loggedOut
        : page.query.codeAttemptEnded === '1'
          ? notices.codeAttemptEnded
          : page.query.passkeyRefused === '1'
            ? notices.passkeyRefused
            : null;
  const body = html`<form method="post" action="/login" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="returnTo" value="${values.returnTo}">
  ${inputField({ name: 'email', label: t('field.email'), type: 'email', value: values.email, autocomplete: 'username webauthn', errors, required: true })}
  ${inputField({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'current-password', errors, required: true })}
  <button type="submit">${t('login.submit')}</button>
</form>
<section id="passkey-login" aria-labelledby="passkey-login-title" hidden>
  <h2 id="passkey-login-title">${t('login.passkey.title')}</h2>
  <form method="post" action="/login/passkey" data-passkey-login data-options="/login/passkey/options" data-error-text="${t('login.passkey.failed')}" novalidate>
    ${csrfField(ctx)}
    <input type="hidden" name="returnTo" value="${values.returnTo}">
    <input type="hidden" name="response" value="">
    <button type="submit" class="secondary">${t('login.passkey.button')}</button>
  </form>
  <p class="error" id="passkey-error" role="alert" hidden></p>
</section>
<ul class="links">
  <li><a href="/password/forgot">${t('login.forgot')}</a></li>
  ${ctx.org.policy.selfRegistration ? html`<li><a href="/register">${t('login.register')}</a></li>` : null}
  <li><a href="/help">${t('login.help')}</a></li>
</ul>`;
  // After a reset proved by a recovery code: how many are left (SPEC 4.5).
  const left = noticeKey === notices.reset ? readSignedCount(deps.config.secretKey, ctx.org.tenantId, 'recoveryCodesLeft', page.query.recoveryCodesLeft, deps.clock.now()) : null;
  const notice = noticeKey ? [t(noticeKey), left === null ? null : t('recovery.used', { count: String(left) })].filter(Boolean).join(' ') : null;
  return { status, html: renderPage(ctx, { title: t('login.title'), body, errors, notice, passkeyScript: true }) };
}

export const showLogin: PageHandler = async (page) => {
  if (page.ctx.standing.kind === 'authenticated') return { redirect: safeReturnTo(page.query.returnTo) };
  if (page.ctx.standing.kind === 'needs_second_factor') return { redirect: `/login/code?returnTo=${encodeURIComponent(safeReturnTo(page.query.returnTo))}` };
  const email = page.ctx.standing.kind === 'needs_password' ? page.ctx.standing.account.email : '';
  return loginForm(page, { email, returnTo: safeReturnTo(page.query.returnTo) });
};

export const submitLogin: PageHandler = async (page) => {
  const { deps, ctx, body, reply } = page;
  const email = field(body, 'email');
  const returnTo = safeReturnTo(field(body, 'returnTo'));
  // A field left empty is said per field, in the form's order; nothing is tried, nothing counted.
  const missing: FormErrors = {};
  if (email.trim() === '') missing.email = ctx.t('login.error.emailMissing');
  if (field(body, 'password') === '') missing.password = ctx.t('login.error.passwordMissing');
  if (Object.keys(missing).length > 0) return loginForm(page, { email, returnTo }, missing, 400);
  const outcome = await submitPassword(deps, ctx.org, ctx.client, { kind: 'web', session: ctx.session!, trustCookie: ctx.trustCookieValue }, { email, password: field(body, 'password') });
  if (!outcome.ok) {
    if (outcome.error === 'rate_limited') {
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      return loginForm(page, { email, returnTo }, { email: ctx.t('login.error.rateLimited', { minutes: Math.ceil(outcome.retryAfterSeconds / 60) }) }, 429);
    }
    return loginForm(page, { email, returnTo }, { email: ctx.t('login.error.invalid') });
  }
  adoptSession(reply, deps, ctx, outcome);
  // With a second factor the code comes next (unless this browser is trusted); the code page carries returnTo on.
  return { redirect: afterPasswordPath(outcome.standing, returnTo) };
};

export const submitLogout: PageHandler = async ({ deps, ctx, reply }) => {
  if (ctx.session) await logOut(deps, ctx.org, ctx.client, ctx.session);
  setSessionCookie(reply, deps, null);
  return { redirect: '/login?loggedOut=1' };
};
