import { html } from '../../core/html.js';
import type { WebContext } from '../context.js';
import { renderPage } from '../layout.js';
import type { PageResult } from '../page.js';

export function notFoundPage(ctx: WebContext): PageResult {
  const body = html`<p>${ctx.t('error.notFound.text')}</p><p><a href="/">${ctx.t('nav.home')}</a></p>`;
  return { status: 404, html: renderPage(ctx, { title: ctx.t('error.notFound.title'), body }) };
}
