import { purgeOldRateLimits } from '../core/rate-limit.js';
import type { Queryable } from '../db/db.js';
import { purgeStaleSessions } from '../sessions/sessions.js';

/** Delivered jobs (their bodies already scrubbed) are kept a month for the dev outbox and support. */
const keepDoneJobsDays = 30;

/**
 * Housekeeping that keeps tables from growing without bound: sessions nobody can use any more,
 * rate-limit windows long ended, delivered jobs past their keeping time. Failed jobs stay until an
 * operator looks at them; audit rows are never touched. Runs across organizations by design.
 */
export async function runMaintenance(db: Queryable, now: Date): Promise<{ sessions: number; rateLimits: number; jobs: number }> {
  const sessions = await purgeStaleSessions(db, now);
  const rateLimits = await purgeOldRateLimits(db, now);
  const jobs = await db.query('DELETE FROM job WHERE done_at IS NOT NULL AND done_at < $1 RETURNING id', [new Date(now.getTime() - keepDoneJobsDays * 24 * 3600_000)]);
  return { sessions, rateLimits, jobs: jobs.length };
}
