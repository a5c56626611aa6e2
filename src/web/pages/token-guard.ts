import { html } from '../../core/html.js';
import { clientIpKey, hitRateLimit, refundRateLimit } from '../../core/rate-limit.js';
import { renderPage } from '../layout.js';
import type { PageRequest, PageResult } from '../page.js';

/**
 * Guessing link tokens is throttled per IP (SECURITY 9): after 20 misses in 10 minutes, every
 * link (a right one too) answers 429 until the window ends, so a hit cannot be told from a miss.
 */
export const tokenGuessesPerIp = { limit: 20, windowSeconds: 600 };

const key = (page: PageRequest) => `token_ip:${clientIpKey(page.ctx.client.ip)}`;

function throttledPage(page: PageRequest, retryAfterSeconds: number): PageResult {
  const { ctx, reply } = page;
  reply.header('retry-after', String(retryAfterSeconds));
  const body = html`<p>${ctx.t('throttled.text', { minutes: Math.ceil(retryAfterSeconds / 60) })}</p>`;
  return { status: 429, html: renderPage(ctx, { title: ctx.t('throttled.title'), body }) };
}

/**
 * Before a link is looked up: counts this use as a guess, and answers 429 if that went over the
 * budget. Counting first (not checking first and counting misses after) holds for a parallel
 * burst too: no more than 20 guesses are ever looked up. A right link takes its count back.
 */
export async function countTokenGuess(page: PageRequest): Promise<PageResult | null> {
  const state = await hitRateLimit(page.deps.db, page.ctx.org.tenantId, key(page), tokenGuessesPerIp, page.deps.clock.now());
  return state.allowed ? null : throttledPage(page, state.retryAfterSeconds);
}

/** The link was a right one: it was no guess. */
export async function refundTokenGuess(page: PageRequest): Promise<void> {
  await refundRateLimit(page.deps.db, page.ctx.org.tenantId, key(page));
}
