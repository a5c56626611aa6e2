import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountByEmail } from '../../src/accounts/accounts.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function loggedIn(org: Parameters<typeof hostOf>[0], account: { email: string; password: string }) {
  const browser = new TestBrowser(t.app, hostOf(org));
  assert.equal((await browser.login(account.email, account.password)).statusCode, 303);
  return browser;
}

async function createVia(browser: TestBrowser, fields: Record<string, string>) {
  await browser.get('/staff/accounts/new');
  return browser.post('/staff/accounts/new', { locale: '', ...fields });
}

describe('who creates whom (SPEC 2, 6)', () => {
  test('a professional creates clients only, and sees only their own clients', async () => {
    const org = await createTestOrg(t);
    const pro = await createActiveAccount(t, org, { role: 'professional' });
    const otherPro = await createActiveAccount(t, org, { role: 'professional' });
    const browser = await loggedIn(org, pro);
    const staffAttempt = await createVia(browser, { email: 'nurse@example.org', name: 'Nurse', role: 'helpdesk' });
    assert.equal(staffAttempt.statusCode, 200);
    assert.match(staffAttempt.body, /You may not create an account with this role/);
    assert.equal(await findAccountByEmail(t.deps.db, org.tenantId, 'nurse@example.org'), null);

    assert.equal((await createVia(browser, { email: 'mine@example.org', name: 'Mine', role: 'client' })).statusCode, 303);
    const other = await loggedIn(org, otherPro);
    assert.equal((await createVia(other, { email: 'theirs@example.org', name: 'Theirs', role: 'client' })).statusCode, 303);

    const list = await browser.get('/staff/accounts');
    assert.match(list.body, /mine@example\.org/);
    assert.doesNotMatch(list.body, /theirs@example\.org/);
    const theirs = await findAccountByEmail(t.deps.db, org.tenantId, 'theirs@example.org');
    assert.equal((await browser.get(`/staff/accounts/${theirs!.id}`)).statusCode, 404);
    assert.equal((await browser.get(`/staff/accounts/${otherPro.id}`)).statusCode, 404, 'staff accounts are for admins');
  });

  test('the form keeps what was typed and names each problem; a taken address changes nothing', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const browser = await loggedIn(org, admin);
    const bad = await createVia(browser, { email: 'not-an-address', name: 'Kept Name', role: 'client' });
    assert.equal(bad.statusCode, 200);
    assert.match(bad.body, /Enter a valid e-mail address/);
    assert.match(bad.body, /value="Kept Name"/);
    assert.match(bad.body, /value="not-an-address"/);
    assert.equal((await createVia(browser, { email: 'dup@example.org', name: 'First', role: 'client' })).statusCode, 303);
    const dup = await createVia(browser, { email: ' DUP@example.org ', name: 'Second', role: 'client' });
    assert.match(dup.body, /already an account with this e-mail address/);
    assert.equal((await findAccountByEmail(t.deps.db, org.tenantId, 'dup@example.org'))!.name, 'First');
    const wrongRole = await createVia(browser, { email: 'x@example.org', name: 'X', role: 'superuser' });
    assert.match(wrongRole.body, /Choose a role/);
  });

  test('clients get 404 on every staff route', async () => {
    const org = await createTestOrg(t);
    const client = await createActiveAccount(t, org);
    const browser = await loggedIn(org, client);
    for (const path of ['/staff/accounts', '/staff/accounts/new', `/staff/accounts/${client.id}`, '/admin/audit']) {
      assert.equal((await browser.get(path)).statusCode, 404, path);
    }
  });

  test('halfway through a login, a client still gets 404 on staff routes; a professional goes on to the next step', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'required', twoFactorStaff: 'required' } });
    const client = await createActiveAccount(t, org);
    const pro = await createActiveAccount(t, org, { role: 'professional' });
    // Logged in with the password; two-step setup is forced next.
    const clientBrowser = await loggedIn(org, client);
    assert.equal((await clientBrowser.get('/account')).headers.location, '/account/2fa/setup', 'the client is halfway');
    for (const path of ['/staff/accounts', '/staff/accounts/new', `/staff/accounts/${client.id}`, '/admin/audit', '/admin/policy']) {
      assert.equal((await clientBrowser.get(path)).statusCode, 404, `client on ${path}`);
    }
    const proBrowser = await loggedIn(org, pro);
    const staffPage = await proBrowser.get('/staff/accounts');
    assert.equal(staffPage.statusCode, 303, 'a professional halfway is sent on');
    assert.equal(staffPage.headers.location, '/account/2fa/setup');
    assert.equal((await proBrowser.get('/admin/audit')).statusCode, 404, 'admin pages stay hidden from a professional');
  });
});

