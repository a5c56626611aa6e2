import { html } from '../../core/html.js';
import { renderPage } from '../layout.js';
import type { PageRequest, PageResult } from '../page.js';

/**
 * A network over its guess budget for links (SECURITY 9): every link, a right one too, answers
 * 429 until the window ends, so a hit cannot be told from a miss.
 */
export function linkThrottledPage(page: PageRequest, retryAfterSeconds: number): PageResult {
  const { ctx, reply } = page;
  reply.header('retry-after', String(retryAfterSeconds));
  const body = html`<p>${ctx.t('throttled.text', { minutes: Math.ceil(retryAfterSeconds / 60) })}</p>`;
  return { status: 429, html: renderPage(ctx, { title: ctx.t('throttled.title'), body }) };
}
