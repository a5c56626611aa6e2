import { html } from '../../core/html.js';
import { continueOpenIdInteraction, type InteractionOutcome } from '../../flows/openid.js';
import { field } from '../../http/form-body.js';
import { csrfField, renderPage } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';

function interactionPage(page: PageRequest, outcome: InteractionOutcome): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  if (!outcome.ok) {
    const body = html`<p>${t('openid.unknown.text')}</p><p><a href="/">${t('nav.home')}</a></p>`;
    return { status: 400, html: renderPage(ctx, { title: t('openid.unknown.title'), body }) };
  }
  if ('redirect' in outcome) return { redirect: outcome.redirect };
  const { uid, clientName, scopes } = outcome.consent;
  const shown = scopes.filter((s) => s !== 'openid');
  const body = html`<p>${t('openid.consent.intro', { client: clientName, org: ctx.org.name })}</p>
${shown.length > 0 ? html`<ul>${shown.map((scope) => html`<li>${t(`openid.scope.${scope}` as Parameters<typeof t>[0])}</li>`)}</ul>` : null}
<form method="post" action="/oidc/interaction/${uid}" class="inline">
  ${csrfField(ctx)}
  <button type="submit" name="decision" value="allow">${t('openid.consent.allow')}</button>
  <button type="submit" name="decision" value="deny" class="secondary">${t('openid.consent.deny')}</button>
</form>`;
  return { html: renderPage(ctx, { title: t('openid.consent.title', { client: clientName }), body }) };
}

/** GET /oidc/interaction/:uid — a logged-in user on the way back to a relying application. */
export const showOpenIdInteraction: PageHandler = async (page) => {
  const { deps, ctx, request, reply } = page;
  const target = { account: ctx.account!, session: ctx.session! };
  const outcome = await continueOpenIdInteraction(deps, ctx.org, ctx.client, target, { request: request.raw, response: reply.raw }, page.params.uid ?? '');
  return interactionPage(page, outcome);
};

/** POST /oidc/interaction/:uid — the answer of the consent page. */
export const submitOpenIdConsent: PageHandler = async (page) => {
  const { deps, ctx, request, reply, body } = page;
  const target = { account: ctx.account!, session: ctx.session! };
  const decision = field(body, 'decision') === 'allow' ? 'allow' : 'deny';
  const outcome = await continueOpenIdInteraction(deps, ctx.org, ctx.client, target, { request: request.raw, response: reply.raw }, page.params.uid ?? '', decision);
  return interactionPage(page, outcome);
};
