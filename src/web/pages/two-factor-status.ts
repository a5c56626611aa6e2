import { html } from '../../core/html.js';
import { changeCodeValidity, forgetTrustedBrowser, regenerateRecoveryCodes, turnOffTwoFactor, viewTwoFactor, type TwoFactorStatus } from '../../flows/two-factor-settings.js';
import { field } from '../../http/form-body.js';
import { sessionTargetOf, type WebContext } from '../context.js';
import { inputField, selectField } from '../fields.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { passkeyStepUpOption, smsCodeButton, smsNotice, stepUpErrors } from './code-fields.js';

const target = (page: PageRequest) => sessionTargetOf(page.deps, page.ctx, page.reply, page.ctx.account!);

function passwordField(ctx: WebContext, asks: { password: boolean }, errors: FormErrors | undefined, id: string) {
  if (!asks.password) return null;
  return inputField({ name: 'password', id, label: ctx.t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true });
}

function turnOffForm(ctx: WebContext, status: TwoFactorStatus, errors?: FormErrors) {
  if (!status.mayTurnOff) return html`<p>${ctx.t('twoFactor.required')}</p>`;
  const t = ctx.t;
  return html`<h2>${t('twoFactor.turnOff')}</h2>
<form method="post" action="/account/2fa/disable" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'password', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true })}
  ${inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors, required: true })}
  ${passkeyStepUpOption(ctx, { password: true, code: true, codeMethod: status.factor?.method ?? null, passkey: status.passkeys > 0, passkeyOnly: false }, errors)}
  <button type="submit">${t('twoFactor.turnOff')}</button>
</form>
${smsCodeButton(ctx, status.factor?.method ?? null, '/account/2fa')}`;
}

async function twoFactorPage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const status = await viewTwoFactor(deps, ctx.org, target(page));
  const done = page.query.done;
  const notice =
    done === 'recovery'
      ? t('recovery.used', { count: String(status.recoveryCodesLeft) })
      : done === 'off' || done === 'on' || done === 'saved'
        ? t(`twoFactor.done.${done}`)
        : smsNotice(ctx, page.query);
  if (!status.factor && !status.passkeySecondStep) {
    const body = html`<p>${t('twoFactor.off')}</p><p>${t('twoFactor.why')}</p><p><a class="button" href="/account/2fa/setup">${t('twoFactor.setUp')}</a></p>`;
    return { html: renderPage(ctx, { title: t('twoFactor.title'), body, notice, errors }) };
  }
  const factorText = status.factor ? html`<p>${t(status.factor.method === 'totp' ? 'twoFactor.on.totp' : 'twoFactor.on.sms', { phone: status.factor.phone ?? '' })}</p>` : null;
  const passkeyText = status.passkeySecondStep ? html`<p>${t('twoFactor.on.passkey', { count: status.passkeys })} <a href="/account/passkeys">${t('passkeys.title')}</a></p>` : null;
  const body = html`${factorText}
${passkeyText}
<p>${t('twoFactor.recoveryLeft', { count: status.recoveryCodesLeft })}</p>
<h2>${t('twoFactor.newCodes')}</h2>
<form method="post" action="/account/2fa/recovery-codes/new" novalidate>
  ${csrfField(ctx)}
  ${passwordField(ctx, status.asks.new_recovery_codes, errors, 'newCodesPassword')}
  <button type="submit">${t('twoFactor.newCodes')}</button>
</form>
<h2>${t('validity.title')}</h2>
<form method="post" action="/account/2fa/validity" novalidate>
  ${csrfField(ctx)}
  ${selectField({ name: 'validity', label: t('validity.label'), value: status.validity, errors, options: status.validityChoices.map((v) => ({ value: v, label: t(`validity.${v}`) })) })}
  ${passwordField(ctx, status.asks.change_two_factor_settings, errors, 'validityPassword')}
  <button type="submit">${t('account.save')}</button>
</form>
${status.trustedBrowsers.length > 0
  ? html`<h3>${t('validity.trusted')}</h3>
<ul class="trusted">${status.trustedBrowsers.map(
      (b) => html`<li>${b.name} · ${t('validity.lastUsed', { time: b.lastUsedAt.toISOString().slice(0, 16).replace('T', ' ') })}
  <form method="post" action="/account/2fa/trusted/${b.id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="link">${t('validity.remove')}<span class="visually-hidden"> ${b.name}</span></button></form></li>`,
    )}</ul>`
  : null}
<h2>${t('twoFactor.change')}</h2>
<p><a href="/account/2fa/setup">${t(status.factor ? 'twoFactor.changeLink' : 'twoFactor.addApp')}</a></p>
${status.factor ? turnOffForm(ctx, status, errors) : null}`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('twoFactor.title'), body, notice, errors, passkeyScript: status.factor !== null && status.passkeys > 0 }) };
}

export const showTwoFactor: PageHandler = async (page) => twoFactorPage(page);

/** SPEC 4.5: changing the code validity asks the password. */
export const submitValidity: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const changed = await changeCodeValidity(deps, ctx.org, ctx.client, target(page), { validity: field(page.body, 'validity'), password: field(page.body, 'password') });
  if (!changed.ok) {
    if (changed.error === 'invalid_validity') return twoFactorPage(page, { validity: ctx.t('validity.error') });
    return twoFactorPage(page, stepUpErrors(ctx, changed, { password: 'validityPassword' }));
  }
  return { redirect: '/account/2fa?done=saved' };
};

export const submitRemoveTrusted: PageHandler = async (page) => {
  await forgetTrustedBrowser(page.deps, page.ctx.org, page.ctx.client, page.ctx.account!, page.params.id ?? '');
  return { redirect: '/account/2fa?done=saved' };
};

export const submitNewRecoveryCodes: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const made = await regenerateRecoveryCodes(deps, ctx.org, ctx.client, target(page), { password: field(page.body, 'password') });
  if (!made.ok) return made.error === 'no_factor' ? { redirect: '/account/2fa' } : twoFactorPage(page, stepUpErrors(ctx, made, { password: 'newCodesPassword' }));
  return { redirect: '/account/2fa/recovery-codes' };
};

/** SPEC 4.5: turning it off asks the password and a code, always, and only where optional. */
export const submitTurnOff: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const off = await turnOffTwoFactor(deps, ctx.org, ctx.client, target(page), { password: field(page.body, 'password'), code: field(page.body, 'code'), passkey: field(page.body, 'passkeyResponse') });
  if (!off.ok) return twoFactorPage(page, off.error === 'required_by_policy' ? { code: ctx.t('twoFactor.required') } : stepUpErrors(ctx, off));
  return { redirect: '/account/2fa?done=off' };
};
