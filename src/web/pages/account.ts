import { html } from '../../core/html.js';
import { viewTwoFactor } from '../../flows/two-factor-settings.js';
import { updateOwnProfile } from '../../flows/account-profile.js';
import { changePassword } from '../../flows/password-change.js';
import { describeStepUp } from '../../flows/step-up.js';
import { field } from '../../http/form-body.js';
import { sessionTargetOf } from '../context.js';
import { inputField, selectField } from '../fields.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { passkeyStepUpOption, smsCodeButton, smsNotice, stepUpErrors, stepUpProofsOf } from './code-fields.js';
import { newPasswordFields, passwordProblemErrors } from './password-fields.js';

/**
 * Home (issue 12 stumble 11): after the welcome link a new client lands here; it says what is
 * worth doing next: two-step verification where the organization leaves it to them and it is not
 * on yet, linking the app, and where to find help.
 */
export const showHome: PageHandler = async ({ ctx, deps }) => {
  const account = ctx.account!;
  const t = ctx.t;
  const twoFactor = await viewTwoFactor(deps, ctx.org, { account, session: ctx.session! });
  const offerTwoFactor = twoFactor.mayTurnOff && twoFactor.factor === null && !twoFactor.passkeySecondStep;
  const body = html`<p>${t('home.loggedInAs', { name: account.name, email: account.email })}</p>
<h2>${t('home.next')}</h2>
<ul class="next-steps">
  ${offerTwoFactor ? html`<li><a href="/account/2fa/setup">${t('home.next.twoFactor')}</a><p class="hint">${t('home.next.twoFactor.why')}</p></li>` : null}
  <li><a href="/account/app">${t('home.next.app')}</a><p class="hint">${t('home.next.app.why')}</p></li>
  <li><a href="/account">${t('nav.account')}</a><p class="hint">${t('home.next.account.why')}</p></li>
  ${account.role !== 'client' ? html`<li><a href="/staff/accounts">${t('nav.staff')}</a></li>` : null}
  <li><a href="/help">${t('nav.help')}</a><p class="hint">${t('home.next.help.why')}</p></li>
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
  <li><a href="/account/passkeys">${t('passkeys.title')}</a></li>
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
  const input = { name: field(body, 'name'), locale: field(body, 'locale') };
  const updated = await updateOwnProfile(deps, ctx.org, ctx.client, ctx.account!, input);
  if (!updated.ok) {
    const errors: FormErrors = {};
    if (updated.problems.name) errors.name = ctx.t('register.error.name');
    if (updated.problems.locale) errors.locale = ctx.t('account.error.locale');
    return accountPage(page, { name: input.name.trim(), locale: input.locale }, errors);
  }
  return { redirect: '/account?saved=1' };
};

async function passwordPage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const asks = await describeStepUp(deps, ctx.org, { account: ctx.account!, session: ctx.session! }, 'change_password');
  const body = html`<p>${t('password.change.intro')}</p>
<form method="post" action="/account/password" novalidate>
  ${csrfField(ctx)}
  <input type="text" name="username" autocomplete="username" value="${ctx.account!.email}" hidden>
  ${asks.passkeyOnly ? null : inputField({ name: 'currentPassword', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true })}
  ${newPasswordFields(ctx, errors)}
  ${asks.code && !asks.passkeyOnly ? inputField({ name: 'code', label: t('field.code'), hint: t('password.change.codeHint'), autocomplete: 'one-time-code', inputMode: 'numeric', errors, required: true }) : null}
  ${passkeyStepUpOption(ctx, asks, errors)}
  <button type="submit">${t('password.change.submit')}</button>
</form>
${smsCodeButton(ctx, asks.codeMethod, '/account/password')}`;
  return { html: renderPage(ctx, { title: t('password.change.title'), body, errors, strengthHint: true, notice: smsNotice(ctx, page.query), passkeyScript: asks.passkey }) };
}

export const showPasswordChange: PageHandler = async (page) => passwordPage(page);

export const submitPasswordChange: PageHandler = async (page) => {
  const { deps, ctx, body, reply } = page;
  const input = { currentPassword: field(body, 'currentPassword'), password: field(body, 'password'), passwordConfirm: field(body, 'passwordConfirm'), code: field(body, 'code'), passkey: field(body, 'passkeyResponse'), locale: ctx.locale };
  const changed = await changePassword(deps, ctx.org, ctx.client, sessionTargetOf(deps, ctx, reply, ctx.account!), input);
  if (!changed.ok) {
    if (changed.error === 'password_rejected') return passwordPage(page, passwordProblemErrors(ctx, changed.rejection));
    return passwordPage(page, stepUpErrors(ctx, changed, { password: 'currentPassword' }));
  }
  return { redirect: '/account?passwordChanged=1' };
};
