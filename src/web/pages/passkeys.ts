import { html } from '../../core/html.js';
import { finishAddingPasskey, logInWithPasskey, passkeyLoginOptions, passkeysOf, removePasskey, startAddingPasskey } from '../../flows/passkeys.js';
import { field } from '../../http/form-body.js';
import { afterPasswordPath } from '../access.js';
import { adoptSession, sessionTargetOf, type WebContext } from '../context.js';
import { inputField } from '../fields.js';
import { formatTime } from '../format.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { safeReturnTo } from '../return-to.js';
import { smsNotice, stepUpErrors, stepUpFields } from './code-fields.js';

/**
 * SPEC 11: /account/passkeys (list, add with a step-up, remove with a step-up) and the passkey
 * login of /login. The browser's part of each ceremony is static/passkeys.js, on the
 * SimpleWebAuthn browser library; without script the page says a passkey needs it.
 */

const target = (page: PageRequest) => sessionTargetOf(page.deps, page.ctx, page.reply, page.ctx.account!);

const noScript = (ctx: WebContext) => html`<noscript><p class="error">${ctx.t('passkeys.needsScript')}</p></noscript>`;

async function passkeysPage(page: PageRequest, values: { name: string }, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const passkeys = await passkeysOf(deps, ctx.org, ctx.account!);
  const stepUp = await stepUpFields(page, 'add_passkey', errors, '/account/passkeys');
  const list =
    passkeys.length === 0
      ? html`<p>${t('passkeys.none')}</p>`
      : html`<ul class="passkeys">${passkeys.map(
          (p) => html`<li><strong>${p.name}</strong> · ${t(p.synced ? 'passkeys.synced' : 'passkeys.deviceBound')}<br>
${t('passkeys.added', { time: formatTime(p.addedAt, ctx.locale) })} · ${p.lastUsedAt ? t('passkeys.lastUsed', { time: formatTime(p.lastUsedAt, ctx.locale) }) : t('passkeys.neverUsed')}
<a href="/account/passkeys/${p.id}/remove">${t('passkeys.remove')}<span class="visually-hidden"> ${p.name}</span></a></li>`,
        )}</ul>`;
  const body = html`<p>${t('passkeys.intro')}</p>
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
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('passkeys.title'), body, errors, notice }) };
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
    const added = await finishAddingPasskey(deps, ctx.org, ctx.client, { account: ctx.account!, session: ctx.session! }, { response, name: field(body, 'name') });
    if (added.ok) return { redirect: '/account/passkeys?added=1' };
    const key = { already_registered: 'passkeys.error.already', invalid_name: 'passkeys.error.name', too_many: 'passkeys.error.tooMany', no_ceremony: 'passkeys.error.refused', invalid_response: 'passkeys.error.refused' } as const;
    const errors: FormErrors = { name: t(key[added.error]) };
    return passkeysPage(page, { name: field(body, 'name') }, errors);
  }
  const started = await startAddingPasskey(deps, ctx.org, ctx.client, target(page), { password: field(body, 'password'), code: field(body, 'code') }, field(body, 'name'));
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
  const passkey = (await passkeysOf(deps, ctx.org, ctx.account!)).find((p) => p.id === page.params.id);
  if (!passkey) return { redirect: '/account/passkeys' };
  const path = `/account/passkeys/${passkey.id}/remove`;
  const stepUp = await stepUpFields(page, 'remove_passkey', errors, path);
  const body = html`<p>${t('passkeys.remove.text', { name: passkey.name })}</p>
<form method="post" action="${path}" novalidate>
  ${csrfField(ctx)}
  ${stepUp.fields}
  <button type="submit" class="danger">${t('passkeys.remove')}</button>
</form>
${stepUp.smsButton}
<p><a href="/account/passkeys">${t('passkeys.back')}</a></p>`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('passkeys.remove.title', { name: passkey.name }), body, errors, notice: smsNotice(ctx, page.query) }) };
}

export const showRemovePasskey: PageHandler = async (page) => removePage(page);

export const submitRemovePasskey: PageHandler = async (page) => {
  const { ctx, deps, body } = page;
  const removed = await removePasskey(deps, ctx.org, ctx.client, target(page), { password: field(body, 'password'), code: field(body, 'code') }, page.params.id ?? '');
  if (removed.ok) return { redirect: '/account/passkeys?removed=1' };
  if (removed.error === 'unknown_passkey') return { redirect: '/account/passkeys' };
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
  if (!outcome.ok) return { redirect: `/login?passkeyRefused=1&returnTo=${encodeURIComponent(returnTo)}` };
  adoptSession(reply, deps, ctx, outcome);
  return { redirect: afterPasswordPath(outcome.standing, returnTo) };
};
