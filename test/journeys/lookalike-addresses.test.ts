import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runMaintenance } from '../../src/jobs/maintenance.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, strongPassword, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function staffCreates(browser: TestBrowser, email: string, name = 'Anna de Vries') {
  await browser.get('/staff/accounts/new');
  return browser.post('/staff/accounts/new', { name, email, role: 'client', locale: '' });
}

async function register(org: Organization, email: string, name: string, remoteAddress?: string) {
  const browser = new TestBrowser(t.app, hostOf(org));
  await browser.get('/register');
  const response = await browser.post('/register', { name, email }, {}, remoteAddress);
  assert.equal(response.statusCode, 200);
  await t.jobs.runDue();
}

const accountsOf = (org: Organization) => t.deps.db.query<{ email: string; name: string; created_by: string | null; self_registered: boolean }>('SELECT email, name, created_by, self_registered FROM account WHERE tenant_id = $1 ORDER BY created_at', [org.tenantId]);

describe('SECURITY 38: a mail to an unconfirmed address carries nothing the requester typed', () => {
  test('the name typed on /register opens no mail: neither the confirmation, nor a renewal, nor a "forgot password"', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    const lure = 'Security team: your record was accessed, verify at https://evil.example';
    await register(org, 'target@example.org', lure);
    const confirmation = t.mail.last('target@example.org');
    for (const part of [confirmation.subject, confirmation.text, confirmation.html]) {
      assert.ok(!part.includes('Security team') && !part.includes('evil.example'), `nothing typed in: ${part.slice(0, 200)}`);
    }
    assert.match(confirmation.text, /^(Hello|Hallo),$/m);

    // "Forgot password" for the unconfirmed address sends the confirmation again, still without the name.
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/password/forgot');
    await browser.post('/password/forgot', { email: 'target@example.org' });
    await t.jobs.runDue();
    const again = t.mail.last('target@example.org');
    assert.notEqual(again, confirmation);
    assert.ok(!again.text.includes('Security team') && !again.html.includes('Security team'));
  });

  test('once the address is confirmed (a password set through its link), mails greet by name again', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    await register(org, 'confirmed@example.org', 'Karin Bos');
    const browser = new TestBrowser(t.app, hostOf(org));
    const link = t.mail.linkIn(t.mail.last('confirmed@example.org'), '/welcome/');
    await browser.get(link);
    await browser.post(link, { password: strongPassword, passwordConfirm: strongPassword });
    await browser.get('/password/forgot');
    await browser.post('/password/forgot', { email: 'confirmed@example.org' });
    await t.jobs.runDue();
    assert.match(t.mail.last('confirmed@example.org').text, /Karin Bos/);
  });
});

