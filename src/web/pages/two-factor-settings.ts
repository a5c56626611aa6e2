import QRCode from 'qrcode';
import { recordAudit } from '../../audit/audit.js';
import { html } from '../../core/html.js';
import { countRemainingRecoveryCodes } from '../../factors/recovery-codes/store.js';
import { findActiveFactor, findPendingFactor } from '../../factors/second-factor/store.js';
import { encodeBase32 } from '../../factors/totp/base32.js';
import { allowedValidities, effectiveValidity, isCodeValidity, listTrustedBrowsers, removeTrustedBrowser, setCodeValidity } from '../../factors/trusted-browser/store.js';
import { otpauthUri } from '../../factors/totp/otpauth-uri.js';
import { attemptPassword } from '../../flows/password-attempt.js';
import { checkSecondFactor } from '../../flows/second-factor-check.js';
import {
  confirmRecoveryCodesStored,
  confirmSetup,
  mayTurnOff,
  normalizePhone,
  offeredMethods,
  pendingTotpSecret,
  recoveryCodesOnDisplay,
  regenerateRecoveryCodes,
  sendSmsCode,
  startSmsSetup,
  startTotpSetup,
  turnOffTwoFactor,
} from '../../flows/two-factor.js';
import { normalizeEmail } from '../../accounts/email.js';
import { hasFreshProof } from '../../sessions/next-step.js';
import { rotateSession } from '../../sessions/sessions.js';
import { setSessionCookie, standingAccount } from '../context.js';
import { inputField, selectField } from '../fields.js';
import { field } from '../form-body.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { codeErrorText, smsCodeButton, smsErrorText, smsNotice } from './second-factor-login.js';

/**
 * Step-up by password (SPEC 4.5: turn on, change settings, new recovery codes): asked unless the
 * session proved the password in the last 10 minutes. A right password is a fresh proof (and a
 * new session id); a wrong one counts like a failed login.
 */
async function passwordStepUp(page: PageRequest): Promise<{ ok: true } | { ok: false; error: string }> {
  const { ctx, deps, reply } = page;
  const account = standingAccount(ctx)!;
  if (hasFreshProof(ctx.session!, deps.clock.now(), 'password')) return { ok: true };
  const attempt = await attemptPassword(deps, ctx.org, ctx.client, account, normalizeEmail(account.email), field(page.body, 'password'));
  if (!attempt.ok) {
    await recordStepUp(page, false);
    return { ok: false, error: attempt.reason === 'rate_limited' ? ctx.t('login.error.rateLimited', { minutes: Math.ceil(attempt.retryAfterSeconds / 60) }) : ctx.t('password.error.current') };
  }
  const rotated = await rotateSession(deps.db, deps, ctx.session!, { kind: 'step_up', password: true, code: false });
  if (rotated) {
    setSessionCookie(reply, deps, rotated.cookieValue);
    ctx.session = rotated.session;
  }
  await recordStepUp(page, true);
  return { ok: true };
}

async function recordStepUp(page: PageRequest, ok: boolean): Promise<void> {
  const account = standingAccount(page.ctx)!;
  await recordAudit(page.deps.db, page.deps.clock.now(), page.ctx.client, {
    tenantId: page.ctx.org.tenantId,
    event: ok ? 'step_up_succeeded' : 'step_up_failed',
    outcome: ok ? 'success' : 'failure',
    actorAccountId: account.id,
    subjectAccountId: account.id,
    details: { path: page.request.url.split('?')[0] ?? '' },
  });
}

function passwordFieldIfNeeded(page: PageRequest, errors?: FormErrors, id = 'password') {
  if (hasFreshProof(page.ctx.session!, page.deps.clock.now(), 'password')) return null;
  return inputField({ name: 'password', id, label: page.ctx.t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true });
}

export const showTwoFactor: PageHandler = async (page) => twoFactorPage(page);

