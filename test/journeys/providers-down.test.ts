import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { accountWithSms, smsPhone } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('SECURITY 33: the SMS provider is down, refuses or is slow', () => {
  test('SECURITY 33: the SMS provider is down: the user is told, nothing is counted', async () => {
    const { org, user } = await accountWithSms(t);
    t.sms.failing = true;
    const browser = await loggedInBrowser(t, org, user);
    const page = await browser.get('/login/code');
    assert.match(page.body, /could not be sent/);
    const counted = await t.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sms_code WHERE tenant_id = $1', [org.tenantId]);
    t.sms.failing = false;
    const retry = await browser.get('/login/code');
    assert.doesNotMatch(retry.body, /could not be sent|Too many/);
    assert.equal(counted[0]!.n, 1, 'only the setup code exists: the failed send left no code behind');
    assert.equal((await browser.post('/login/code', { code: t.sms.lastCode(smsPhone) })).statusCode, 303);
  });

  test('SECURITY 33: a resend the provider refuses leaves the code sent before it working', async () => {
    const { org, user } = await accountWithSms(t);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    const firstCode = t.sms.lastCode(smsPhone);
    t.clock.advanceSeconds(61);
    t.sms.failing = true;
    const resend = await browser.post('/login/code/resend', {});
    t.sms.failing = false;
    assert.match(resend.body, /could not be sent/);
    assert.equal((await browser.post('/login/code', { code: firstCode })).headers.location, '/', 'the first code still logs in');
  });

  // With the provider called inside a transaction this test hangs (PGlite) or waits on the row lock
  // (PostgreSQL) until the timeout ends it: the timeout turns that hang into a failure.
  test('a slow SMS provider holds no lock: other logins, of this account too, go on meanwhile', { timeout: 30_000 }, async () => {
    const { org, user } = await accountWithSms(t);
    const other = await createTestOrg(t);
    const browser = await loggedInBrowser(t, org, user);
    const provider = t.sms.hold();
    const waiting = browser.get('/login/code');
    try {
      await provider.entered;
      // While the provider has not answered: another org's page, and a password attempt on this
      // very account (which locks its row), both answer.
      assert.equal((await new TestBrowser(t.app, hostOf(other)).get('/login')).statusCode, 200);
      const elsewhere = new TestBrowser(t.app, hostOf(org));
      assert.equal((await elsewhere.login(user.email, 'not the password 1!')).statusCode, 200, 'a wrong password is answered');
    } finally {
      provider.release();
    }
    const page = await waiting;
    assert.doesNotMatch(page.body, /could not be sent/);
    assert.equal((await browser.post('/login/code', { code: t.sms.lastCode(smsPhone) })).headers.location, '/');
  });

  test('while a resend is still on its way, the code the user already has keeps working', { timeout: 30_000 }, async () => {
    const { org, user } = await accountWithSms(t);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    const first = t.sms.lastCode(smsPhone);
    t.clock.advanceSeconds(61);
    const provider = t.sms.hold();
    const resending = browser.post('/login/code/resend', {});
    let login;
    try {
      await provider.entered;
      login = await browser.post('/login/code', { code: first });
    } finally {
      provider.release();
    }
    await resending;
    assert.equal(login.headers.location, '/', 'the first code logged in while the second was being sent');
  });
});

describe('SECURITY 33: the mail provider is down', () => {
  test('mail stays in the durable outbox, is retried, and arrives when the provider is back', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    t.mail.failing = true;
    const browser = new TestBrowser(t.app, hostOf(org));
    const answer = await browser.submit('/password/forgot', '/password/forgot', { email: user.email });
    assert.equal(answer.statusCode, 200);
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 0);
    const [pending] = await t.deps.db.query<{ attempts: number; last_error: string; done_at: Date | null }>(
      "SELECT attempts, last_error, done_at FROM job WHERE tenant_id = $1 AND kind = 'email' ORDER BY seq DESC LIMIT 1",
      [org.tenantId],
    );
    assert.equal(pending!.done_at, null);
    assert.match(pending!.last_error, /unavailable/);
    t.mail.failing = false;
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 0, 'not before its retry time');
    t.clock.advanceSeconds(31);
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 1, 'delivered on retry');
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    assert.equal((await browser.get(link)).statusCode, 200, 'and the link in it works');
  });
});
