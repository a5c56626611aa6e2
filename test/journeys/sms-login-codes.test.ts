import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlParam } from '../../src/db/db.js';
import { createTestApp, loggedInBrowser, type TestApp } from '../harness.js';
import { accountWithSms, smsPhone } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

/**
 * A race made real: the first query matching `pattern` waits, after it ran, until a second one has
 * run too (at most 2 s). Returns the function that undoes it.
 */
function holdFirstUntilSecond(db: TestApp['db'], pattern: RegExp): () => void {
  const realQuery = db.query.bind(db);
  let arrived = 0;
  let secondArrived!: () => void;
  const second = new Promise<void>((resolve) => (secondArrived = resolve));
  db.query = (async (sql: string, params?: readonly SqlParam[]) => {
    const rows = await realQuery(sql, params);
    if (pattern.test(sql)) {
      arrived += 1;
      if (arrived === 1) await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 2000))]);
      else secondArrived();
    }
    return rows;
  }) as typeof db.query;
  return () => {
    db.query = realQuery;
  };
}

describe('SMS codes at login (SPEC 4.5)', () => {
  test('setup with a validated number; at login the code is sent when the page opens, once per validity', async () => {
    const { org, user } = await accountWithSms(t);
    const before = t.sms.sent.length;
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, before + 1, 'sent on opening the page');
    assert.match(t.sms.sent.at(-1)!.message, new RegExp(org.name));
    await browser.get('/login/code');
    assert.equal(t.sms.sent.length, before + 1, 'a reload does not send another');
    assert.equal((await browser.post('/login/code', { code: t.sms.lastCode(smsPhone) })).statusCode, 303);
  });

  test('resend waits 60 s and allows 3 per 15 minutes; a resend never resets the failure count', async () => {
    const { org, user } = await accountWithSms(t);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    const tooSoon = await browser.post('/login/code/resend', {});
    assert.match(tooSoon.body, /new code in \d+ seconds/);
    for (let i = 0; i < 4; i++) await browser.post('/login/code', { code: '000000' });
    t.clock.advanceSeconds(61);
    const resent = await browser.post('/login/code/resend', {});
    assert.match(resent.body, /A new code has been sent|Too many codes/);
    const fifth = await browser.post('/login/code', { code: '000000' });
    assert.equal(fifth.headers.location, '/login?codeAttemptEnded=1', 'the resend did not give new tries');
    // The limit of 3 per 15 minutes (setup sent one, login two already).
    const later = await loggedInBrowser(t, org, user);
    t.clock.advanceSeconds(61);
    const page = await later.get('/login/code');
    assert.match(page.body, /Too many codes were sent/);
  });

  test('SECURITY 11: two parallel posts of one login code log in once; the code never works again in a later login', async () => {
    const { org, user } = await accountWithSms(t);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    const code = t.sms.lastCode(smsPhone);

    // Both requests carry the same session and the same right code: only one may use it. In one
    // process the first request would finish before the second looks up its session; the barrier
    // holds the first right after it found the code until the second has found it too, so both
    // really race for the one use (as they do on a PostgreSQL with several connections).
    const release = holdFirstUntilSecond(t.db, /UPDATE sms_code SET attempts = attempts \+ 1/);
    let answers;
    try {
      answers = await Promise.all([browser.post('/login/code', { code }), browser.post('/login/code', { code })]);
    } finally {
      release();
    }
    const described = answers.map((r) => `${r.statusCode} ${r.headers.location ?? ''}`).join(', ');
    const loggedInWithIt = answers.filter((r) => r.statusCode === 303 && r.headers.location === '/');
    assert.equal(loggedInWithIt.length, 1, `exactly one use of the code logs in; answers: ${described}`);
    assert.ok(answers.some((r) => r.statusCode === 200 && /This code is not right/.test(r.body)), `the other use is refused as a wrong code; answers: ${described}`);
    const [successes] = await t.deps.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'login_succeeded' AND details->>'step' = 'second_factor'",
      [org.tenantId],
    );
    assert.equal(successes!.n, 1, 'one code, one completed login');

    // Later, a new login attempt in another browser tries the used code again.
    t.clock.advanceSeconds(61);
    const later = await loggedInBrowser(t, org, user);
    await later.get('/login/code');
    const replay = await later.post('/login/code', { code });
    assert.equal(replay.statusCode, 200, 'the used code is refused');
    assert.match(replay.body, /This code is not right/, 'with the wrong-code message');
    assert.equal((await later.post('/login/code', { code: t.sms.lastCode(smsPhone) })).headers.location, '/', 'the new code of this attempt works');
  });

  test('an SMS code expires after 5 minutes', async () => {
    const { org, user } = await accountWithSms(t);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    const code = t.sms.lastCode(smsPhone);
    t.clock.advanceSeconds(5 * 60 + 1);
    assert.equal((await browser.post('/login/code', { code })).statusCode, 200, 'refused after 5 minutes');
  });
});
