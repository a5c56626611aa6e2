import { updateProfile } from '../../accounts/accounts.js';
import { validName } from '../../accounts/name.js';
import { recordAudit } from '../../audit/audit.js';
import { html } from '../../core/html.js';
import { changePassword } from '../../flows/password-change.js';
import { rotateSession } from '../../sessions/sessions.js';
import { setSessionCookie } from '../context.js';
import { inputField, selectField } from '../fields.js';
import { field } from '../form-body.js';
import { isLocale } from '../i18n.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { findFactorInForce } from '../../factors/second-factor/store.js';
import { newPasswordFields, passwordProblemErrors } from './password-fields.js';
import { codeErrorText, smsCodeButton, smsNotice } from './second-factor-login.js';

export const showHome: PageHandler = async ({ ctx }) => {
  const account = ctx.account!;
  const t = ctx.t;
  const body = html`<p>${t('home.loggedInAs', { name: account.name, email: account.email })}</p>
<ul class="links">
  <li><a href="/account">${t('nav.account')}</a></li>
  ${account.role !== 'client' ? html`<li><a href="/staff/accounts">${t('nav.staff')}</a></li>` : null}
  <li><a href="/help">${t('nav.help')}</a></li>
</ul>`;
  return { html: renderPage(ctx, { title: t('home.title', { org: ctx.org.name }), body }) };
};

function accountPage(page: PageRequest, values: { name: string; locale: string }, errors?: FormErrors, notice?: string): PageResult {
  const { ctx } = page;
  const account = ctx.account!;
  const t = ctx.t;
  const body = html`<dl class="facts">
  <dt>${t('field.email')}</dt><dd>${account.email}</dd>
  <dt>${t('account.role')}</dt><dd>${t(`role.${account.role}`)}</dd>
</dl>
<h2>${t('account.profile')}</h2>
<form method="post" action="/account" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'name', label: t('field.name'), value: values.name, autocomplete: 'name', errors, required: true })}
  ${selectField({ name: 'locale', label: t('field.language'), value: values.locale, errors, options: [{ value: 'nl', label: 'Nederlands' }, { value: 'en', label: 'English' }] })}
  <button type="submit">${t('account.save')}</button>
</form>
<h2>${t('account.security')}</h2>
<ul class="links">
  <li><a href="/account/password">${t('account.changePassword')}</a></li>
  <li><a href="/account/2fa">${t('twoFactor.title')}</a></li>
  <li><a href="/account/app">${t('app.title')}</a></li>
  <li><a href="/account/devices">${t('devices.title')}</a></li>
  <li><a href="/account/activity">${t('activity.title')}</a></li>
</ul>`;
  return { html: renderPage(ctx, { title: t('account.title'), body, errors, notice }) };
}

export const showAccount: PageHandler = async (page) => {
  const account = page.ctx.account!;
  const notice = page.query.saved === '1' ? page.ctx.t('account.saved') : page.query.passwordChanged === '1' ? page.ctx.t('password.changed') : undefined;
  return accountPage(page, { name: account.name, locale: account.locale ?? page.ctx.locale }, undefined, notice);
};

export const submitAccount: PageHandler = async (page) => {
  const { deps, ctx, body } = page;
  const account = ctx.account!;
  const name = field(body, 'name').trim();
  const locale = field(body, 'locale');
  const errors: FormErrors = {};
  if (validName(name) === null) errors.name = ctx.t('register.error.name');
  if (!isLocale(locale)) errors.locale = ctx.t('account.error.locale');
  if (Object.keys(errors).length > 0 || !isLocale(locale)) return accountPage(page, { name, locale }, errors);
  await deps.db.transaction(async (tx) => {
    await updateProfile(tx, ctx.org.tenantId, account.id, { name, locale });
    await recordAudit(tx, deps.clock.now(), ctx.client, { tenantId: ctx.org.tenantId, event: 'profile_updated', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { locale } });
  });
  return { redirect: '/account?saved=1' };
};

async function passwordPage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const factor = await findFactorInForce(deps.db, ctx.org, ctx.account!);
  const hasFactor = factor !== null;
  const t = ctx.t;
  const body = html`<p>${t('password.change.intro')}</p>
<form method="post" action="/account/password" novalidate>
  ${csrfField(ctx)}
  <input type="text" name="username" autocomplete="username" value="${ctx.account!.email}" hidden>
  ${inputField({ name: 'currentPassword', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true })}
  ${newPasswordFields(ctx, errors)}
  ${hasFactor ? inputField({ name: 'code', label: t('field.code'), hint: t('password.change.codeHint'), autocomplete: 'one-time-code', inputMode: 'numeric', errors, required: true }) : null}
  <button type="submit">${t('password.change.submit')}</button>
</form>
${smsCodeButton(ctx, factor, '/account/password')}`;
  return { html: renderPage(ctx, { title: t('password.change.title'), body, errors, strengthHint: true, notice: smsNotice(ctx, page.query) }) };
}

export const showPasswordChange: PageHandler = async (page) => passwordPage(page);

export const submitPasswordChange: PageHandler = async (page) => {
  const { deps, ctx, body, reply } = page;
  const input = { currentPassword: field(body, 'currentPassword'), password: field(body, 'password'), passwordConfirm: field(body, 'passwordConfirm'), code: field(body, 'code') };
  const outcome = await changePassword(deps, ctx.org, ctx.account!, ctx.session!.id, ctx.client, input);
  if (!outcome.ok) {
    if (outcome.error === 'wrong_current_password') return passwordPage(page, { currentPassword: ctx.t('password.error.current') });
    if (outcome.error === 'code_rejected') return passwordPage(page, { code: codeErrorText(ctx, outcome.check) });
    return passwordPage(page, passwordProblemErrors(ctx, outcome.problems, input.password));
  }
  // The change proved the password (and the code, with 2FA): the session keeps both proofs.
  const hasFactor = (await findFactorInForce(deps.db, ctx.org, ctx.account!)) !== null;
  const rotated = await rotateSession(deps.db, deps, ctx.session!, { kind: 'step_up', password: true, code: hasFactor });
  if (rotated) setSessionCookie(reply, deps, rotated.cookieValue);
  return { redirect: '/account?passwordChanged=1' };
};
