import { html } from '../../core/html.js';
import { completeWelcome, openWelcomeLink, renewWelcome } from '../../flows/welcome.js';
import { field } from '../../http/form-body.js';
import { nextStepPath } from '../access.js';
import { ensureSession, setSessionCookie, speakAccountLanguage } from '../context.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { linkThrottledPage } from './link-pages.js';
import { newPasswordFields, passwordProblemErrors } from './password-fields.js';

async function welcomeForm(page: PageRequest, token: string, email: string, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  await ensureSession(deps, ctx, reply);
  const body = html`<p>${ctx.t('welcome.intro', { org: ctx.org.name })}</p>
<form method="post" action="/welcome/${token}" novalidate>
  ${csrfField(ctx)}
  ${newPasswordFields(ctx, errors, email)}
  <button type="submit">${ctx.t('welcome.submit')}</button>
</form>`;
  return { html: renderPage(ctx, { title: ctx.t('welcome.title'), body, errors, strengthHint: true }) };
}

/** Unknown, used, expired and superseded links all get this same page (SECURITY 13). */
async function linkNotValid(page: PageRequest, token: string): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  await ensureSession(deps, ctx, reply);
  const body = html`<p>${ctx.t('welcome.invalid.text')}</p>
<form method="post" action="/welcome/renew" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="token" value="${token}">
  <button type="submit">${ctx.t('welcome.invalid.renew')}</button>
</form>
<p><a href="/login">${ctx.t('welcome.invalid.login')}</a> · <a href="/help">${ctx.t('nav.help')}</a></p>`;
  return { status: 404, html: renderPage(ctx, { title: ctx.t('welcome.invalid.title'), body }) };
}

export const showWelcome: PageHandler = async (page) => {
  const token = page.params.token ?? '';
  const link = await openWelcomeLink(page.deps, page.ctx.org, page.ctx.client, token);
  if (!link.ok) return link.error === 'rate_limited' ? linkThrottledPage(page, link.retryAfterSeconds) : linkNotValid(page, token);
  speakAccountLanguage(page.ctx, page.request, link.account.locale);
  return welcomeForm(page, token, link.account.email);
};

export const submitWelcome: PageHandler = async (page) => {
  const { deps, ctx, body, reply } = page;
  const token = page.params.token ?? '';
  const done = await completeWelcome(deps, ctx.org, ctx.client, ctx.session!, { token, password: field(body, 'password'), passwordConfirm: field(body, 'passwordConfirm'), locale: ctx.locale });
  if (!done.ok) {
    if (done.error === 'rate_limited') return linkThrottledPage(page, done.retryAfterSeconds);
    if (done.error === 'password_rejected') {
      speakAccountLanguage(ctx, page.request, done.locale);
      return welcomeForm(page, token, done.email, passwordProblemErrors(ctx, done.rejection));
    }
    return linkNotValid(page, token);
  }
  // The link proved the person: logged in, then on to two-step setup where the org requires it for this role, else home (SPEC 4.1).
  if (done.cookieValue) setSessionCookie(reply, deps, done.cookieValue);
  return { redirect: nextStepPath(done.standing) ?? '/' };
};

export const submitWelcomeRenewal: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const renewed = await renewWelcome(deps, ctx.org, ctx.client, field(body, 'token'));
  if (!renewed.ok) return linkThrottledPage(page, renewed.retryAfterSeconds);
  const text = html`<p>${ctx.t('welcome.renewed.text')}</p><p><a href="/help">${ctx.t('nav.help')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('welcome.renewed.title'), body: text }) };
};
