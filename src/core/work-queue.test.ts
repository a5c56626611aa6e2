import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkQueue, WorkQueueFullError } from './work-queue.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

test('at most `concurrency` run at once, the rest in order, and past `maxWaiting` new work is refused', async () => {
  const queue = createWorkQueue('test_queue_a', { concurrency: 2, maxWaiting: 3 });
  const gates = Array.from({ length: 5 }, gate);
  const order: number[] = [];
  let most = 0;
  const runs = gates.map((g, i) =>
    queue.run(async () => {
      order.push(i);
      most = Math.max(most, queue.running);
      await g.opened;
      return i;
    }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(queue.running, 2);
  assert.equal(queue.waiting, 3);
  await assert.rejects(queue.run(async () => 'too many'), WorkQueueFullError);
  // A newcomer arriving once a place is free again does not slip past the ones waiting.
  gates[0]!.open();
  await runs[0];
  assert.equal(queue.waiting, 2);
  const late = queue.run(async () => {
    order.push(99);
    return 99;
  });
  for (const g of gates) g.open();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4]);
  assert.equal(await late, 99);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 99]);
  assert.equal(most, 2);
  assert.equal(queue.running, 0);
});

test('work that fails gives its place back', async () => {
  const queue = createWorkQueue('test_queue_b', { concurrency: 1, maxWaiting: 10 });
  await assert.rejects(queue.run(async () => Promise.reject(new Error('boom'))));
  assert.equal(await queue.run(async () => 'next'), 'next');
  assert.equal(queue.running, 0);
});
