import { html } from '../../core/html.js';
import { lookUpAccountToken } from '../../flows/account-tokens.js';
import { completeWelcome, renewWelcome } from '../../flows/welcome.js';
import { twoFactorRequirementFor } from '../../sessions/next-step.js';
import { rotateSession } from '../../sessions/sessions.js';
import { ensureSession, setSessionCookie } from '../context.js';
import { field } from '../form-body.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { countTokenGuess, refundTokenGuess } from './token-guard.js';
import { newPasswordFields, passwordProblemErrors } from './password-fields.js';

async function welcomeForm(page: PageRequest, token: string, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps, reply } = page;
  await ensureSession(deps, ctx, reply);
  const body = html`<p>${ctx.t('welcome.intro', { org: ctx.org.name })}</p>
<form method="post" action="/welcome/${token}" novalidate>
  ${csrfField(ctx)}
  ${newPasswordFields(ctx, errors)}
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
  const blocked = await countTokenGuess(page);
  if (blocked) return blocked;
  const lookup = await lookUpAccountToken(page.deps.db, page.ctx.org.tenantId, 'welcome', token, page.deps.clock.now());
  if (!lookup.usable || lookup.account.state !== 'invited') return linkNotValid(page, token);
  await refundTokenGuess(page);
  return welcomeForm(page, token);
};

export const submitWelcome: PageHandler = async (page) => {
  const { deps, ctx, body, reply } = page;
  const token = page.params.token ?? '';
  const blocked = await countTokenGuess(page);
  if (blocked) return blocked;
  const outcome = await completeWelcome(deps, ctx.org, ctx.client, { token, password: field(body, 'password'), passwordConfirm: field(body, 'passwordConfirm') });
  if (!outcome.ok && outcome.error !== 'password_rejected') return linkNotValid(page, token);
  await refundTokenGuess(page);
  if (!outcome.ok) return welcomeForm(page, token, passwordProblemErrors(ctx, outcome.problems, field(body, 'password')));
  // Setting the password through the link proves the person: log them in, then on to two-step
  // setup where the org requires it for this role, else home (SPEC 4.1).
  const rotated = await rotateSession(deps.db, deps, ctx.session!, { kind: 'password_verified', accountId: outcome.account.id });
  if (rotated) setSessionCookie(reply, deps, rotated.cookieValue);
  return { redirect: twoFactorRequirementFor(ctx.org.policy, outcome.account.role) === 'required' ? '/account/2fa/setup' : '/' };
};

export const submitWelcomeRenewal: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  // Every renewal counts against the budget: it is a way to probe tokens too.
  const throttled = await countTokenGuess(page);
  if (throttled) return throttled;
  await renewWelcome(deps, ctx.org, ctx.client, field(body, 'token'));
  const text = html`<p>${ctx.t('welcome.renewed.text')}</p><p><a href="/help">${ctx.t('nav.help')}</a></p>`;
  return { html: renderPage(ctx, { title: ctx.t('welcome.renewed.title'), body: text }) };
};
