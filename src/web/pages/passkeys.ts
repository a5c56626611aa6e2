import { html } from '../../core/html.js';
import { accountPasskeyOptions, passkeyCountsFor, finishAddingPasskey, isLastRequiredSecondStep, logInWithPasskey, passkeyLoginOptions, passkeysOf, removePasskey, startAddingPasskey } from '../../flows/passkeys.js';
import { field } from '../../http/form-body.js';
import { afterPasswordPath } from '../access.js';
import { adoptSession, sessionTargetOf, standingAccount, type WebContext } from '../context.js';
import { inputField } from '../fields.js';
import { formatTime } from '../format.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import { smsNotice, stepUpErrors, stepUpFields, stepUpProofsOf } from './code-fields.js';

/**
 * SPEC 11: /account/passkeys (list, add with a step-up, remove with a step-up) and the passkey
 * login of /login. The browser's part of each ceremony is static/passkeys.js, on the
 * SimpleWebAuthn browser library; without script the page says a passkey needs it.
 */

const target = (page: PageRequest) => sessionTargetOf(page.deps, page.ctx, page.reply, standingAccount(page.ctx)!);

const noScript = (ctx: WebContext) => html`<noscript><p class="error">${ctx.t('passkeys.needsScript')}</p></noscript>`;

async function passkeysPage(page: PageRequest, values: { name: string }, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const passkeys = await passkeysOf(deps, ctx.org, standingAccount(ctx)!);
  const stepUp = await stepUpFields(page, 'add_passkey', errors, '/account/passkeys');
  const list =
    passkeys.length === 0
      ? html`<p>${t('passkeys.none')}</p>`
      : html`<ul class="passkeys">${passkeys.map(
          (p) => html`<li><strong>${p.name}</strong> · ${t(p.synced ? 'passkeys.synced' : 'passkeys.deviceBound')}<br>
${t('passkeys.added', { time: formatTime(p.addedAt, ctx.locale, ctx.org.policy.timeZone) })} · ${p.lastUsedAt ? t('passkeys.lastUsed', { time: formatTime(p.lastUsedAt, ctx.locale, ctx.org.policy.timeZone) }) : t('passkeys.neverUsed')}
<a href="/account/passkeys/${p.id}/remove">${t('passkeys.remove')}<span class="visually-hidden"> ${p.name}</span></a></li>`,
        )}</ul>`;
  const forced = ctx.standing.kind === 'needs_two_factor_setup';
  const counts = passkeyCountsFor(ctx.org.policy, standingAccount(ctx)!.role);
  const body = html`${forced ? html`<p>${t('passkeys.forced', { org: ctx.org.name })}</p>` : null}
<p>${t('passkeys.intro')}</p>
${counts ? html`<p>${t('passkeys.secondStep')}</p>` : null}
${list}
<h2>${t('passkeys.add')}</h2>
<form method="post" action="/account/passkeys/new" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'name', label: t('passkeys.name'), hint: t('passkeys.name.hint'), value: values.name, errors, required: true, autocomplete: 'off' })}
  ${stepUp.fields}
  <button type="submit">${t('passkeys.add.continue')}</button>
</form>
${stepUp.smsButton}`;
  const notice = page.query.added === '1' ? t('passkeys.addedNotice') : page.query.removed === '1' ? t('passkeys.removedNotice') : smsNotice(ctx, page.query);
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('passkeys.title'), body, errors, notice, passkeyScript: stepUp.passkeyScript }) };
}

export const showPasskeys: PageHandler = async (page) => passkeysPage(page, { name: '' });

/** The ceremony page: the browser makes the passkey, the script posts its answer back here. */
function ceremonyPage(page: PageRequest, options: object, name: string, error?: string): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const body = html`<p>${t('passkeys.ceremony.intro')}</p>
${noScript(ctx)}
${error ? html`<p class="error" role="alert">${error}</p>` : null}
<form method="post" action="/account/passkeys/new" id="passkey-register" data-passkey-register="${JSON.stringify(options)}" data-error-text="${t('passkeys.ceremony.failed')}" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="name" value="${name}">
  <input type="hidden" name="response" value="">
  <button type="submit">${t('passkeys.ceremony.button')}</button>
</form>
<p class="error" id="passkey-error" role="alert" hidden></p>
<p><a href="/account/passkeys">${t('passkeys.back')}</a></p>`;
  return { status: error ? 400 : 200, html: renderPage(ctx, { title: t('passkeys.ceremony.title'), body, passkeyScript: true }) };
}

/** POST /account/passkeys/new: without `response` the step-up (then the ceremony page); with it, the browser's answer. */
export const submitNewPasskey: PageHandler = async (page) => {
  const { ctx, deps, body } = page;
  const t = ctx.t;
  const response = field(body, 'response');
  if (response) {
    const added = await finishAddingPasskey(deps, ctx.org, ctx.client, target(page), { response, name: field(body, 'name') });
    // A passkey that became the second step: its recovery codes are shown first (SPEC 4.5, 11).
    if (added.ok) return { redirect: added.recoveryCodesShown ? '/account/2fa/recovery-codes' : '/account/passkeys?added=1' };
    const key = { already_registered: 'passkeys.error.already', invalid_name: 'passkeys.error.name', too_many: 'passkeys.error.tooMany', no_ceremony: 'passkeys.error.refused', invalid_response: 'passkeys.error.refused' } as const;
    const errors: FormErrors = { name: t(key[added.error]) };
    return passkeysPage(page, { name: field(body, 'name') }, errors);
  }
  const started = await startAddingPasskey(deps, ctx.org, ctx.client, target(page), stepUpProofsOf(body), field(body, 'name'));
  if (started.ok) return ceremonyPage(page, started.options, started.name);
  switch (started.error) {
    case 'invalid_name':
      return passkeysPage(page, { name: field(body, 'name') }, { name: t('passkeys.error.name') });
    case 'too_many':
      return passkeysPage(page, { name: field(body, 'name') }, { name: t('passkeys.error.tooMany') });
    default:
      return passkeysPage(page, { name: field(body, 'name') }, stepUpErrors(ctx, started));
  }
};

