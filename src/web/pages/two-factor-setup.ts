import QRCode from 'qrcode';
import { html } from '../../core/html.js';
import {
  confirmRecoveryCodesStored,
  confirmTwoFactorSetup,
  describeSetupStepUp,
  offeredMethods,
  recoveryCodesOnDisplay,
  resendSetupCode,
  startTwoFactorSetup,
  viewPendingSetup,
} from '../../flows/two-factor-setup.js';
import { passkeyCountsFor } from '../../flows/passkeys.js';
import { field } from '../../http/form-body.js';
import { sessionTargetOf, standingAccount } from '../context.js';
import { inputField } from '../fields.js';
import { formatCountries } from '../format.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import { passkeyStepUpOption, smsCodeButton, smsErrorText, smsNotice, stepUpErrors } from './code-fields.js';

/**
 * Where a login continues after the setup it led to (an application asked for two steps, SPEC
 * 10): carried through the setup's pages, followed once the recovery codes are stored.
 */
function carriedReturnTo(page: PageRequest): string | null {
  const safe = safeReturnTo(page.body.returnTo ?? page.query.returnTo);
  return safe === '/' ? null : safe;
}
const withReturnTo = (path: string, returnTo: string | null) => (returnTo ? `${path}?returnTo=${encodeURIComponent(returnTo)}` : path);
const returnToField = (returnTo: string | null) => (returnTo ? html`<input type="hidden" name="returnTo" value="${returnTo}">` : null);

/** `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`: easier to read out and type. */
const groupsOfFour = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

const target = (page: PageRequest) => sessionTargetOf(page.deps, page.ctx, page.reply, standingAccount(page.ctx)!);

async function setupChoicePage(page: PageRequest, errors?: FormErrors, values: { method?: string; phone?: string } = {}): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const account = standingAccount(ctx)!;
  const methods = offeredMethods(deps, ctx.org, account.role);
  const passkey = passkeyCountsFor(ctx.org.policy, account.role);
  const forced = ctx.standing.kind === 'needs_two_factor_setup';
  const { asks, form: setupForm } = await setupChoiceForm(page, methods, errors, values);
  const returnTo = carriedReturnTo(page);
  const body = html`${forced ? html`<p>${t('setup.forced', { org: ctx.org.name })}</p>` : null}
${returnTo?.startsWith('/oidc/interaction/') ? html`<p>${t('setup.forApplication')}</p>` : null}
${methods.length > 0 || !passkey ? setupForm : null}
${passkey
  ? html`<section aria-labelledby="setup-passkey-title">
  <h2 id="setup-passkey-title">${t(methods.length > 0 ? 'setup.passkey.or' : 'setup.passkey.title')}</h2>
  <p>${t('setup.passkey.text')}</p>
  <p><a class="button" href="/account/passkeys">${t('passkeys.add')}</a></p>
</section>`
  : null}`;
  return { html: renderPage(ctx, { title: t('setup.title'), body, errors, notice: smsNotice(ctx, page.query), passkeyScript: asks.passkey }) };
}

async function setupChoiceForm(page: PageRequest, methods: string[], errors: FormErrors | undefined, values: { method?: string; phone?: string }) {
  const { ctx, deps } = page;
  const t = ctx.t;
  const chosen = values.method ?? methods[0] ?? 'totp';
  const asks = await describeSetupStepUp(deps, ctx.org, target(page));
  const returnTo = carriedReturnTo(page);
  return { asks, form: html`<form method="post" action="/account/2fa/setup" novalidate>
  ${csrfField(ctx)}
  ${returnToField(returnTo)}
  <fieldset>
    <legend>${t('setup.method')}</legend>
    ${methods.map(
      (m) => html`<div class="choice"><input type="radio" id="method-${m}" name="method" value="${m}"${m === chosen ? html` checked` : null}><label for="method-${m}">${t(m === 'totp' ? 'setup.method.totp' : 'setup.method.sms')}</label></div>`,
    )}
  </fieldset>
  ${methods.includes('sms') ? inputField({ name: 'phone', label: t('field.phone'), type: 'tel', hint: t('setup.phoneHint'), value: values.phone ?? '', errors, autocomplete: 'tel' }) : null}
  ${asks.password ? inputField({ name: 'password', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true }) : null}
  ${asks.code
    ? html`<p>${t(asks.passkeyOnly ? 'setup.replace.passkeyHint' : 'setup.replace.codeHint')}</p>
  ${asks.passkeyOnly ? null : inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors })}
  ${inputField({ name: 'recoveryCode', label: t('field.recoveryCode'), autocomplete: 'off', errors })}`
    : null}
  ${passkeyStepUpOption(ctx, asks, errors)}
  <button type="submit">${t('setup.continue')}</button>
</form>
${smsCodeButton(ctx, asks.codeMethod, '/account/2fa/setup')}` };
}

