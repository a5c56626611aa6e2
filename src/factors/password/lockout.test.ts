import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failuresBeforeDelay, isLocked, lockedUntil, loginDelaySeconds } from './lockout.js';

const last = new Date('2024-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(last.getTime() + ms);

test('no delay below five failures', () => {
  assert.equal(failuresBeforeDelay, 5);
  for (const n of [0, 1, 2, 3, 4]) assert.equal(loginDelaySeconds(n), 0, `${n} failures`);
});

test('30 seconds at the fifth failure, doubling with each further one', () => {
  assert.equal(loginDelaySeconds(5), 30);
  assert.equal(loginDelaySeconds(6), 60);
  assert.equal(loginDelaySeconds(7), 120);
  assert.equal(loginDelaySeconds(8), 240);
  assert.equal(loginDelaySeconds(9), 480);
});

test('capped at 15 minutes', () => {
  assert.equal(loginDelaySeconds(10), 900);
  assert.equal(loginDelaySeconds(11), 900);
  assert.equal(loginDelaySeconds(50), 900);
  assert.equal(loginDelaySeconds(10_000), 900);
});

test('the delay never shrinks as failures grow', () => {
  let previous = 0;
  for (let n = 0; n <= 100; n++) {
    const delay = loginDelaySeconds(n);
    assert.ok(delay >= previous && delay <= 900 && Number.isFinite(delay), `${n}: ${delay}`);
    previous = delay;
  }
});

test('not locked with fewer than five failures, however recent', () => {
  const account = { failedLoginCount: 4, lastFailedLoginAt: last };
  assert.equal(lockedUntil(account), null);
  assert.equal(isLocked(account, last), false);
});

test('not locked without a last failure time', () => {
  const account = { failedLoginCount: 7, lastFailedLoginAt: null };
  assert.equal(lockedUntil(account), null);
  assert.equal(isLocked(account, last), false);
});

test('locked exactly until the last failure plus the delay', () => {
  const fifth = { failedLoginCount: 5, lastFailedLoginAt: last };
  assert.deepEqual(lockedUntil(fifth), at(30_000));
  assert.equal(isLocked(fifth, last), true);
  assert.equal(isLocked(fifth, at(29_999)), true);
  assert.equal(isLocked(fifth, at(30_000)), false);
  assert.equal(isLocked(fifth, at(30_001)), false);

  const seventh = { failedLoginCount: 7, lastFailedLoginAt: last };
  assert.deepEqual(lockedUntil(seventh), at(120_000));
  assert.equal(isLocked(seventh, at(119_999)), true);
  assert.equal(isLocked(seventh, at(120_000)), false);
});

test('many failures lock for 15 minutes, no longer', () => {
  const many = { failedLoginCount: 40, lastFailedLoginAt: last };
  assert.deepEqual(lockedUntil(many), at(15 * 60_000));
  assert.equal(isLocked(many, at(15 * 60_000 - 1)), true);
  assert.equal(isLocked(many, at(15 * 60_000)), false);
});

test('lockedUntil does not change the account it is given', () => {
  const account = { failedLoginCount: 6, lastFailedLoginAt: new Date(last) };
  lockedUntil(account);
  isLocked(account, last);
  assert.deepEqual(account, { failedLoginCount: 6, lastFailedLoginAt: last });
});