async function removePage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const passkey = (await passkeysOf(deps, ctx.org, standingAccount(ctx)!)).find((p) => p.id === page.params.id);
  if (!passkey) return { redirect: '/account/passkeys' };
  const path = `/account/passkeys/${passkey.id}/remove`;
  const title = t('passkeys.remove.title', { name: passkey.name });
  // The last passkey of a required second step stays until there is another (SPEC 4.5).
  if (await isLastRequiredSecondStep(deps, ctx.org, standingAccount(ctx)!)) {
    const body = html`<p>${t('passkeys.remove.last')}</p><ul class="links"><li><a href="/account/passkeys">${t('passkeys.add')}</a></li><li><a href="/account/2fa">${t('twoFactor.title')}</a></li></ul>`;
    return { status: errors ? 409 : 200, html: renderPage(ctx, { title, body }) };
  }
  const stepUp = await stepUpFields(page, 'remove_passkey', errors, path);
  const body = html`<p>${t('passkeys.remove.text', { name: passkey.name })}</p>
<form method="post" action="${path}" novalidate>
  ${csrfField(ctx)}
  ${stepUp.fields}
  <button type="submit" class="danger">${t('passkeys.remove')}</button>
</form>
${stepUp.smsButton}
<p><a href="/account/passkeys">${t('passkeys.back')}</a></p>`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title, body, errors, notice: smsNotice(ctx, page.query), passkeyScript: stepUp.passkeyScript }) };
}

export const showRemovePasskey: PageHandler = async (page) => removePage(page);

export const submitRemovePasskey: PageHandler = async (page) => {
  const { ctx, deps, body } = page;
  const removed = await removePasskey(deps, ctx.org, ctx.client, target(page), stepUpProofsOf(body), page.params.id ?? '');
  if (removed.ok) return { redirect: '/account/passkeys?removed=1' };
  if (removed.error === 'unknown_passkey') return { redirect: '/account/passkeys' };
  if (removed.error === 'last_second_step') return removePage(page, {});
  return removePage(page, stepUpErrors(ctx, removed));
};

/** POST /login/passkey/options: the login page's script asks a challenge for this browser session (JSON). */
export const passkeyOptions: PageHandler = async (page) => {
  const { ctx, deps } = page;
  if (!ctx.session) return { json: { error: 'no_session' }, status: 400 };
  return { json: { ...(await passkeyLoginOptions(deps, ctx.org, ctx.session)) } };
};

/** POST /login/passkey: the browser's answer; a verified passkey is a whole login. */
export const submitPasskeyLogin: PageHandler = async (page) => {
  const { ctx, deps, body, reply } = page;
  const returnTo = safeReturnTo(field(body, 'returnTo'));
  const outcome = ctx.session ? await logInWithPasskey(deps, ctx.org, ctx.client, ctx.session, field(body, 'response')) : ({ ok: false, error: 'no_ceremony' } as const);
  if (!outcome.ok && outcome.error === 'rate_limited') {
    reply.header('retry-after', String(outcome.retryAfterSeconds));
    return { status: 429, html: renderPage(ctx, { title: ctx.t('login.title'), body: html`<p>${ctx.t('login.error.rateLimited', { minutes: String(Math.ceil(outcome.retryAfterSeconds / 60)) })}</p><p><a href="/login">${ctx.t('login.title')}</a></p>` }) };
  }
  // Refused at the second step: back to the code page, where the other ways in are.
  const from = ctx.standing.kind === 'needs_second_factor' ? '/login/code' : '/login';
  if (!outcome.ok) return { redirect: `${from}?passkeyRefused=1&returnTo=${encodeURIComponent(returnTo)}` };
  adoptSession(reply, deps, ctx, outcome);
  return { redirect: afterPasswordPath(outcome.standing, returnTo) };
};

/** POST /login/code/passkey/options: the code page asks a challenge for the passkeys of the account halfway through its login. */
export const passkeySecondStepOptions: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = standingAccount(ctx);
  const options = ctx.session && account ? await accountPasskeyOptions(deps, ctx.org, ctx.session, account, 'login') : null;
  return options ? { json: { ...options } } : { json: { error: 'no_passkey' }, status: 400 };
};

/** POST /account/step-up/passkey/options: a step-up form asks a challenge for the account's passkeys. */
export const passkeyStepUpOptions: PageHandler = async (page) => {
  const { ctx, deps } = page;
  const account = standingAccount(ctx);
  const options = ctx.session && account ? await accountPasskeyOptions(deps, ctx.org, ctx.session, account, 'step_up') : null;
  return options ? { json: { ...options } } : { json: { error: 'no_passkey' }, status: 400 };
};