export const showSetup: PageHandler = async (page) => setupChoicePage(page);

export const submitSetup: PageHandler = async (page) => {
  const { ctx, deps, body, reply } = page;
  const input = { method: field(body, 'method'), phone: field(body, 'phone'), password: field(body, 'password'), code: field(body, 'code'), recoveryCode: field(body, 'recoveryCode'), passkey: field(body, 'passkeyResponse'), locale: ctx.locale };
  const started = await startTwoFactorSetup(deps, ctx.org, ctx.client, target(page), input);
  if (!started.ok) {
    switch (started.error) {
      case 'method_not_offered':
        return setupChoicePage(page, { method: ctx.t('setup.error.method') }, { phone: input.phone });
      case 'invalid_phone':
        return setupChoicePage(page, { phone: ctx.t('setup.error.phone') }, input);
      case 'phone_not_mobile':
        return setupChoicePage(page, { phone: ctx.t('setup.error.phoneNotMobile') }, input);
      case 'phone_country':
        return setupChoicePage(page, { phone: ctx.t('setup.error.phoneCountry', { countries: formatCountries(ctx.org.policy.smsCountries, ctx.locale) }) }, input);
      case 'too_soon':
      case 'too_many':
      case 'limited_destination':
      case 'limited_network':
      case 'limited_organization':
      case 'number_not_allowed':
      case 'send_failed':
      case 'no_sms':
        return setupChoicePage(page, { phone: smsErrorText(ctx, started) }, input);
      default:
        return setupChoicePage(page, stepUpErrors(ctx, started), input);
    }
  }
  return { redirect: withReturnTo(started.method === 'totp' ? '/account/2fa/setup/totp' : '/account/2fa/setup/sms', carriedReturnTo(page)) };
};

async function confirmPage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const pending = await viewPendingSetup(deps, ctx.org, target(page));
  if (!pending) return { redirect: '/account/2fa/setup' };
  let intro;
  if (pending.method === 'totp') {
    // Drawn at three times the size it is shown: sharp on a phone's dense screen (Lighthouse image-size-responsive).
    const qr = await QRCode.toDataURL(pending.otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 720 });
    // Stumble 2: a patient with one phone cannot scan their own screen. The same otpauth:// URI
    // opens the authenticator app on this phone; the key, in groups of four, can be typed in.
    intro = html`<section aria-labelledby="what-is-an-authenticator">
  <h2 id="what-is-an-authenticator">${t('setup.totp.what.title')}</h2>
  <p>${t('setup.totp.what.text')}</p>
</section>
<h2>${t('setup.totp.onThisPhone')}</h2>
<p>${t('setup.totp.onThisPhone.text')}</p>
<p><a class="button secondary" href="${pending.otpauthUri}">${t('setup.totp.open')}</a></p>
<h2>${t('setup.totp.otherDevice')}</h2>
<ol>
  <li>${t('setup.totp.step1')}</li>
  <li>${t('setup.totp.step2')}</li>
</ol>
<img class="qr" src="${qr}" width="240" height="240" alt="${t('setup.totp.qrAlt')}">
<p>${t('setup.totp.manual')} <code class="secret">${groupsOfFour(pending.secretBase32)}</code></p>
<h2>${t('setup.totp.lastStep')}</h2>
<p>${t('setup.totp.step3')}</p>`;
  } else {
    intro = html`<p>${t('setup.sms.sent', { phone: pending.phone })}</p>`;
  }
  const action = pending.method === 'totp' ? '/account/2fa/setup/totp' : '/account/2fa/setup/sms';
  const returnTo = carriedReturnTo(page);
  const body = html`${intro}
<form method="post" action="${action}" novalidate>
  ${csrfField(ctx)}
  ${returnToField(returnTo)}
  ${inputField({ name: 'code', label: t('field.code'), errors, autocomplete: 'one-time-code', inputMode: 'numeric', required: true })}
  <button type="submit">${t('setup.confirm')}</button>
</form>
${pending.method === 'sms' ? html`<form method="post" action="/account/2fa/setup/sms/resend" class="inline">${csrfField(ctx)}${returnToField(returnTo)}<button type="submit" class="link">${t('code.resend')}</button></form>` : null}
<p><a href="${withReturnTo('/account/2fa/setup', returnTo)}">${t('setup.back')}</a></p>`;
  return { html: renderPage(ctx, { title: t(pending.method === 'totp' ? 'setup.totp.title' : 'setup.sms.title'), body, errors }) };
}