async function twoFactorPage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const account = ctx.account!;
  const t = ctx.t;
  const factor = await findActiveFactor(deps.db, ctx.org.tenantId, account.id);
  const remaining = await countRemainingRecoveryCodes(deps.db, ctx.org.tenantId, account.id);
  const done = page.query.done;
  const notice =
    done === 'recovery'
      ? t('recovery.used', { count: String(remaining) })
      : done === 'off' || done === 'on' || done === 'saved'
        ? t(`twoFactor.done.${done}`)
        : smsNotice(ctx, page.query);
  if (!factor) {
    const body = html`<p>${t('twoFactor.off')}</p><p>${t('twoFactor.why')}</p><p><a class="button" href="/account/2fa/setup">${t('twoFactor.setUp')}</a></p>`;
    return { html: renderPage(ctx, { title: t('twoFactor.title'), body, notice, errors }) };
  }
  const trusted = await listTrustedBrowsers(deps.db, ctx.org.tenantId, account.id, deps.clock.now());
  const body = html`<p>${t(factor.method === 'totp' ? 'twoFactor.on.totp' : 'twoFactor.on.sms', { phone: factor.phone ?? '' })}</p>
<p>${t('twoFactor.recoveryLeft', { count: remaining })}</p>
<h2>${t('twoFactor.newCodes')}</h2>
<form method="post" action="/account/2fa/recovery-codes/new" novalidate>
  ${csrfField(ctx)}
  ${passwordFieldIfNeeded(page, errors, 'newCodesPassword')}
  <button type="submit">${t('twoFactor.newCodes')}</button>
</form>
<h2>${t('validity.title')}</h2>
<form method="post" action="/account/2fa/validity" novalidate>
  ${csrfField(ctx)}
  ${selectField({
    name: 'validity',
    label: t('validity.label'),
    value: effectiveValidity(account.codeValidity, ctx.org.policy),
    errors,
    options: allowedValidities(ctx.org.policy).map((v) => ({ value: v, label: t(`validity.${v}`) })),
  })}
  ${passwordFieldIfNeeded(page, errors, 'validityPassword')}
  <button type="submit">${t('account.save')}</button>
</form>
${trusted.length > 0
  ? html`<h3>${t('validity.trusted')}</h3>
<ul class="trusted">${trusted.map(
      (b) => html`<li>${b.name} · ${t('validity.lastUsed', { time: b.lastUsedAt.toISOString().slice(0, 16).replace('T', ' ') })}
  <form method="post" action="/account/2fa/trusted/${b.id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="link">${t('validity.remove')}<span class="visually-hidden"> ${b.name}</span></button></form></li>`,
    )}</ul>`
  : null}
<h2>${t('twoFactor.change')}</h2>
<p><a href="/account/2fa/setup">${t('twoFactor.changeLink')}</a></p>
${mayTurnOff(ctx.org, account)
  ? html`<h2>${t('twoFactor.turnOff')}</h2>
<form method="post" action="/account/2fa/disable" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'password', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true })}
  ${inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors, required: true })}
  <button type="submit">${t('twoFactor.turnOff')}</button>
</form>
${smsCodeButton(ctx, factor, '/account/2fa')}`
  : html`<p>${t('twoFactor.required')}</p>`}`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('twoFactor.title'), body, notice, errors }) };
}

function setupChoicePage(page: PageRequest, errors?: FormErrors, values: { method?: string; phone?: string } = {}): PageResult {
  const { ctx, deps } = page;
  const t = ctx.t;
  const methods = offeredMethods(deps, ctx.org);
  const forced = ctx.standing.kind === 'needs_two_factor_setup';
  const chosen = values.method ?? methods[0] ?? 'totp';
  const body = html`${forced ? html`<p>${t('setup.forced', { org: ctx.org.name })}</p>` : null}
<form method="post" action="/account/2fa/setup" novalidate>
  ${csrfField(ctx)}
  <fieldset>
    <legend>${t('setup.method')}</legend>
    ${methods.map(
      (m) => html`<div class="choice"><input type="radio" id="method-${m}" name="method" value="${m}"${m === chosen ? html` checked` : null}><label for="method-${m}">${t(m === 'totp' ? 'setup.method.totp' : 'setup.method.sms')}</label></div>`,
    )}
  </fieldset>
  ${methods.includes('sms') ? inputField({ name: 'phone', label: t('field.phone'), type: 'tel', hint: t('setup.phoneHint'), value: values.phone ?? '', errors, autocomplete: 'tel' }) : null}
  ${passwordFieldIfNeeded(page, errors)}
  <button type="submit">${t('setup.continue')}</button>
</form>`;
  return { html: renderPage(ctx, { title: t('setup.title'), body, errors }) };
}

export const showSetup: PageHandler = async (page) => setupChoicePage(page);

