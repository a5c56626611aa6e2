/**
 * Attack review 3 (SPEC 4.6, 11; SECURITY 37): what a passkey leaves behind, and what anonymous
 * passkey answers write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listPasskeys, maxPasskeysPerAccount } from '../../src/factors/passkey/store.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { enableTotp } from '../two-factor-helpers.js';
import { addPasskey, loginCeremony, originOf, passkeyLogin, startAdding } from '../passkey-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('SPEC 11 attacked: passkeys and the account lifecycle', () => {
  test('SPEC 4.6 "lost phone": a staff 2FA reset removes the second factors — the passkey (a whole login) too', async () => {
    const org = await createTestOrg(t);
    const victim = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, victim);
    const { app } = await enableTotp(t, browser);
    // The phone that is lost holds a passkey as well as the authenticator app.
    const phone = new SoftAuthenticator({ synced: true });
    await addPasskey(org, browser, { password: victim.password, code: app.code(t) }, phone);

    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const staff = await loggedInBrowser(t, org, helpdesk);
    await staff.get(`/staff/accounts/${victim.id}`);
    const reset = await staff.post(`/staff/accounts/${victim.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'phone lost, user called' });
    assert.equal(reset.statusCode, 303, reset.body.slice(0, 300));

    // Whoever holds the lost phone still gets a whole login (acr 2fa) with its passkey.
    const { browser: finder, posted } = await passkeyLogin(t, org, phone);
    assert.match(String(posted.headers.location), /passkeyRefused=1/, 'the reset removed the passkey');
    assert.equal((await finder.get('/account')).statusCode, 303, 'not logged in');
    assert.equal((await listPasskeys(t.deps.db, org.tenantId, victim.id)).length, 0);
  });

  test('SPEC 4.6: staff can reset the second factor of an account whose only factor is a passkey (its lost phone)', async () => {
    const org = await createTestOrg(t);
    const victim = await createActiveAccount(t, org);
    const phone = new SoftAuthenticator({ synced: true });
    await addPasskey(org, await loggedInBrowser(t, org, victim), { password: victim.password }, phone);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const staff = await loggedInBrowser(t, org, helpdesk);
    await staff.get(`/staff/accounts/${victim.id}`);
    const reset = await staff.post(`/staff/accounts/${victim.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'phone lost, user called' });
    assert.equal(reset.statusCode, 303, `the helpdesk cannot take the lost passkey away: ${reset.statusCode}`);
    assert.match(String((await passkeyLogin(t, org, phone)).posted.headers.location), /passkeyRefused=1/);
  });

  test(`at most ${maxPasskeysPerAccount} passkeys: ceremonies started in two sessions while at ${maxPasskeysPerAccount - 1} both finish`, async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const first = await loggedInBrowser(t, org, account);
    for (let i = 0; i < maxPasskeysPerAccount - 1; i++) await addPasskey(org, first, { password: account.password }, new SoftAuthenticator(), `Key ${i}`);
    const browsers = [first, await loggedInBrowser(t, org, account), await loggedInBrowser(t, org, account)];
    const ceremonies = [];
    for (const browser of browsers) ceremonies.push({ browser, options: await startAdding(browser, { password: account.password }, 'One more') });
    for (const { browser, options } of ceremonies) await browser.post('/account/passkeys/new', { name: 'One more', response: JSON.stringify(new SoftAuthenticator().create(options, originOf(org))) });
    const count = (await listPasskeys(t.deps.db, org.tenantId, account.id)).length;
    assert.ok(count <= maxPasskeysPerAccount, `${count} passkeys stored`);
  });
});

describe('SPEC 11 attacked: anonymous passkey answers (SECURITY 4, 37)', () => {
  test('200 refused passkey logins from one network, one session: a bounded number of audit rows, then throttled', async () => {
    const org = await createTestOrg(t);
    const stranger = new SoftAuthenticator();
    const browser = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 200; i++) {
      const { options } = await loginCeremony(t, org, browser);
      await browser.post('/login/passkey', { response: JSON.stringify(stranger.get(options, originOf(org))), returnTo: '/' });
    }
    const rows = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'passkey_refused'", [org.tenantId]);
    assert.ok(rows[0]!.n <= 30, `${rows[0]!.n} passkey_refused rows written by one anonymous client`);
  });
});
