import { html } from '../../core/html.js';
import { listDevOutbox } from '../../flows/dev-outbox.js';
import { renderPage } from '../layout.js';
import type { PageHandler } from '../page.js';

/** Links in the text become clickable, so a developer can follow a welcome link. */
function linkify(text: string) {
  return text.split(/(https?:\/\/[^\s<>"]+)/).map((part, i) => (i % 2 === 1 ? html`<a href="${part}">${part}</a>` : part));
}

/** Development only (SPEC 8): the messages this organization would have sent. Never in production. */
export const showDevOutbox: PageHandler = async ({ deps, ctx }) => {
  const entries = await listDevOutbox(deps, ctx.org);
  const body = html`<p>${ctx.t('outbox.intro')}</p>
${entries.length === 0 ? html`<p>${ctx.t('outbox.empty')}</p>` : null}
${entries.map((entry) => {
  const p = entry.payload as { to?: string; subject?: string; text?: string };
  return html`<article class="outbox-message">
  <h2>${p.subject ?? ''}</h2>
  <p>${ctx.t('outbox.to')}: ${p.to ?? ''} · ${entry.createdAt.toISOString()} · ${entry.doneAt ? ctx.t('outbox.sent') : entry.failedAt ? ctx.t('outbox.failed') : ctx.t('outbox.pending')}</p>
  <pre>${linkify(p.text ?? '')}</pre>
</article>`;
})}`;
  return { html: renderPage(ctx, { title: ctx.t('outbox.title'), body }) };
};
