import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, mailedResetLink, type TestApp } from '../harness.js';

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
    const link = await mailedResetLink(t, browser, user.email);
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
