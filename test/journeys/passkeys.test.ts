/**
 * SPEC 11: passkeys over HTTP, with a software authenticator (test/passkey-authenticator.ts):
 * adding one after a step-up, logging in with it alone, removing it; and the answers an attacker
 * would try — a replayed answer, a cloned authenticator whose counter did not grow, a passkey of
 * another organization, an authenticator without user verification.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listAuditEvents } from '../../src/audit/audit.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, mailedResetLink, type TestApp } from '../harness.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { loginCeremony, originOf, passkeyLogin as loginWith, postNewPasskey } from '../passkey-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const refusals = async (org: Organization) => (await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'passkey_refused', limit: 20 })).map((row) => row.details.reason);

describe('SPEC 11: passkeys', () => {
  test('added after the password (step-up), mailed, listed; then a whole login on its own; removed after the password again', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    await browser.get('/account/passkeys');
    const noProof = await browser.post('/account/passkeys/new', { name: 'Pixel 7' });
    assert.equal(noProof.statusCode, 400, 'the password first');
    assert.match(noProof.body, /current password is not right/);
    const phone = new SoftAuthenticator();
    const added = await postNewPasskey(org, browser, { password: account.password }, phone);
    assert.equal(added.headers.location, '/account/passkeys?added=1');
    const list = await browser.get('/account/passkeys?added=1');
    assert.match(list.body, /Pixel 7/);
    assert.match(list.body, /on this one device only/);
    assert.match(list.body, /not used yet/);
    await t.jobs.runDue();
    assert.match(t.mail.last(account.email).subject, /passkey was added/);
    assert.match(t.mail.last(account.email).text, /"Pixel 7"/);

    const { browser: other, posted } = await loginWith(t, org, phone);
    assert.equal(posted.headers.location, '/account', 'no password, no code');
    const page = await other.get('/account');
    assert.equal(page.statusCode, 200);
    assert.match((await other.get('/account/passkeys')).body, /last used/);
    const used = await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'passkey_used', limit: 5 });
    assert.equal(used.length, 1);

    const passkeyId = /href="\/account\/passkeys\/([0-9a-f-]+)\/remove"/.exec((await browser.get('/account/passkeys')).body)![1]!;
    await browser.get(`/account/passkeys/${passkeyId}/remove`);
    assert.equal((await browser.post(`/account/passkeys/${passkeyId}/remove`, {})).statusCode, 400, 'the password first');
    assert.equal((await browser.post(`/account/passkeys/${passkeyId}/remove`, { password: account.password })).headers.location, '/account/passkeys?removed=1');
    assert.equal((await loginWith(t, org, phone)).posted.headers.location, '/login?passkeyRefused=1&returnTo=%2Faccount', 'a removed passkey logs nobody in');
    assert.equal((await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'passkey_removed', limit: 5 })).length, 1);
  });

  test('attacks: a replayed answer, a cloned authenticator whose counter did not grow, no user verification — refused and audited', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    const key = new SoftAuthenticator();
    assert.equal((await postNewPasskey(org, browser, { password: account.password }, key)).headers.location, '/account/passkeys?added=1');
    const clone = key.clone();

    const first = await loginWith(t, org, key);
    assert.equal(first.posted.headers.location, '/account');
    // The same answer again, in a browser of the attacker's: its challenge was used.
    const thief = new TestBrowser(t.app, hostOf(org));
    await thief.get('/login');
    await thief.post('/login/passkey/options', {});
    const replayed = await thief.post('/login/passkey', { response: JSON.stringify(first.answer), returnTo: '/account' });
    assert.match(String(replayed.headers.location), /passkeyRefused=1/);
    assert.equal((await thief.get('/account')).statusCode, 303, 'not logged in');

    // The clone signs with the same counter the original already used.
    const cloned = await loginWith(t, org, clone);
    assert.match(String(cloned.posted.headers.location), /passkeyRefused=1/);
    assert.equal((await cloned.browser.get('/account')).statusCode, 303);

    const unverified = await loginWith(t, org, key, undefined, { userVerified: false });
    assert.match(String(unverified.posted.headers.location), /passkeyRefused=1/, 'user verification is required');
    const reasons = await refusals(org);
    assert.ok(reasons.includes('counter_not_grown'), JSON.stringify(reasons));
    assert.ok(reasons.includes('invalid'), JSON.stringify(reasons));

    // Registration without user verification is refused too, and stores nothing.
    const lax = await postNewPasskey(org, browser, { password: account.password }, new SoftAuthenticator(), 'Pixel 7', { userVerified: false });
    assert.equal(lax.statusCode, 400);
    assert.ok((await refusals(org)).includes('invalid_registration'));
    // An answer posted with no ceremony under way stores nothing either.
    const stray = await browser.post('/account/passkeys/new', { name: 'Stray', response: JSON.stringify(new SoftAuthenticator().create({ challenge: 'x', rp: { id: hostOf(org), name: 'x' }, user: { id: 'dQ', name: 'x', displayName: 'x' }, pubKeyCredParams: [] }, originOf(org))) });
    assert.equal(stray.statusCode, 400);
    assert.doesNotMatch((await browser.get('/account/passkeys')).body, /Stray/);
  });

  test('a passkey of organization A is refused at organization B, and audited there', async () => {
    const orgA = await createTestOrg(t);
    const orgB = await createTestOrg(t);
    const account = await createActiveAccount(t, orgA);
    const key = new SoftAuthenticator({ synced: true });
    const browser = await loggedInBrowser(t, orgA, account);
    assert.equal((await postNewPasskey(orgA, browser, { password: account.password }, key)).headers.location, '/account/passkeys?added=1');
    assert.match((await browser.get('/account/passkeys')).body, /synced between your devices/);

    // B's challenge, signed for A's relying party and origin (what a phishing relay would bring)…
    const { browser: relayed, options } = await loginCeremony(t, orgB);
    const answer = key.get(options, originOf(orgA), { rpId: hostOf(orgA) });
    const refused = await relayed.post('/login/passkey', { response: JSON.stringify(answer), returnTo: '/account' });
    assert.match(String(refused.headers.location), /passkeyRefused=1/);
    assert.equal((await relayed.get('/account')).statusCode, 303);
    assert.deepEqual(await refusals(orgB), ['unknown_credential']);
    // …and at A it still works.
    assert.equal((await loginWith(t, orgA, key)).posted.headers.location, '/account');
  });

  test('a password reset keeps the passkeys and its mail lists them; a staff 2FA reset removes them', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    const key = new SoftAuthenticator();
    assert.equal((await postNewPasskey(org, browser, { password: account.password }, key)).headers.location, '/account/passkeys?added=1');

    const reset = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, reset, account.email);
    await reset.get(link);
    assert.equal((await reset.post(link, { password: 'fresh reset phrase', passwordConfirm: 'fresh reset phrase' })).statusCode, 303);
    await t.jobs.runDue();
    const changed = t.mail.last(account.email);
    assert.match(changed.subject, /password .* was changed/);
    assert.match(changed.text, /Your passkeys still work: "Pixel 7"/);
    assert.equal((await loginWith(t, org, key)).posted.headers.location, '/account', 'the passkey still logs in');

    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const staff = await loggedInBrowser(t, org, helpdesk);
    await staff.get(`/staff/accounts/${account.id}`);
    assert.equal((await staff.post(`/staff/accounts/${account.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'lost phone, identity checked' })).statusCode, 303);
    assert.match(String((await loginWith(t, org, key)).posted.headers.location), /passkeyRefused=1/, 'the passkey went with the reset');
    const [audit] = await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'two_factor_reset_by_staff', limit: 5 });
    assert.equal(audit?.details.removedPasskeys, 1);
  });
});
