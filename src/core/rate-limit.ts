import type { Queryable } from '../db/db.js';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export type RateLimitResult = { allowed: true; count: number } | { allowed: false; count: number; retryAfterSeconds: number };

/**
 * Counts one hit in a fixed window, atomically in the database (so parallel requests and
 * several instances all count), and says whether it is within the limit.
 */
export async function hitRateLimit(db: Queryable, tenantId: string, key: string, rule: RateLimitRule, now: Date): Promise<RateLimitResult> {
  const windowStartBefore = new Date(now.getTime() - rule.windowSeconds * 1000);
  const rows = await db.query<{ count: number; window_start: Date }>(
    `INSERT INTO rate_limit (tenant_id, key, window_start, count) VALUES ($1, $2, $3, 1)
     ON CONFLICT (tenant_id, key) DO UPDATE SET
       count = CASE WHEN rate_limit.window_start <= $4 THEN 1 ELSE rate_limit.count + 1 END,
       window_start = CASE WHEN rate_limit.window_start <= $4 THEN $3 ELSE rate_limit.window_start END
     RETURNING count, window_start`,
    [tenantId, key, now, windowStartBefore],
  );
  const row = rows[0]!;
  if (row.count <= rule.limit) return { allowed: true, count: row.count };
  const retryAfterSeconds = Math.max(1, Math.ceil((row.window_start.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000));
  return { allowed: false, count: row.count, retryAfterSeconds };
}

/** Reads a window without counting: is this key over its limit now? */
export async function isRateLimited(db: Queryable, tenantId: string, key: string, rule: RateLimitRule, now: Date): Promise<RateLimitResult> {
  const rows = await db.query<{ count: number; window_start: Date }>('SELECT count, window_start FROM rate_limit WHERE tenant_id = $1 AND key = $2', [
    tenantId,
    key,
  ]);
  const row = rows[0];
  const windowEnd = row ? row.window_start.getTime() + rule.windowSeconds * 1000 : 0;
  if (!row || windowEnd <= now.getTime() || row.count < rule.limit) return { allowed: true, count: row?.count ?? 0 };
  return { allowed: false, count: row.count, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000)) };
}

/** Takes one hit back, for budgets that count only failures but must reserve before checking. */
export async function refundRateLimit(db: Queryable, tenantId: string, key: string): Promise<void> {
  await db.query('UPDATE rate_limit SET count = greatest(count - 1, 0) WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
}

/**
 * The key a client's address is counted under: an IPv4 address as it is, an IPv6 address by its
 * /64 network, since one subscriber usually holds a whole /64 and could rotate through it.
 */
export function clientIpKey(ip: string | null): string {
  if (!ip) return 'unknown';
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4mapped) return v4mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Removes windows that ended long ago; they carry no information any more. */
export async function purgeOldRateLimits(db: Queryable, now: Date, onlyTenantId: string | null = null): Promise<number> {
  const rows = await db.query('DELETE FROM rate_limit WHERE window_start < $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid) RETURNING key', [
    new Date(now.getTime() - 2 * 24 * 3600_000),
    onlyTenantId,
  ]);
  return rows.length;
}

export interface EndedWindow {
  tenantId: string;
  key: string;
  windowStart: Date;
  count: number;
}

/**
 * Takes out the windows of keys starting with `prefix` that ended before `now`, for a summary of
 * what they counted; each is returned once (and deleted in the same statement).
 */
export async function takeEndedWindows(db: Queryable, prefix: string, windowSeconds: number, now: Date, onlyTenantId: string | null = null): Promise<EndedWindow[]> {
  const rows = await db.query<{ tenant_id: string; key: string; window_start: Date; count: number }>(
    `DELETE FROM rate_limit WHERE starts_with(key, $1) AND window_start <= $2 AND ($3::uuid IS NULL OR tenant_id = $3::uuid)
     RETURNING tenant_id, key, window_start, count`,
    [prefix, new Date(now.getTime() - windowSeconds * 1000), onlyTenantId],
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, key: r.key, windowStart: r.window_start, count: r.count }));
}