export const submitSetup: PageHandler = async (page) => {
  const { ctx, deps, body } = page;
  const account = standingAccount(ctx)!;
  const method = field(body, 'method');
  const phoneInput = field(body, 'phone');
  if (!offeredMethods(deps, ctx.org).includes(method as 'totp' | 'sms')) return setupChoicePage(page, { method: ctx.t('setup.error.method') }, { phone: phoneInput });
  const phone = method === 'sms' ? normalizePhone(phoneInput) : null;
  if (method === 'sms' && !phone) return setupChoicePage(page, { phone: ctx.t('setup.error.phone') }, { method, phone: phoneInput });
  const stepUp = await passwordStepUp(page);
  if (!stepUp.ok) return setupChoicePage(page, { password: stepUp.error }, { method, phone: phoneInput });
  const session = ctx.session!;
  if (method === 'totp') {
    await startTotpSetup(deps, ctx.org, account, session.id);
    return { redirect: '/account/2fa/setup/totp' };
  }
  // Only a number that really got a code becomes the pending one (an unsent number changes nothing).
  const sent = await sendSmsCode(deps, ctx.org, account, { sessionId: session.id, purpose: 'setup', phone: phone!, locale: ctx.locale }, ctx.client);
  if (!sent.ok) return setupChoicePage(page, { phone: smsErrorText(ctx, sent) }, { method, phone: phoneInput });
  await startSmsSetup(deps, ctx.org, account, session.id, phone!);
  return { redirect: '/account/2fa/setup/sms' };
};

async function confirmPage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const account = standingAccount(ctx)!;
  const pending = await findPendingFactor(deps.db, ctx.org.tenantId, account.id, ctx.session!.id);
  if (!pending) return { redirect: '/account/2fa/setup' };
  let intro;
  if (pending.method === 'totp') {
    const secret = encodeBase32(pendingTotpSecret(deps, pending));
    const uri = otpauthUri({ orgName: ctx.org.name, email: account.email, secretBase32: secret });
    const qr = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
    intro = html`<ol>
  <li>${t('setup.totp.step1')}</li>
  <li>${t('setup.totp.step2')}</li>
</ol>
<img class="qr" src="${qr}" width="240" height="240" alt="${t('setup.totp.qrAlt')}">
<p>${t('setup.totp.manual')} <code class="secret">${secret.replace(/(.{4})(?=.)/g, '$1 ')}</code></p>
<p>${t('setup.totp.step3')}</p>`;
  } else {
    intro = html`<p>${t('setup.sms.sent', { phone: pending.phone ?? '' })}</p>`;
  }
  const action = pending.method === 'totp' ? '/account/2fa/setup/totp' : '/account/2fa/setup/sms';
  const body = html`${intro}
<form method="post" action="${action}" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'code', label: t('field.code'), errors, autocomplete: 'one-time-code', inputMode: 'numeric', required: true })}
  <button type="submit">${t('setup.confirm')}</button>
</form>
${pending.method === 'sms' ? html`<form method="post" action="/account/2fa/setup/sms/resend" class="inline">${csrfField(ctx)}<button type="submit" class="link">${t('code.resend')}</button></form>` : null}
<p><a href="/account/2fa/setup">${t('setup.back')}</a></p>`;
  return { html: renderPage(ctx, { title: t(pending.method === 'totp' ? 'setup.totp.title' : 'setup.sms.title'), body, errors }) };
}

export const showConfirmSetup: PageHandler = async (page) => confirmPage(page);

export const submitConfirmSetup: PageHandler = async (page) => {
  const { ctx, deps, reply } = page;
  const account = standingAccount(ctx)!;
  const pending = await findPendingFactor(deps.db, ctx.org.tenantId, account.id, ctx.session!.id);
  const outcome = await confirmSetup(deps, ctx.org, account, pending, ctx.session!.id, field(page.body, 'code'), ctx.client);
  if (!outcome.ok) return outcome.error === 'no_setup' ? { redirect: '/account/2fa/setup' } : confirmPage(page, { code: ctx.t('code.error.invalid') });
  // Proving possession of the new factor counts as the code step for this session.
  const rotated = await rotateSession(deps.db, deps, ctx.session!, { kind: 'second_factor_verified' });
  if (rotated) setSessionCookie(reply, deps, rotated.cookieValue);
  return { redirect: '/account/2fa/recovery-codes' };
};

export const resendSetupSms: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = standingAccount(ctx)!;
  const pending = await findPendingFactor(deps.db, ctx.org.tenantId, account.id, ctx.session!.id);
  if (!pending?.phone) return { redirect: '/account/2fa/setup' };
  const sent = await sendSmsCode(deps, ctx.org, account, { sessionId: ctx.session!.id, purpose: 'setup', phone: pending.phone, locale: ctx.locale }, ctx.client);
  return confirmPage(page, sent.ok ? undefined : { code: smsErrorText(ctx, sent) });
};

