import { html, type SafeHtml } from '../core/html.js';
import { findOpenIdClient, listOpenIdClients } from '../flows/openid-clients.js';
import { registerClientAsAdmin, removeClientAsAdmin } from '../flows/staff/openid-clients.js';
import { field } from '../http/form-body.js';
import { sessionTargetOf, type WebContext } from '../web/context.js';
import { inputField, textareaField } from '../web/fields.js';
import type { MessageKey } from '../web/i18n.js';
import { csrfField, renderPage, type FormErrors } from '../web/layout.js';
import { smsNotice, stepUpErrors, stepUpFields, stepUpProofsOf } from '../web/pages/code-fields.js';
import type { PageHandler, PageRequest, PageResult } from '../web/page.js';

/**
 * /admin/clients (SPEC 10): the applications that log the organization's people in through
 * Ingang. Registering and removing one asks the password and a code; a confidential client's
 * secret is shown once, on the page that answers its registration, and kept only as a digest.
 */

interface ClientForm {
  name: string;
  redirectUris: string;
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
  kind: 'confidential' | 'public';
  firstParty: boolean;
  offlineAccess: boolean;
}

const emptyForm: ClientForm = { name: '', redirectUris: '', postLogoutRedirectUris: '', backchannelLogoutUri: '', kind: 'confidential', firstParty: false, offlineAccess: false };

const lines = (text: string) =>
  text
    .split(/\s+/)
    .map((line) => line.trim())
    .filter(Boolean);

function choice(type: 'radio' | 'checkbox', name: string, value: string, id: string, label: string, checked: boolean): SafeHtml {
  return html`<div class="choice"><input type="${type}" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : null}><label for="${id}" class="inline-label">${label}</label></div>`;
}

function uriList(ctx: WebContext, label: MessageKey, uris: string[]): SafeHtml | null {
  if (uris.length === 0) return null;
  return html`<dt>${ctx.t(label)}</dt>${uris.map((uri) => html`<dd><code>${uri}</code></dd>`)}`;
}

async function clientsPage(page: PageRequest, form: ClientForm, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const clients = await listOpenIdClients(deps, ctx.org);
  const stepUp = await stepUpFields(page, 'manage_clients', errors, '/admin/clients');
  const list =
    clients.length === 0
      ? html`<p>${t('clients.none')}</p>`
      : html`<ul class="clients">${clients.map(
          (c) => html`<li><a href="/admin/clients/${c.clientId}">${c.name}</a> · <code>${c.clientId}</code> · ${t(c.confidential ? 'clients.kind.confidential' : 'clients.kind.public')}${c.firstParty ? html` · ${t('clients.firstParty.short')}` : null}</li>`,
        )}</ul>`;
  const body = html`${list}
<h2>${t('clients.new')}</h2>
<form method="post" action="/admin/clients" novalidate>
  ${csrfField(ctx)}
  ${inputField({ name: 'name', label: t('clients.name'), value: form.name, errors, required: true, autocomplete: 'off' })}
  ${textareaField({ name: 'redirectUris', label: t('clients.redirectUris'), value: form.redirectUris, errors, required: true })}
  ${textareaField({ name: 'postLogoutRedirectUris', label: t('clients.postLogoutRedirectUris'), value: form.postLogoutRedirectUris, errors })}
  ${inputField({ name: 'backchannelLogoutUri', label: t('clients.backchannelLogoutUri'), hint: t('clients.backchannelLogoutUri.hint'), value: form.backchannelLogoutUri, errors, autocomplete: 'off' })}
  <fieldset>
    <legend>${t('clients.kind')}</legend>
    ${choice('radio', 'kind', 'confidential', 'kind-confidential', t('clients.kind.confidential.long'), form.kind === 'confidential')}
    ${choice('radio', 'kind', 'public', 'kind-public', t('clients.kind.public.long'), form.kind === 'public')}
  </fieldset>
  ${choice('checkbox', 'firstParty', 'true', 'firstParty', t('clients.firstParty'), form.firstParty)}
  ${choice('checkbox', 'offlineAccess', 'true', 'offlineAccess', t('clients.offlineAccess'), form.offlineAccess)}
  <p>${t('clients.confirm')}</p>
  ${stepUp.fields}
  <button type="submit">${t('clients.register')}</button>
</form>
${stepUp.smsButton}`;
  const notice = page.query.removed === '1' ? t('clients.removed') : smsNotice(ctx, page.query);
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('clients.title'), body, errors, notice, passkeyScript: stepUp.passkeyScript }) };
}

const problemFields: Record<string, [keyof ClientForm, MessageKey]> = {
  invalid_name: ['name', 'clients.error.name'],
  invalid_redirect_uri: ['redirectUris', 'clients.error.redirectUris'],
  invalid_logout_uri: ['postLogoutRedirectUris', 'clients.error.postLogoutRedirectUris'],
  invalid_backchannel_uri: ['backchannelLogoutUri', 'clients.error.backchannelLogoutUri'],
  client_id_taken: ['name', 'clients.error.taken'],
};