describe('SECURITY 28: staff of org A never reach org B', () => {
  test('every staff route answers 404 for an id of another org, and the action changes nothing', async () => {
    const orgA = await createTestOrg(t);
    const orgB = await createTestOrg(t);
    const adminA = await createActiveAccount(t, orgA, { role: 'admin' });
    const victimB = await createActiveAccount(t, orgB);
    const browser = await loggedIn(orgA, adminA);
    assert.equal((await browser.get(`/staff/accounts/${victimB.id}`)).statusCode, 404);
    await browser.get('/staff/accounts');
    const action = await browser.post(`/staff/accounts/${victimB.id}/action`, { action: 'deactivate', confirm: 'yes', reason: 'attack' });
    assert.equal(action.statusCode, 404);
    const searched = await browser.get(`/staff/accounts?q=${encodeURIComponent(victimB.email)}`);
    assert.match(searched.body, /No accounts found/);
    assert.doesNotMatch(searched.body, new RegExp(`<td>${victimB.email}`));
    const victimBrowser = new TestBrowser(t.app, hostOf(orgB));
    assert.equal((await victimBrowser.login(victimB.email, victimB.password)).statusCode, 303, 'still active');
    assert.equal((await browser.get('/staff/accounts/not-a-uuid')).statusCode, 404);
  });
});

