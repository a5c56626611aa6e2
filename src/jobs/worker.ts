import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { Db } from '../db/db.js';
import { runMaintenance } from './maintenance.js';
import { claimDueJobs, completeJob, failJob, type Job } from './queue.js';

/** A handler does the job's work and returns what of the payload to keep (secrets scrubbed). */
export type JobHandler = (job: Job) => Promise<Record<string, unknown>>;

export interface JobWorker {
  /** Runs every due job once; returns how many ran. Tests call this to deliver mail. */
  runDue(): Promise<number>;
  /** Housekeeping (see maintenance.ts); the started worker runs it every 10 minutes. */
  runMaintenance(): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * `scope`, when given, names the organizations this worker serves (all by default): a way to split
 * the queue between workers, and what keeps tests that share one database apart.
 */
export function createJobWorker(
  db: Db,
  clock: Clock,
  log: FastifyBaseLogger,
  handlers: Record<string, JobHandler>,
  options: {
    scope?: () => readonly string[];
    secretKey?: Buffer;
    maintenanceSteps?: Record<string, (onlyTenantIds: readonly string[] | null) => Promise<number>>;
    /**
     * Kinds that call services outside Ingang that may hang (an application's back-channel
     * endpoint): a lane of their own, several at a time, so they never hold up mail.
     */
    ownLane?: readonly string[];
  } = {},
): JobWorker {
  const scope = options.scope;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let lastMaintenanceAt = 0;
  const maintenanceIntervalMs = 10 * 60_000;

  async function runOne(job: Job): Promise<void> {
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      const kept = await handler(job);
      await completeJob(db, job, clock.now(), kept);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const outcome = await failJob(db, job, clock.now(), message);
      log[outcome === 'failed' ? 'error' : 'warn']({ jobId: job.id, kind: job.kind, attempts: job.attempts, err: message }, `job ${outcome === 'failed' ? 'failed for good' : 'failed, will retry'}`);
    }
  }

  async function drain(lane: { kinds: readonly string[]; include: boolean } | null, together: boolean): Promise<number> {
    let total = 0;
    for (;;) {
      // Jobs may queue further jobs (a reset request queues its mail): run until nothing is due.
      const jobs = await claimDueJobs(db, clock.now(), 10, scope ? scope() : null, lane);
      if (jobs.length === 0) return total;
      if (together) await Promise.all(jobs.map(runOne));
      else for (const job of jobs) await runOne(job);
      total += jobs.length;
    }
  }

  async function runDueOnce(): Promise<number> {
    const own = options.ownLane ?? [];
    if (own.length === 0) return drain(null, false);
    const [rest, lane] = await Promise.all([drain({ kinds: own, include: false }, false), drain({ kinds: own, include: true }, true)]);
    return rest + lane;
  }

  return {
    runDue() {
      // One pass at a time per process; a second caller waits for the pass under way, then runs its own.
      const next = (running ?? Promise.resolve(0)).catch(() => 0).then(runDueOnce);
      running = next;
      return next;
    },
    async runMaintenance() {
      const { lookAlikeEmails, ...removed } = await runMaintenance(db, clock.now(), { secretKey: options.secretKey });
      // Steps of the journeys' own (a flow may not be imported here), each counted in the log line.
      const steps: Record<string, number> = {};
      for (const [name, step] of Object.entries(options.maintenanceSteps ?? {})) steps[name] = await step(scope ? scope() : null);
      for (const found of lookAlikeEmails) log.warn({ tenantId: found.tenantId, email: found.email, lookAlikeOf: found.lookAlikeOf }, 'two accounts have addresses that look the same (SECURITY 39): an operator should look at them');
      log.info({ removed, ...steps }, 'maintenance done');
    },
    start(intervalMs) {
      const tick = () => {
        const maintenance = Date.now() - lastMaintenanceAt >= maintenanceIntervalMs;
        if (maintenance) lastMaintenanceAt = Date.now();
        (maintenance ? this.runMaintenance() : Promise.resolve())
          .then(() => this.runDue())
          .catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'job worker pass failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      const t = timer;
      timer = undefined;
      if (t) clearTimeout(t);
      await running?.catch(() => 0);
    },
  };
}