export const showConfirmSetup: PageHandler = async (page) => confirmPage(page);

export const submitConfirmSetup: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const confirmed = await confirmTwoFactorSetup(deps, ctx.org, ctx.client, target(page), field(page.body, 'code'));
  // During setup no code was used before: "already used" would only puzzle; the newest code is the one to try.
  if (!confirmed.ok) return confirmed.error === 'no_setup' ? { redirect: '/account/2fa/setup' } : confirmPage(page, { code: ctx.t('setup.error.code') });
  return { redirect: withReturnTo('/account/2fa/recovery-codes', carriedReturnTo(page)) };
};

export const resendSetupSms: PageHandler = async (page) => {
  const sent = await resendSetupCode(page.deps, page.ctx.org, page.ctx.client, target(page), page.ctx.locale);
  if (!sent.ok && sent.error === 'no_setup') return { redirect: '/account/2fa/setup' };
  return confirmPage(page, sent.ok ? undefined : { code: smsErrorText(page.ctx, sent) });
};

function recoveryCodesPage(page: PageRequest, codes: string[], errors?: FormErrors): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const text = `${t('recovery.fileHeader', { org: ctx.org.name, email: standingAccount(ctx)!.email })}\n\n${codes.join('\n')}\n`;
  const body = html`<p>${t('recovery.show.intro')}</p>
<ol class="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ol>
<p class="actions no-print">
  <a class="button" download="recovery-codes-${ctx.org.slug}.txt" href="data:text/plain;charset=utf-8,${encodeURIComponent(text)}">${t('recovery.download')}</a>
  <button type="button" class="secondary" data-print hidden>${t('recovery.print')}</button>
</p>
<form method="post" action="/account/2fa/recovery-codes" novalidate class="no-print">
  ${csrfField(ctx)}
  ${returnToField(carriedReturnTo(page))}
  <div class="field${errors?.stored ? ' field-error' : ''}">
    ${errors?.stored ? html`<p class="error" id="stored-error">${errors.stored}</p>` : null}
    <input type="checkbox" id="stored" name="stored" value="yes"${errors?.stored ? html` aria-invalid="true" aria-describedby="stored-error"` : null}>
    <label for="stored" class="inline-label">${t('recovery.stored')}</label>
  </div>
  <button type="submit">${t('recovery.continue')}</button>
</form>`;
  return { html: renderPage(ctx, { title: t('recovery.show.title'), body, errors, printScript: true }) };
}

export const showRecoveryCodes: PageHandler = async (page) => {
  const codes = recoveryCodesOnDisplay(page.deps, target(page));
  return codes ? recoveryCodesPage(page, codes) : { redirect: '/account/2fa' };
};

export const submitRecoveryCodesStored: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const codes = recoveryCodesOnDisplay(deps, target(page));
  if (!codes) return { redirect: '/account/2fa' };
  if (field(page.body, 'stored') !== 'yes') return recoveryCodesPage(page, codes, { stored: ctx.t('recovery.error.stored') });
  await confirmRecoveryCodesStored(deps, target(page));
  return { redirect: carriedReturnTo(page) ?? '/account/2fa?done=on' };
};