describe('helpdesk actions (SPEC 6)', () => {
  test('unlock, send reset, deactivate and reactivate, each audited with actor, subject and reason', async () => {
    const org = await createTestOrg(t);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const client = await createActiveAccount(t, org);
    const clientBrowser = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 6; i++) await clientBrowser.login(client.email, 'wrong password!!');
    const browser = await loggedIn(org, helpdesk);
    const detail = await browser.get(`/staff/accounts/${client.id}`);
    assert.match(detail.body, /temporarily locked until/);

    const noReason = await browser.post(`/staff/accounts/${client.id}/action`, { action: 'unlock', reason: '  ' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter a reason/);

    for (const action of ['unlock', 'send_reset', 'deactivate', 'reactivate']) {
      await browser.get(`/staff/accounts/${client.id}`);
      const done = await browser.post(`/staff/accounts/${client.id}/action`, { action, reason: `reason for ${action}`, ...(action === 'deactivate' ? { confirm: 'yes' } : {}) });
      assert.equal(done.statusCode, 303, `${action}: ${done.body.slice(0, 300)}`);
    }
    await t.jobs.runDue();
    assert.match(t.mail.last(client.email).text, /\/password\/reset\//);
    assert.equal((await clientBrowser.login(client.email, client.password)).statusCode, 303, 'unlocked and active again');

    const rows = await t.deps.db.query<{ event: string; actor_account_id: string; subject_account_id: string; details: { reason?: string } }>(
      `SELECT event, actor_account_id, subject_account_id, details FROM audit_event WHERE tenant_id = $1 AND actor_account_id = $2 ORDER BY id`,
      [org.tenantId, helpdesk.id],
    );
    const staffEvents = rows.filter((r) => r.event !== 'login_succeeded');
    assert.deepEqual(staffEvents.map((r) => r.event), ['account_unlocked', 'password_reset_sent_by_staff', 'account_deactivated', 'account_reactivated']);
    for (const row of staffEvents) {
      assert.equal(row.subject_account_id, client.id);
    }
    assert.deepEqual(staffEvents.map((r) => r.details.reason), ['reason for unlock', 'reason for send_reset', 'reason for deactivate', 'reason for reactivate']);
  });

  test('helpdesk sees and helps clients and professionals (one who lost their phone), never a colleague or an admin', async () => {
    const org = await createTestOrg(t);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const pro = await createActiveAccount(t, org, { role: 'professional', email: 'pro-lost-phone@example.org' });
    const admin = await createActiveAccount(t, org, { role: 'admin', email: 'the-admin@example.org' });
    const colleague = await createActiveAccount(t, org, { role: 'helpdesk', email: 'colleague@example.org' });
    const browser = await loggedIn(org, helpdesk);
    const list = await browser.get('/staff/accounts');
    assert.match(list.body, /pro-lost-phone@example\.org/, 'professionals are listed');
    assert.doesNotMatch(list.body, /the-admin@example\.org/, 'admins are not');
    assert.doesNotMatch(list.body, /colleague@example\.org/, 'helpdesk colleagues are not');
    assert.equal((await browser.get(`/staff/accounts/${colleague.id}`)).statusCode, 404, 'a colleague is out of reach');
    assert.equal((await browser.get(`/staff/accounts/${pro.id}`)).statusCode, 200);
    assert.equal((await browser.post(`/staff/accounts/${pro.id}/action`, { action: 'send_reset', reason: 'lost phone, called in' })).statusCode, 303);
    assert.equal((await browser.get(`/staff/accounts/${admin.id}`)).statusCode, 404);
    assert.equal((await browser.post(`/staff/accounts/${admin.id}/action`, { action: 'deactivate', confirm: 'yes', reason: 'x' })).statusCode, 404);
    const adminBrowser = new TestBrowser(t.app, hostOf(org));
    assert.equal((await adminBrowser.login(admin.email, admin.password)).statusCode, 303, 'the admin is untouched');
  });

  test('a professional may resend a welcome mail but not deactivate', async () => {
    const org = await createTestOrg(t);
    const pro = await createActiveAccount(t, org, { role: 'professional' });
    const browser = await loggedIn(org, pro);
    await createVia(browser, { email: 'invitee@example.org', name: 'Invitee', role: 'client' });
    const invitee = await findAccountByEmail(t.deps.db, org.tenantId, 'invitee@example.org');
    await browser.get(`/staff/accounts/${invitee!.id}`);
    assert.equal((await browser.post(`/staff/accounts/${invitee!.id}/action`, { action: 'deactivate', confirm: 'yes', reason: 'x' })).statusCode, 400);
    assert.equal((await browser.post(`/staff/accounts/${invitee!.id}/action`, { action: 'resend_welcome', reason: '' })).statusCode, 303);
    await t.jobs.runDue();
    assert.equal(t.mail.to('invitee@example.org').length, 2);
  });
});

describe('admin audit log (SPEC 6, 7)', () => {
  test('filters by person, event and time, and exports CSV safe from formula injection', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const client = await createActiveAccount(t, org);
    const attacker = new TestBrowser(t.app, hostOf(org), { 'user-agent': '=HYPERLINK("http://evil.example","click")' });
    await attacker.login(client.email, 'wrong password!!');
    const browser = await loggedIn(org, admin);
    const byPerson = await browser.get(`/admin/audit?person=${encodeURIComponent(client.email)}&event=login_failed`);
    assert.equal(byPerson.statusCode, 200);
    assert.match(byPerson.body, /<td data-label="Event">Login failed<br>failed<\/td>/);
    assert.doesNotMatch(byPerson.body, /<td data-label="Event">Logged in<br>/);
    const future = await browser.get('/admin/audit?from=2999-01-01');
    assert.match(future.body, /No events found/);
    const badDate = await browser.get('/admin/audit?from=yesterday');
    assert.equal(badDate.statusCode, 400);
    assert.match(badDate.body, /YYYY-MM-DD/);

    const csv = await browser.get('/admin/audit.csv');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /attachment/);
    const lines = csv.body.trim().split('\r\n');
    assert.match(lines[0]!, /^time,event,outcome,actor_id/);
    const failed = lines.find((l) => l.includes('login_failed'))!;
    assert.ok(failed.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), failed);
    assert.ok(lines.every((l) => !/(^|,)"?=/.test(l)), 'no cell starts with =');
    for (const [query, status] of [['to=9999-12-31', 200], ['from=0000-01-01', 400], ['from=2024-02-31', 400], ['to=2024-13-01', 400]] as const) {
      assert.equal((await browser.get(`/admin/audit?${query}`)).statusCode, status, query);
    }
  });
});
