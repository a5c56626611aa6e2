import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runMaintenance } from '../../src/jobs/maintenance.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, invitedAccount, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function rowsOf(org: Organization): Promise<{ audit: { event: string; details: Record<string, unknown> }[]; jobs: number }> {
  const audit = await t.deps.db.query<{ event: string; details: Record<string, unknown> }>('SELECT event, details FROM audit_event WHERE tenant_id = $1 ORDER BY id', [org.tenantId]);
  const jobs = await t.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job WHERE tenant_id = $1', [org.tenantId]);
  return { audit, jobs: jobs[0]!.n };
}

const count = (rows: { event: string }[], event: string) => rows.filter((r) => r.event === event).length;

/** Past the window of throttled bursts, maintenance writes each one's count. */
async function endTheWindows(org: Organization): Promise<void> {
  t.clock.advanceMinutes(16);
  await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId });
}

describe('SECURITY 37: anonymous requests write a bounded number of rows, whatever their count', () => {
  test('1,000 forgot-password requests from one network: 20 queued, then 429 with Retry-After; two audit rows for the burst', async () => {
    const org = await createTestOrg(t);
    const baseline = await rowsOf(org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/password/forgot');
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const response = await browser.post('/password/forgot', { email: `victim${i}@example.org` });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (i === 999) {
        assert.equal(response.statusCode, 429);
        assert.ok(Number(response.headers['retry-after']) > 0);
        assert.match(response.body, /try again|opnieuw/i);
      }
    }
    assert.deepEqual([...statuses], [[200, 20], [429, 980]]);
    await endTheWindows(org);
    const rows = await rowsOf(org);
    assert.equal(count(rows.audit, 'password_reset_requested') - count(baseline.audit, 'password_reset_requested'), 20);
    assert.equal(rows.jobs - baseline.jobs, 20);
    const throttled = rows.audit.filter((r) => r.event === 'requests_throttled');
    assert.deepEqual(
      throttled.map((r) => [r.details.request, r.details.scope, r.details.burst, r.details.count ?? null]),
      [
        ['password_reset', 'network', 'started', null],
        ['password_reset', 'network', 'ended', 980],
      ],
    );
  });

  test('one address asked for from many networks: three requests an hour are queued, the rest answered alike and dropped', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/password/forgot');
    const before = await rowsOf(org);
    const bodies = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const response = await browser.post('/password/forgot', { email: account.email }, {}, `198.51.100.${i + 1}`);
      assert.equal(response.statusCode, 200, 'the answer is "check your e-mail" for every request');
      bodies.add(response.body.replace(/name="_csrf" value="[^"]+"/, ''));
    }
    assert.equal(bodies.size, 1, 'the throttled answer cannot be told from a queued one');
    await t.jobs.runDue();
    assert.equal(t.mail.to(account.email).length, 3);
    await endTheWindows(org);
    const rows = await rowsOf(org);
    assert.equal(count(rows.audit, 'password_reset_requested') - count(before.audit, 'password_reset_requested'), 3);
    // Each network's first throttled request starts a burst of its own; none writes more than that.
    assert.equal(count(rows.audit, 'requests_throttled'), 47);
  });

  test('registrations of an existing address in look-alike spellings are one address: 3 mails an hour, not one per spelling', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    const account = await createActiveAccount(t, org, { email: 'admin@demo.example' });
    const spellings = ['admin@demo.example', 'admin@demo.example.', 'admin@demo.example..', 'ａdmin@demo.example', 'aｄmin@demo.example', 'ADMIN@demo.example', 'admin@demo.example。', 'ａｄmin@demo.example.'];
    for (const [i, email] of spellings.entries()) {
      const browser = new TestBrowser(t.app, hostOf(org));
      await browser.get('/register');
      assert.equal((await browser.post('/register', { name: 'Mallory', email }, {}, `198.51.100.${i + 1}`)).statusCode, 200);
    }
    await t.jobs.runDue();
    assert.equal(t.mail.to(account.email).length, 3);
  });

  test('1,000 registrations from one network: 10 queued, then 429 with Retry-After', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    const before = await rowsOf(org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/register');
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const response = await browser.post('/register', { name: 'Someone', email: `new${i}@example.org` });
      if (response.statusCode === 429) {
        refused += 1;
        assert.ok(Number(response.headers['retry-after']) > 0);
      } else assert.equal(response.statusCode, 200);
    }
    assert.equal(refused, 990);
    await t.jobs.runDue();
    await endTheWindows(org);
    const rows = await rowsOf(org);
    assert.equal(count(rows.audit, 'registration_requested') - count(before.audit, 'registration_requested'), 10);
    assert.equal(count(rows.audit, 'requests_throttled'), 2);
    assert.equal(count(rows.audit, 'account_created') - count(before.audit, 'account_created'), 10);
    // 10 registration jobs, each with its welcome mail.
    assert.equal(rows.jobs - before.jobs, 20);
  });

  test('1,000 welcome-link renewals with a right link: 3 mails, the guesses budget, two audit rows for the burst', async () => {
    const org = await createTestOrg(t);
    const { account, link } = await invitedAccount(t, org, 'renewer@example.org');
    const token = link.split('/').pop()!;
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get(link);
    const before = await rowsOf(org);
    t.mail.sent = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const response = await browser.post('/welcome/renew', { token });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [[200, 20], [429, 980]]);
    await t.jobs.runDue();
    assert.equal(t.mail.to(account.email).length, 3);
    await endTheWindows(org);
    const rows = await rowsOf(org);
    assert.equal(count(rows.audit, 'welcome_link_renewal_requested') - count(before.audit, 'welcome_link_renewal_requested'), 3);
    assert.equal(count(rows.audit, 'requests_throttled'), 2);
  });

  test('1,000 logins from a throttled network: one audit row when the burst starts, one with its count at the end', async () => {
    const org = await createTestOrg(t);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    for (let i = 0; i < 1000; i++) await browser.post('/login', { email: `nobody${i}@example.org`, password: 'a guess at something' });
    await endTheWindows(org);
    const rows = await rowsOf(org);
    assert.equal(count(rows.audit, 'login_failed'), 30);
    const throttled = rows.audit.filter((r) => r.event === 'login_throttled');
    assert.deepEqual(
      throttled.map((r) => [r.details.burst, r.details.count ?? null, r.details.network]),
      [
        ['started', null, '127.0.0.1'],
        ['ended', 970, '127.0.0.1'],
      ],
    );
  });
});