function recoveryCodesPage(page: PageRequest, codes: string[], errors?: FormErrors): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const text = `${t('recovery.fileHeader', { org: ctx.org.name, email: standingAccount(ctx)!.email })}\n\n${codes.join('\n')}\n`;
  const body = html`<p>${t('recovery.show.intro')}</p>
<ul class="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p class="actions no-print">
  <a class="button" download="recovery-codes-${ctx.org.slug}.txt" href="data:text/plain;charset=utf-8,${encodeURIComponent(text)}">${t('recovery.download')}</a>
  <button type="button" data-print>${t('recovery.print')}</button>
</p>
<form method="post" action="/account/2fa/recovery-codes" novalidate class="no-print">
  ${csrfField(ctx)}
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
  const sealed = page.ctx.session?.recoveryCodesSealed;
  if (!sealed) return { redirect: '/account/2fa' };
  return recoveryCodesPage(page, recoveryCodesOnDisplay(page.deps, standingAccount(page.ctx)!, sealed));
};

export const submitRecoveryCodesStored: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const sealed = ctx.session?.recoveryCodesSealed;
  if (!sealed) return { redirect: '/account/2fa' };
  const account = standingAccount(ctx)!;
  if (field(page.body, 'stored') !== 'yes') return recoveryCodesPage(page, recoveryCodesOnDisplay(deps, account, sealed), { stored: ctx.t('recovery.error.stored') });
  await confirmRecoveryCodesStored(deps, account, ctx.session!.id);
  return { redirect: '/account/2fa?done=on' };
};

/** SPEC 4.5: changing the code validity asks the password. */
export const submitValidity: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = ctx.account!;
  const validity = field(page.body, 'validity');
  if (!isCodeValidity(validity) || !allowedValidities(ctx.org.policy).includes(validity)) return twoFactorPage(page, { validity: ctx.t('validity.error') });
  const stepUp = await passwordStepUp(page);
  if (!stepUp.ok) return twoFactorPage(page, { validityPassword: stepUp.error });
  await setCodeValidity(deps.db, ctx.org.tenantId, account.id, validity);
  await recordAudit(deps.db, deps.clock.now(), ctx.client, { tenantId: ctx.org.tenantId, event: 'two_factor_settings_changed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { codeValidity: validity } });
  return { redirect: '/account/2fa?done=saved' };
};

export const submitRemoveTrusted: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = ctx.account!;
  if (await removeTrustedBrowser(deps.db, ctx.org.tenantId, account.id, page.params.id ?? '')) {
    await recordAudit(deps.db, deps.clock.now(), ctx.client, { tenantId: ctx.org.tenantId, event: 'trusted_browser_removed', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
  }
  return { redirect: '/account/2fa?done=saved' };
};

export const submitNewRecoveryCodes: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = ctx.account!;
  const stepUp = await passwordStepUp(page);
  if (!stepUp.ok) return twoFactorPage(page, { newCodesPassword: stepUp.error });
  if (!(await findActiveFactor(deps.db, ctx.org.tenantId, account.id))) return { redirect: '/account/2fa' };
  await regenerateRecoveryCodes(deps, ctx.org, account, ctx.session!.id, ctx.client);
  return { redirect: '/account/2fa/recovery-codes' };
};

/** SPEC 4.5: turning it off asks the password and a code, always, and only where optional. */
export const submitTurnOff: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = ctx.account!;
  if (!mayTurnOff(ctx.org, account)) return twoFactorPage(page, { code: ctx.t('twoFactor.required') });
  const attempt = await attemptPassword(deps, ctx.org, ctx.client, account, normalizeEmail(account.email), field(page.body, 'password'));
  if (!attempt.ok) {
    await recordStepUp(page, false);
    return twoFactorPage(page, { password: ctx.t('password.error.current') });
  }
  const code = await checkSecondFactor(deps, ctx.org, account, ctx.session!.id, ctx.client, { code: field(page.body, 'code') }, 'confirm');
  if (!code.ok) return twoFactorPage(page, { code: codeErrorText(ctx, code) });
  await turnOffTwoFactor(deps, ctx.org, account, ctx.client);
  // A step-up with password and code: a new session id (SECURITY 15).
  const rotated = await rotateSession(deps.db, deps, ctx.session!, { kind: 'step_up', password: true, code: true });
  if (rotated) setSessionCookie(page.reply, deps, rotated.cookieValue);
  return { redirect: '/account/2fa?done=off' };
};
