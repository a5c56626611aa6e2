/**
 * SPEC 9 (issue 14): the job claim takes no row lock across organizations (Citus refuses one
 * across shards); each job is claimed with a compare-and-set pinned to its organization. Two
 * workers racing for the same 200 jobs claim each exactly once — on PGlite, and on PostgreSQL
 * (a pool of connections: a real race) when DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { claimDueJobs, enqueueJob, type Job } from '../../src/jobs/queue.js';
import { createTestApp, createTestOrg, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

test('two workers racing for 200 jobs of two organizations claim each exactly once, oldest first', async () => {
  const orgs = [await createTestOrg(t), await createTestOrg(t)];
  const tenants = orgs.map((o) => o.tenantId);
  const enqueued = new Set<string>();
  for (let i = 0; i < 200; i++) enqueued.add(await enqueueJob(t.deps.db, t.deps, tenants[i % 2]!, 'claim_race_test', { i }));
  const now = t.clock.now();
  const byWorker: Job[][] = [[], []];
  for (let round = 0; round < 100; round++) {
    const [a, b] = await Promise.all([claimDueJobs(t.deps.db, now, 10, tenants), claimDueJobs(t.deps.db, now, 10, tenants)]);
    byWorker[0]!.push(...a);
    byWorker[1]!.push(...b);
    if (a.length === 0 && b.length === 0) break;
  }
  const all = byWorker.flat();
  const ids = all.map((job) => job.id);
  assert.equal(new Set(ids).size, ids.length, 'no job claimed twice');
  assert.deepEqual(new Set(ids), enqueued, 'every job claimed');
  assert.ok(all.every((job) => job.attempts === 1), 'each claim counted once');
  assert.ok(byWorker[0]!.length > 0 && byWorker[1]!.length > 0, 'both workers got work');
  for (const claimed of byWorker) {
    const order = claimed.map((job) => Number(job.payload.i));
    assert.ok(order.slice(0, 10).every((n, k, list) => k === 0 || n > list[k - 1]!), 'a claim hands its jobs first in, first out');
  }
  // Leased: nothing is due again until the lease ends.
  assert.deepEqual(await claimDueJobs(t.deps.db, now, 10, tenants), []);
});
