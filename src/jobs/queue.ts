import type { Clock } from '../core/clock.js';
import type { RandomSource } from '../core/random.js';
import type { Queryable } from '../db/db.js';

export interface Job {
  tenantId: string;
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
}

interface JobRow {
  tenant_id: string;
  id: string;
  seq: string | number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
}

const toJob = (row: JobRow): Job => ({
  tenantId: row.tenant_id,
  id: row.id,
  kind: row.kind,
  payload: row.payload,
  attempts: row.attempts,
  createdAt: row.created_at,
});

export async function enqueueJob(
  db: Queryable,
  deps: { clock: Clock; random: RandomSource },
  tenantId: string,
  kind: string,
  payload: Record<string, unknown>,
): Promise<string> {
  const id = deps.random.uuid();
  const now = deps.clock.now();
  await db.query('INSERT INTO job (tenant_id, id, kind, payload, created_at, run_at) VALUES ($1, $2, $3, $4, $5, $5)', [
    tenantId,
    id,
    kind,
    JSON.stringify(payload),
    now,
  ]);
  return id;
}

/** A message that went out directly (SMS codes), kept as a delivered row so the dev outbox can list it. */
export async function recordDeliveredMessage(db: Queryable, deps: { clock: Clock; random: RandomSource }, tenantId: string, kind: string, payload: Record<string, unknown>): Promise<void> {
  const now = deps.clock.now();
  await db.query('INSERT INTO job (tenant_id, id, kind, payload, created_at, run_at, attempts, done_at) VALUES ($1, $2, $3, $4, $5, $5, 1, $5)', [
    tenantId,
    deps.random.uuid(),
    kind,
    JSON.stringify(payload),
    now,
  ]);
}

/** How long a claimed job is reserved for one worker before another may take it over. */
const leaseSeconds = 120;

/**
 * Claims due jobs for this worker. The one read that spans organizations: the worker serves them
 * all. The candidates are read without a lock (a row lock across organizations is what a sharded
 * database cannot take: Citus refuses FOR UPDATE across shards, SPEC 9), then each is claimed on
 * its own with a compare-and-set on its organization's row: it is still due and unleased, or
 * another instance took it first and it is skipped. Under READ COMMITTED a second instance's
 * claim waits for the first one's and then finds the row leased, so no job is claimed twice.
 */
export async function claimDueJobs(
  db: Queryable,
  now: Date,
  limit: number,
  onlyTenantIds: readonly string[] | null = null,
  lane: { kinds: readonly string[]; include: boolean } | null = null,
): Promise<Job[]> {
  // More candidates than needed: those another instance claims meanwhile are skipped.
  const candidates = await db.query<{ tenant_id: string; id: string }>(
    `SELECT tenant_id, id FROM job
      WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
        AND ($3::uuid[] IS NULL OR tenant_id = ANY($3::uuid[]))
        AND ($4::text[] IS NULL OR (kind = ANY($4::text[])) = $5::boolean)
      ORDER BY run_at, seq LIMIT $2`,
    [now, limit * 2, onlyTenantIds, lane ? lane.kinds : null, lane ? lane.include : true],
  );
  const claimed: JobRow[] = [];
  const leasedUntil = new Date(now.getTime() + leaseSeconds * 1000);
  for (const candidate of candidates) {
    if (claimed.length >= limit) break;
    const [row] = await db.query<JobRow>(
      `UPDATE job SET attempts = attempts + 1, locked_until = $4
        WHERE tenant_id = $1 AND id = $2 AND done_at IS NULL AND failed_at IS NULL AND run_at <= $3 AND (locked_until IS NULL OR locked_until <= $3)
        RETURNING tenant_id, id, seq, kind, payload, attempts, created_at`,
      [candidate.tenant_id, candidate.id, now, leasedUntil],
    );
    if (row) claimed.push(row);
  }
  // First in, first out.
  return claimed.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toJob);
}

export async function completeJob(db: Queryable, job: Job, now: Date, keptPayload: Record<string, unknown>): Promise<void> {
  await db.query('UPDATE job SET done_at = $3, locked_until = NULL, last_error = NULL, payload = $4 WHERE tenant_id = $1 AND id = $2', [
    job.tenantId,
    job.id,
    now,
    JSON.stringify(keptPayload),
  ]);
}

/** Retries with a growing pause (30 s doubling to an hour); after maxAttempts it stays, marked failed, for an operator. */
export const maxJobAttempts = 24;

export async function failJob(db: Queryable, job: Job, now: Date, error: string): Promise<'retry' | 'failed'> {
  const retry = job.attempts < maxJobAttempts;
  const delaySeconds = Math.min(3600, 30 * 2 ** Math.max(0, job.attempts - 1));
  await db.query(
    `UPDATE job SET locked_until = NULL, last_error = $3, run_at = $4, failed_at = $5 WHERE tenant_id = $1 AND id = $2`,
    [job.tenantId, job.id, error.slice(0, 1000), new Date(now.getTime() + delaySeconds * 1000), retry ? null : now],
  );
  return retry ? 'retry' : 'failed';
}

export interface OutboxEntry {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  doneAt: Date | null;
  failedAt: Date | null;
  attempts: number;
  lastError: string | null;
}

export async function listJobs(db: Queryable, tenantId: string, kinds: string[], limit: number): Promise<OutboxEntry[]> {
  const rows = await db.query<{
    id: string;
    kind: string;
    payload: Record<string, unknown>;
    created_at: Date;
    done_at: Date | null;
    failed_at: Date | null;
    attempts: number;
    last_error: string | null;
  }>(
    `SELECT id, kind, payload, created_at, done_at, failed_at, attempts, last_error FROM job
      WHERE tenant_id = $1 AND kind = ANY($2::text[]) ORDER BY seq DESC LIMIT $3`,
    [tenantId, kinds, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    payload: r.payload,
    createdAt: r.created_at,
    doneAt: r.done_at,
    failedAt: r.failed_at,
    attempts: r.attempts,
    lastError: r.last_error,
  }));
}
