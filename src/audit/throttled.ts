import { clientIpKey, hitRateLimit, takeEndedWindows } from '../core/rate-limit.js';
import type { Queryable } from '../db/db.js';
import { recordAudit, type RequestContext } from './audit.js';

/**
 * SECURITY 37: a throttled burst writes a bounded number of audit rows, whatever its size. The
 * first throttled request of a network in a window is recorded at once (so the trail shows the
 * attack when it starts); the rest only count, and when the window has ended maintenance writes
 * one row with how many there were. At most two rows per network, kind and window — audit rows
 * are kept five years and never deleted.
 */
export const throttleSummaryWindowSeconds = 15 * 60;

const keyPrefix = 'throttled:';
const windowMs = throttleSummaryWindowSeconds * 1000;

/** What was throttled: the audit event and the request it was. */
export type ThrottledKind =
  | { event: 'login_throttled'; via: 'web' | 'app' }
  | { event: 'requests_throttled'; request: 'password_reset' | 'registration' | 'welcome_renewal' | 'oidc_authorization'; scope: 'network' | 'address' };

function kindKey(kind: ThrottledKind): string {
  return kind.event === 'login_throttled' ? `login_throttled|${kind.via}` : `requests_throttled|${kind.request}|${kind.scope}`;
}

function kindFromKey(text: string): ThrottledKind | null {
  const [event, a, b] = text.split('|');
  if (event === 'login_throttled' && (a === 'web' || a === 'app')) return { event, via: a };
  if (event === 'requests_throttled' && (a === 'password_reset' || a === 'registration' || a === 'welcome_renewal' || a === 'oidc_authorization') && (b === 'network' || b === 'address')) {
    return { event, request: a, scope: b };
  }
  return null;
}

function detailsOf(kind: ThrottledKind): Record<string, string> {
  return kind.event === 'login_throttled' ? { scope: 'ip', via: kind.via } : { request: kind.request, scope: kind.scope };
}

/** Counts one throttled request; writes its audit row only if it is the first of its network's window. */
export async function noteThrottled(db: Queryable, now: Date, tenantId: string, client: RequestContext, kind: ThrottledKind): Promise<void> {
  const network = clientIpKey(client.ip);
  // The window is in the key, so a burst that goes on past it starts a new row instead of
  // restarting this one's count before maintenance has summed it up.
  const window = Math.floor(now.getTime() / windowMs);
  const counted = await hitRateLimit(db, tenantId, `${keyPrefix}${kindKey(kind)}|${network}|${window}`, { limit: 1, windowSeconds: throttleSummaryWindowSeconds }, now);
  if (counted.count !== 1) return;
  await recordAudit(db, now, client, { tenantId, event: kind.event, outcome: 'failure', details: { ...detailsOf(kind), network, burst: 'started' } });
}

/**
 * Maintenance: one row per ended window that counted more than its first request, with the count.
 * Returns how many summaries it wrote.
 */
export async function summarizeThrottledBursts(db: Queryable, now: Date, onlyTenantId: string | null = null): Promise<number> {
  const ended = await takeEndedWindows(db, keyPrefix, throttleSummaryWindowSeconds, now, onlyTenantId);
  let written = 0;
  for (const window of ended) {
    const parts = window.key.slice(keyPrefix.length).split('|');
    const bucket = Number(parts.pop());
    const network = parts.pop();
    const kind = kindFromKey(parts.join('|'));
    if (!kind || network === undefined || !Number.isInteger(bucket) || window.count <= 1) continue;
    const from = new Date(bucket * windowMs);
    const to = new Date((bucket + 1) * windowMs);
    await recordAudit(db, to, { ip: null, userAgent: null, requestId: null }, {
      tenantId: window.tenantId,
      event: kind.event,
      outcome: 'failure',
      details: { ...detailsOf(kind), network, burst: 'ended', count: window.count, from: from.toISOString(), to: to.toISOString() },
    });
    written += 1;
  }
  return written;
}
