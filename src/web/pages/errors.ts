import { html } from '../../core/html.js';
import type { WebContext } from '../context.js';
import { renderPage } from '../layout.js';
import type { PageRequest, PageResult } from '../page.js';

export function notFoundPage(ctx: WebContext): PageResult {
  const body = html`<p>${ctx.t('error.notFound.text')}</p><p><a href="/">${ctx.t('nav.home')}</a></p>`;
  return { status: 404, html: renderPage(ctx, { title: ctx.t('error.notFound.title'), body }) };
}

/** A form shown again because its sender's network is throttled: 429 with Retry-After (SECURITY 37). */
export async function throttledForm(page: PageRequest, form: Promise<PageResult>, retryAfterSeconds: number): Promise<PageResult> {
  const shown = await form;
  page.reply.header('retry-after', String(retryAfterSeconds));
  return 'html' in shown ? { ...shown, status: 429 } : shown;
}
