import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountById } from '../../src/accounts/accounts.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

interface Row {
  event: string;
  outcome: string;
  actor_account_id: string | null;
  subject_account_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  occurred_at: Date;
  details: Record<string, unknown>;
}

const auditRows = (tenantId: string) =>
  t.deps.db.query<Row>('SELECT event, outcome, actor_account_id, subject_account_id, ip, user_agent, request_id, occurred_at, details FROM audit_event WHERE tenant_id = $1 ORDER BY id', [tenantId]);

describe('SECURITY 29: one audit row per event, no secrets, append only', () => {
  test('a journey leaves exactly the expected rows with every field of SPEC 7 and none of its secrets', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org, { password: 'my secret passphrase' });
    const before = (await auditRows(org.tenantId)).length;
    const browser = new TestBrowser(t.app, hostOf(org), { 'user-agent': 'AuditTest/1.0' });
    await browser.login(user.email, 'wrong guess passphrase');
    await browser.login(user.email, 'my secret passphrase');
    await browser.get('/');
    await browser.post('/logout', {});
    await browser.submit('/password/forgot', '/password/forgot', { email: user.email });
    await t.jobs.runDue();
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    await browser.get(link);
    await browser.post(link, { password: 'the next passphrase', passwordConfirm: 'the next passphrase' });

    const rows = (await auditRows(org.tenantId)).slice(before);
    assert.deepEqual(
      rows.map((r) => `${r.event}:${r.outcome}`),
      ['login_failed:failure', 'login_succeeded:success', 'logged_out:success', 'password_reset_requested:success', 'password_reset_email_sent:success', 'password_changed:success'],
    );
    const requestRows = rows.filter((r) => r.event !== 'password_reset_email_sent');
    for (const row of requestRows) {
      assert.equal(row.ip, '127.0.0.1', row.event);
      assert.equal(row.user_agent, 'AuditTest/1.0', row.event);
      assert.match(row.request_id ?? '', /^[0-9a-f-]{36}$/, row.event);
      assert.ok(row.occurred_at instanceof Date);
    }
    assert.equal(rows.at(-1)!.details?.via, 'reset', 'a reset is a password change made through the link');
    assert.equal(rows[0]!.subject_account_id, user.id);
    assert.equal(rows[1]!.actor_account_id, user.id);
    const everything = JSON.stringify(await auditRows(org.tenantId));
    const token = link.split('/').pop()!;
    for (const secret of ['my secret passphrase', 'wrong guess passphrase', 'the next passphrase', token, token.split('.')[1]!]) {
      assert.ok(!everything.includes(secret), `audit leaks ${secret.slice(0, 8)}…`);
    }
  });

  test('the database refuses to update, delete or truncate audit rows', async () => {
    const org = await createTestOrg(t);
    await createActiveAccount(t, org);
    await assert.rejects(t.deps.db.query("UPDATE audit_event SET event = 'tampered' WHERE tenant_id = $1", [org.tenantId]), /append-only/);
    await assert.rejects(t.deps.db.query('DELETE FROM audit_event WHERE tenant_id = $1', [org.tenantId]), /append-only/);
    await assert.rejects(t.deps.db.query('TRUNCATE audit_event'), /append-only/);
    assert.ok((await auditRows(org.tenantId)).length > 0);
  });
});

describe('SECURITY 30: the database goes away and comes back', () => {
  test('503 with a clear page, /readyz fails, no attempt counted; afterwards all works without a restart', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    t.db.down = true;
    try {
      const login = await browser.post('/login', { email: user.email, password: 'wrong password!!' });
      assert.equal(login.statusCode, 503);
      assert.match(login.body, /Nothing was changed/);
      assert.doesNotMatch(login.body, /at \w+ \(/);
      assert.ok(login.headers['content-security-policy']);
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz', headers: { host: 'localhost' } })).statusCode, 503);
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'localhost' } })).statusCode, 200, 'the process is up');
    } finally {
      t.db.down = false;
    }
    assert.equal((await findAccountById(t.deps.db, org.tenantId, user.id))!.failedLoginCount, 0, 'no attempt counted');
    assert.equal((await t.app.inject({ method: 'GET', url: '/readyz', headers: { host: 'localhost' } })).statusCode, 200);
    await browser.get('/login');
    assert.equal((await browser.post('/login', { email: user.email, password: user.password })).statusCode, 303);
  });
});

describe('SECURITY 31: a multi-step change is all or nothing', () => {
  test('a reset that fails half-way leaves the link, the password and the sessions as they were', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const session = new TestBrowser(t.app, hostOf(org));
    await session.login(user.email, user.password);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.submit('/password/forgot', '/password/forgot', { email: user.email });
    await t.jobs.runDue();
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    await browser.get(link);
    // Cut the database after the token is used and the password set, before the sessions end.
    const realTransaction = t.db.transaction.bind(t.db);
    t.db.transaction = (fn) =>
      realTransaction((tx) =>
        fn({
          ...tx,
          query: async (sql, params) => {
            if (/DELETE FROM web_session/.test(sql)) throw new Error('crash in the middle (test)');
            return tx.query(sql, params);
          },
        }),
      );
    try {
      const crashed = await browser.post(link, { password: 'the next passphrase', passwordConfirm: 'the next passphrase' });
      assert.equal(crashed.statusCode, 500);
      assert.doesNotMatch(crashed.body, /crash in the middle/);
    } finally {
      t.db.transaction = realTransaction;
    }
    assert.equal((await session.get('/account')).statusCode, 200, 'sessions untouched');
    assert.equal((await new TestBrowser(t.app, hostOf(org)).login(user.email, user.password)).statusCode, 303, 'old password still works');
    await browser.get(link);
    assert.equal((await browser.post(link, { password: 'the next passphrase', passwordConfirm: 'the next passphrase' })).statusCode, 303, 'the link was not used up');
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