export const showClients: PageHandler = async (page) => clientsPage(page, emptyForm);

/** The registration; its answer is the one page that shows a confidential client's secret. */
export const submitClient: PageHandler = async (page) => {
  const { ctx, deps, body, reply } = page;
  const form: ClientForm = {
    name: field(body, 'name'),
    redirectUris: field(body, 'redirectUris'),
    postLogoutRedirectUris: field(body, 'postLogoutRedirectUris'),
    backchannelLogoutUri: field(body, 'backchannelLogoutUri').trim(),
    kind: field(body, 'kind') === 'public' ? 'public' : 'confidential',
    firstParty: field(body, 'firstParty') === 'true',
    offlineAccess: field(body, 'offlineAccess') === 'true',
  };
  const target = sessionTargetOf(deps, ctx, reply, ctx.account!);
  const made = await registerClientAsAdmin(deps, ctx.org, ctx.client, target, stepUpProofsOf(body), {
    name: form.name,
    redirectUris: lines(form.redirectUris),
    postLogoutRedirectUris: lines(form.postLogoutRedirectUris),
    backchannelLogoutUri: form.backchannelLogoutUri === '' ? null : form.backchannelLogoutUri,
    public: form.kind === 'public',
    firstParty: form.firstParty,
    offlineAccess: form.offlineAccess,
  });
  if (!made.ok) {
    const mapped = problemFields[made.error];
    if (mapped) return clientsPage(page, form, { [mapped[0]]: ctx.t(mapped[1]) });
    return clientsPage(page, form, stepUpErrors(ctx, made as Parameters<typeof stepUpErrors>[1]));
  }
  const t = ctx.t;
  const shown = html`<dl>
  <dt>${t('clients.name')}</dt><dd>${made.client.name}</dd>
  <dt>client_id</dt><dd><code>${made.client.clientId}</code></dd>
  ${made.secret ? html`<dt>client_secret</dt><dd><code>${made.secret}</code></dd>` : null}
</dl>
${made.secret ? html`<p><strong>${t('clients.secretOnce')}</strong></p>` : null}
<p><a href="/admin/clients">${t('clients.back')}</a></p>`;
  return { html: renderPage(ctx, { title: t('clients.registered', { name: made.client.name }), body: shown }) };
};

async function clientPage(page: PageRequest, errors?: FormErrors): Promise<PageResult> {
  const { ctx, deps } = page;
  const t = ctx.t;
  const client = await findOpenIdClient(deps, ctx.org, page.params.id ?? '');
  if (!client) return { status: 404, html: renderPage(ctx, { title: t('clients.unknown'), body: html`<p><a href="/admin/clients">${t('clients.back')}</a></p>` }) };
  const path = `/admin/clients/${client.clientId}`;
  const stepUp = await stepUpFields(page, 'manage_clients', errors, path);
  const yes = (value: boolean) => t(value ? 'clients.yes' : 'clients.no');
  const body = html`<dl>
  <dt>client_id</dt><dd><code>${client.clientId}</code></dd>
  <dt>${t('clients.kind')}</dt><dd>${t(client.confidential ? 'clients.kind.confidential' : 'clients.kind.public')}</dd>
  <dt>${t('clients.firstParty')}</dt><dd>${yes(client.firstParty)}</dd>
  <dt>${t('clients.offlineAccess')}</dt><dd>${yes(client.offlineAccess)}</dd>
  ${uriList(ctx, 'clients.redirectUris', client.redirectUris)}
  ${uriList(ctx, 'clients.postLogoutRedirectUris', client.postLogoutRedirectUris)}
  ${uriList(ctx, 'clients.backchannelLogoutUri', client.backchannelLogoutUri ? [client.backchannelLogoutUri] : [])}
</dl>
<h2>${t('clients.remove')}</h2>
<p>${t('clients.remove.text')}</p>
<form method="post" action="${path}/remove" novalidate>
  ${csrfField(ctx)}
  ${stepUp.fields}
  <button type="submit" class="danger">${t('clients.remove')}</button>
</form>
${stepUp.smsButton}
<p><a href="/admin/clients">${t('clients.back')}</a></p>`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: client.name, body, errors, notice: smsNotice(ctx, page.query), passkeyScript: stepUp.passkeyScript }) };
}

export const showClient: PageHandler = async (page) => clientPage(page);

export const submitClientRemoval: PageHandler = async (page) => {
  const { ctx, deps, body, reply } = page;
  const target = sessionTargetOf(deps, ctx, reply, ctx.account!);
  const removed = await removeClientAsAdmin(deps, ctx.org, ctx.client, target, stepUpProofsOf(body), page.params.id ?? '');
  if (removed.ok) return { redirect: '/admin/clients?removed=1' };
  if (removed.error === 'unknown_client') return clientPage(page);
  return clientPage(page, stepUpErrors(ctx, removed));
};