describe('SECURITY 39: look-alike addresses are one address within an org', () => {
  test('fullwidth, Cyrillic, trailing-dot and upper-case variants of an address make no second account', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin', email: 'admin@orga.example' });
    const staff = await loggedInBrowser(t, org, admin);
    // Fullwidth ａ; Cyrillic а; a trailing dot; upper case; rn for m; Cyrillic о.
    for (const variant of ['ａdmin@orga.example', 'admin@orgа.example', 'admin@orga.example.', 'ADMIN@ORGA.EXAMPLE', 'adrnin@orga.example', 'admin@оrga.example']) {
      const response = await staffCreates(staff, variant);
      assert.equal(response.statusCode, 200, variant);
      assert.match(response.body, /already an account|looks just like that of another account/, variant);
    }
    assert.deepEqual((await accountsOf(org)).map((a) => a.email), ['admin@orga.example']);
    // The look-alike refusal names the account it looks like, the domain in punycode beside it where it is international.
    const cyrillic = await staffCreates(staff, 'someone@bаnk.example');
    assert.equal(cyrillic.statusCode, 303);
    const other = await staffCreates(staff, 'someone@bank.example');
    assert.match(other.body, /someone@bаnk\.example \(someone@xn--bnk-6cd\.example\)/);
  });

  test('an address typed with a fullwidth letter or a trailing dot logs in to the one account', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org, { email: 'jan@example.org' });
    for (const variant of ['ｊan@example.org', 'jan@example.org.', 'JAN@EXAMPLE.ORG']) {
      const browser = new TestBrowser(t.app, hostOf(org));
      await browser.get('/login');
      const response = await browser.post('/login', { email: variant, password: account.password });
      assert.equal(response.statusCode, 303, variant);
    }
  });

  test('self-registration of a look-alike address makes no account and mails no one', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    await createActiveAccount(t, org, { email: 'dokter@praktijk.example' });
    const sentBefore = t.mail.sent.length;
    await register(org, 'dоkter@praktijk.example', 'Dokter');
    await register(org, 'dokter@praktijk.example.', 'Dokter');
    assert.deepEqual((await accountsOf(org)).map((a) => a.email), ['dokter@praktijk.example']);
    // The exact address (trailing dot aside) is the real one: its owner hears someone tried.
    assert.deepEqual(t.mail.sent.slice(sentBefore).map((m) => m.to), ['dokter@praktijk.example']);
  });

  test('staff take over an address that only self-registered and never set a password; the squatter’s link stops working', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    await register(org, 'patient@example.org', 'Squatter');
    const squatterLink = t.mail.linkIn(t.mail.last('patient@example.org'), '/welcome/');
    const staff = await loggedInBrowser(t, org, admin);
    const created = await staffCreates(staff, 'patient@example.org', 'Piet Jansen');
    assert.equal(created.statusCode, 303);
    await t.jobs.runDue();
    const accounts = (await accountsOf(org)).filter((a) => a.email === 'patient@example.org');
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]!.name, 'Piet Jansen');
    assert.equal(accounts[0]!.created_by, admin.id);
    assert.equal(accounts[0]!.self_registered, false);
    const welcome = t.mail.last('patient@example.org');
    assert.match(welcome.text, /Piet Jansen/);
    const squatter = new TestBrowser(t.app, hostOf(org));
    assert.equal((await squatter.get(squatterLink)).statusCode, 404, 'the old link is void');
    const audit = await t.deps.db.query<{ event: string; actor_account_id: string }>("SELECT event, actor_account_id FROM audit_event WHERE tenant_id = $1 AND event = 'self_registration_taken_over'", [org.tenantId]);
    assert.deepEqual(audit, [{ event: 'self_registration_taken_over', actor_account_id: admin.id }]);
  });

  test('an account that set its password is never taken over', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    await createActiveAccount(t, org, { email: 'active@example.org', name: 'Active Person' });
    const staff = await loggedInBrowser(t, org, admin);
    const response = await staffCreates(staff, 'active@example.org', 'Someone Else');
    assert.match(response.body, /already an account/);
    assert.equal((await accountsOf(org)).find((a) => a.email === 'active@example.org')!.name, 'Active Person');
  });

  test('accounts from before get their skeleton from maintenance; a look-alike pair from before is reported, not merged', async () => {
    const org = await createTestOrg(t);
    await createActiveAccount(t, org, { email: 'old@example.org' });
    await createActiveAccount(t, org, { email: 'twin@example.org' });
    // As if made before SECURITY 39: no skeleton, and a look-alike stored beside the first.
    await t.deps.db.query('UPDATE account SET email_skeleton = NULL WHERE tenant_id = $1', [org.tenantId]);
    await t.deps.db.query("UPDATE account SET email = 'оld@example.org', email_normalized = 'оld@example.org' WHERE tenant_id = $1 AND email = 'twin@example.org'", [org.tenantId]);
    const done = await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId });
    assert.ok(done.emailSkeletons >= 1);
    assert.deepEqual(done.lookAlikeEmails.map((l) => [l.email, l.lookAlikeOf]), [['оld@example.org', 'old@example.org']]);
    const again = await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId });
    assert.deepEqual(again.lookAlikeEmails, [], 'reported once');
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const staff = await loggedInBrowser(t, org, admin);
    assert.match((await staffCreates(staff, 'o1d@example.org')).body, /looks just like/);
  });
});
