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
