import { html } from '../../core/html.js';
import { hitRateLimit } from '../../core/rate-limit.js';
import { renderPage } from '../layout.js';
import type { PageRequest, PageResult } from '../page.js';

/** Guessing link tokens is throttled per IP (SECURITY 9): 20 misses per 10 minutes. */
export const tokenGuessesPerIp = { limit: 20, windowSeconds: 600 };

export async function throttleTokenGuess(page: PageRequest): Promise<PageResult | null> {
  const { deps, ctx, reply } = page;
  const limit = await hitRateLimit(deps.db, ctx.org.tenantId, `token_ip:${ctx.client.ip ?? 'unknown'}`, tokenGuessesPerIp, deps.clock.now());
  if (limit.allowed) return null;
  reply.header('retry-after', String(limit.retryAfterSeconds));
  const body = html`<p>${ctx.t('throttled.text', { minutes: Math.ceil(limit.retryAfterSeconds / 60) })}</p>`;
  return { status: 429, html: renderPage(ctx, { title: ctx.t('throttled.title'), body }) };
}
