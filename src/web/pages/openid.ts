import { html } from '../../core/html.js';
import { continueOpenIdInteraction, type AskAgain, type InteractionDecision, type InteractionOutcome } from '../../flows/openid.js';
import { field } from '../../http/form-body.js';
import { sessionTargetOf } from '../context.js';
import { inputField } from '../fields.js';
import { csrfField, renderPage, type FormErrors } from '../layout.js';
import type { PageHandler, PageRequest, PageResult } from '../page.js';
import { passkeyStepUpOption, smsCodeButton, stepUpErrors, stepUpProofsOf } from './code-fields.js';

/**
 * The login is handed back to the application: a page that sends the browser on, not a redirect,
 * since the redirects after a posted form (the login, the code, consent) may not leave this origin
 * under `form-action 'self'`, and the provider's answer leads to the application.
 */
export function continuePage(ctx: PageRequest['ctx'], to: string): { html: string } {
  const t = ctx.t;
  const body = html`<p>${t('openid.continue.text')} <a href="${to}">${t('openid.continue.link')}</a></p>`;
  return { html: renderPage(ctx, { title: t('openid.continue.title'), body, continueTo: to }) };
}

/** An application asked more than this session proved: the password, the code or both, again. */
function askAgainPage(page: PageRequest, asked: AskAgain, errors?: FormErrors): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  const back = `/oidc/interaction/${asked.uid}`;
  const body = html`<p>${t(asked.password ? 'openid.again.login' : 'openid.again.code', { client: asked.clientName })}</p>
<form method="post" action="${back}" novalidate>
  ${csrfField(ctx)}
  <input type="hidden" name="decision" value="prove">
  ${asked.password && !asked.passkeyOnly ? inputField({ name: 'password', label: t('field.currentPassword'), type: 'password', autocomplete: 'current-password', errors, required: true }) : null}
  ${asked.code && !asked.passkeyOnly ? inputField({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputMode: 'numeric', errors, required: true }) : null}
  ${passkeyStepUpOption(ctx, asked, errors)}
  <button type="submit">${t('openid.again.submit')}</button>
</form>
${smsCodeButton(ctx, asked.code ? asked.codeMethod : null, back)}`;
  return { status: errors ? 400 : 200, html: renderPage(ctx, { title: t('openid.again.title'), body, errors, passkeyScript: asked.passkey }) };
}

function interactionPage(page: PageRequest, outcome: InteractionOutcome): PageResult {
  const { ctx } = page;
  const t = ctx.t;
  if (!outcome.ok) {
    if ('askAgain' in outcome) return askAgainPage(page, outcome.askAgain, stepUpErrors(ctx, outcome));
    const body = html`<p>${t('openid.unknown.text')}</p><p><a href="/">${t('nav.home')}</a></p>`;
    return { status: 400, html: renderPage(ctx, { title: t('openid.unknown.title'), body }) };
  }
  if ('redirect' in outcome) return continuePage(ctx, outcome.redirect);
  if ('setUpSecondFactor' in outcome) return { redirect: `/account/2fa/setup?returnTo=${encodeURIComponent(outcome.setUpSecondFactor.returnTo)}` };
  if ('askAgain' in outcome) return askAgainPage(page, outcome.askAgain);
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

async function continueWith(page: PageRequest, decision: InteractionDecision): Promise<PageResult> {
  const { deps, ctx, request, reply } = page;
  const target = sessionTargetOf(deps, ctx, reply, ctx.account!);
  const outcome = await continueOpenIdInteraction(deps, ctx.org, ctx.client, target, { request: request.raw, response: reply.raw }, page.params.uid ?? '', decision);
  return interactionPage(page, outcome);
}

/** GET /oidc/interaction/:uid — a logged-in user on the way back to a relying application. */
export const showOpenIdInteraction: PageHandler = async (page) => continueWith(page, { kind: 'none' });

/** POST /oidc/interaction/:uid — the consent page's answer, or the password and code asked again. */
export const submitOpenIdInteraction: PageHandler = async (page) => {
  const decision = field(page.body, 'decision');
  if (decision === 'prove') return continueWith(page, { kind: 'prove', proofs: stepUpProofsOf(page.body) });
  return continueWith(page, { kind: decision === 'allow' ? 'allow' : 'deny' });
};
