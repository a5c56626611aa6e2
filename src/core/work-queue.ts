import { counter, gauge } from './metrics.js';

/** The queue is full: the work was refused before it started, nothing was done (503, try again soon). */
export class WorkQueueFullError extends Error {
  readonly statusCode = 503;
  constructor(readonly queue: string) {
    super(`${queue} queue full`);
    this.name = 'WorkQueueFullError';
  }
}

export interface WorkQueue {
  run<T>(work: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly waiting: number;
}

/**
 * At most `concurrency` pieces of expensive work at once, the rest waiting their turn in order; past
 * `maxWaiting` waiting, new work is refused at once (WorkQueueFullError), so a burst cannot pile up
 * without bound. Its length, the work running, the time spent waiting and the refusals are in
 * /metrics under `ingang_<name>_…`.
 */
export function createWorkQueue(name: string, limits: { concurrency: number; maxWaiting: number }, now: () => number = () => performance.now()): WorkQueue {
  let running = 0;
  const waiting: (() => void)[] = [];
  const waitSeconds = counter(`ingang_${name}_wait_seconds_total`, `Seconds ${name} work spent waiting for its turn, summed.`);
  const started = counter(`ingang_${name}_started_total`, `${name} work started.`);
  const refused = counter(`ingang_${name}_refused_total`, `${name} work refused because the queue was full.`);
  gauge(`ingang_${name}_queue_length`, `${name} work waiting for its turn now.`, () => waiting.length);
  gauge(`ingang_${name}_running`, `${name} work running now (at most ${limits.concurrency}).`, () => running);

  // The one finishing hands its place to the first waiting, so `running` never goes above the cap
  // (a newcomer cannot slip in between).
  const next = () => {
    const first = waiting.shift();
    if (first) first();
    else running -= 1;
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return waiting.length;
    },
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running >= limits.concurrency) {
        if (waiting.length >= limits.maxWaiting) {
          refused.add();
          throw new WorkQueueFullError(name);
        }
        const queuedAt = now();
        await new Promise<void>((resolve) => waiting.push(resolve));
        waitSeconds.add({}, (now() - queuedAt) / 1000);
      } else running += 1;
      started.add();
      try {
        return await work();
      } finally {
        next();
      }
    },
  };
}
