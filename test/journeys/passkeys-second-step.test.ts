/**
 * SPEC 11: a passkey as the second step. Where two-step verification is required and
 * `twoFactorMethods` has `passkey`, a passkey satisfies it (the forced setup offers one, its
 * recovery codes are shown, the code page asks it); `passkeysRequiredForStaff` makes it the only
 * second step staff have. Over HTTP, with the software authenticator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { listAuditEvents } from '../../src/audit/audit.js';
import { savePolicy, type Organization } from '../../src/tenants/organizations.js';
import { appClient } from '../app-helpers.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { originOf, postNewPasskey } from '../passkey-helpers.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const refusals = async (org: Organization) => (await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'passkey_refused', limit: 20 })).map((row) => row.details.reason);

/** The recovery codes on display, confirmed as stored. */
async function storeRecoveryCodes(browser: TestBrowser): Promise<string[]> {
  const page = await browser.get('/account/2fa/recovery-codes');
  const codes = [...page.body.matchAll(/<li><code>([0-9A-Z-]{19})<\/code><\/li>/g)].map((m) => m[1]!);
  assert.equal(codes.length, 6, 'six recovery codes, shown once');
  assert.equal((await browser.post('/account/2fa/recovery-codes', { stored: 'yes' })).statusCode, 303);
  return codes;
}

/** A password login in a fresh browser, then the code page's passkey ceremony (the account's own passkeys only). */
async function secondStepWith(org: Organization, account: { email: string; password: string }, authenticator: SoftAuthenticator) {
  const browser = await loggedInBrowser(t, org, account);
  const codePage = await browser.get('/login/code');
  assert.equal(codePage.statusCode, 200);
  const asked = await browser.post('/login/code/passkey/options', {});
  assert.equal(asked.statusCode, 200, asked.body);
  const options = asked.json() as PublicKeyCredentialRequestOptionsJSON;
  const answer = authenticator.get(options, originOf(org));
  const posted = await browser.post('/login/passkey', { response: JSON.stringify(answer), returnTo: '/account' });
  return { browser, codePage, options, answer, posted };
}

describe('SPEC 11: a passkey as the required second step', () => {
  test('the forced setup offers a passkey; adding it shows recovery codes; the code page then asks the passkey, and a recovery code still works', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'required' } });
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    assert.equal((await browser.get('/account')).headers.location, '/account/2fa/setup', 'two-step verification first');
    const setup = await browser.get('/account/2fa/setup');
    assert.match(setup.body, /Or with a passkey/);
    assert.match(setup.body, /href="\/account\/passkeys"/);
    assert.equal((await browser.get('/account/passkeys')).statusCode, 200, 'open during the forced setup');

    const phone = new SoftAuthenticator();
    const added = await postNewPasskey(org, browser, { password: account.password }, phone);
    assert.equal(added.headers.location, '/account/2fa/recovery-codes', 'the passkey is the second step: its recovery codes first');
    const recoveryCodes = await storeRecoveryCodes(browser);
    assert.equal((await browser.get('/account')).statusCode, 200);
    assert.match((await browser.get('/account/2fa')).body, /second step can also be a passkey \(1\)/);

    const { codePage, options, posted } = await secondStepWith(org, account, phone);
    assert.doesNotMatch(codePage.body, /name="code"/, 'no code field: no code proves this second step');
    assert.match(codePage.body, /Confirm with your passkey/);
    assert.equal(options.allowCredentials?.length, 1, 'the browser is asked for this account’s passkey only');
    assert.equal(posted.headers.location, '/account');

    const withCode = await loggedInBrowser(t, org, account);
    await withCode.get('/login/recovery');
    const recovered = await withCode.post('/login/recovery', { recoveryCode: recoveryCodes[0]!, returnTo: '/' });
    assert.equal(recovered.headers.location, '/account/2fa?done=recovery', 'a recovery code takes the passkey’s place');

    const app = await appClient(t, org).loginWithPassword(account.email, account.password, 'Pixel 7');
    assert.ok(!app.ok && app.status === 403 && app.error === 'passkey_required', 'the app cannot ask a passkey: linked from the browser instead');

    // The only passkey of a required second step stays until there is another.
    const id = /href="\/account\/passkeys\/([0-9a-f-]+)\/remove"/.exec((await browser.get('/account/passkeys')).body)![1]!;
    assert.match((await browser.get(`/account/passkeys/${id}/remove`)).body, /This is your only passkey/);
    assert.equal((await browser.post(`/account/passkeys/${id}/remove`, { password: account.password })).statusCode, 409);
    assert.equal((await secondStepWith(org, account, phone)).posted.headers.location, '/account', 'still there');
  });

  test('attacks at the code step: another account’s passkey, a replayed answer — refused and audited; the account stays shut', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'required' } });
    const victim = await createActiveAccount(t, org);
    const attacker = await createActiveAccount(t, org);
    const victimKey = new SoftAuthenticator();
    const attackerKey = new SoftAuthenticator();
    for (const [who, key] of [[victim, victimKey], [attacker, attackerKey]] as const) {
      const b = await loggedInBrowser(t, org, who);
      await postNewPasskey(org, b, { password: who.password }, key);
      await storeRecoveryCodes(b);
    }
    // The attacker knows the victim's password and answers the victim's second step with their own passkey.
    const stolen = await loggedInBrowser(t, org, victim);
    await stolen.get('/login/code');
    const options = (await stolen.post('/login/code/passkey/options', {})).json() as PublicKeyCredentialRequestOptionsJSON;
    const forged = await stolen.post('/login/passkey', { response: JSON.stringify(attackerKey.get(options, originOf(org))), returnTo: '/account' });
    assert.equal(forged.headers.location, '/login/code?passkeyRefused=1&returnTo=%2Faccount', 'back to the code page');
    assert.equal((await stolen.get('/account')).headers.location, '/login/code', 'the victim’s account stays shut');
    assert.ok((await refusals(org)).includes('other_account'));

    // An answer seen once (a proxy in the middle) is replayed at a later second step.
    const { browser, answer, posted } = await secondStepWith(org, victim, victimKey);
    assert.equal(posted.headers.location, '/account');
    const replay = await loggedInBrowser(t, org, victim);
    await replay.get('/login/code');
    await replay.post('/login/code/passkey/options', {});
    const again = await replay.post('/login/passkey', { response: JSON.stringify(answer), returnTo: '/account' });
    assert.match(again.headers.location as string, /^\/login\/code\?passkeyRefused=1/, 'another challenge: no login');
    assert.equal((await replay.get('/account')).headers.location, '/login/code');
    assert.equal((await browser.get('/account')).statusCode, 200);
  });

  test('without passkey among twoFactorMethods, a passkey is no second step: the forced setup asks an app or phone', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'required', twoFactorMethods: ['totp'] } });
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    const setup = await browser.get('/account/2fa/setup');
    assert.doesNotMatch(setup.body, /with a passkey/i);
    assert.match(setup.body, /name="method"/);
  });

  test('where two-step verification is optional, a passkey is a way in of its own: the password alone still logs in', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    const added = await postNewPasskey(org, browser, { password: account.password }, new SoftAuthenticator());
    assert.equal(added.headers.location, '/account/passkeys?added=1', 'no recovery codes: no second step was turned on');
    const again = await loggedInBrowser(t, org, account);
    assert.equal((await again.get('/account')).statusCode, 200);
  });
});

describe('SPEC 1, 11: passkeysRequiredForStaff', () => {
  test('staff with only an authenticator app must add a passkey; their codes no longer prove the second step', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorStaff: 'required' } });
    const staff = await createActiveAccount(t, org, { role: 'professional' });
    const first = await loggedInBrowser(t, org, staff);
    const { app } = await enableTotp(t, first);
    // A browser trusted by the app's code (SPEC 4.6), before the policy came in.
    const trusted = await loggedInBrowser(t, org, staff);
    await trusted.get('/login/code');
    assert.equal((await trusted.post('/login/code', { code: app.code(t), returnTo: '/' })).headers.location, '/');
    await savePolicy(t.deps.db, org.tenantId, { ...org.policy, twoFactorStaff: 'required', passkeysRequiredForStaff: true });

    const browser = await loggedInBrowser(t, org, staff);
    const blocked = await browser.get('/account');
    assert.equal(blocked.headers.location, '/account/2fa/setup', 'the app’s code is no way past the password now');
    const setup = await browser.get('/account/2fa/setup');
    assert.doesNotMatch(setup.body, /name="method"/, 'no app or text message offered');
    assert.match(setup.body, /With a passkey/);
    const refused = await browser.post('/account/2fa/setup', { method: 'totp', password: staff.password });
    assert.match(refused.body, /Choose a method/, 'an app is not offered, so not set up');
    assert.equal((await browser.post('/login/code', { code: app.code(t), returnTo: '/' })).headers.location, '/login', 'no code step to answer');
    assert.equal((await browser.get('/account')).headers.location, '/account/2fa/setup');

    const key = new SoftAuthenticator();
    t.clock.advanceSeconds(30);
    // The app is still held: its code proves the new passkey (SECURITY 41), then it counts no more.
    const added = await postNewPasskey(org, browser, { password: staff.password, code: app.code(t) }, key);
    assert.equal(added.headers.location, '/account/passkeys?added=1', 'the recovery codes of the app stay in force: none shown anew');
    assert.equal((await browser.get('/account')).statusCode, 200);

    const codeTry = await loggedInBrowser(t, org, staff);
    const codePage = await codeTry.get('/login/code');
    assert.doesNotMatch(codePage.body, /name="code"/);
    t.clock.advanceSeconds(30);
    await codeTry.post('/login/code', { code: app.code(t), returnTo: '/' });
    assert.equal((await codeTry.get('/account')).headers.location, '/login/code', 'a right app code is refused');
    assert.equal((await secondStepWith(org, staff, key)).posted.headers.location, '/account');

    // The browser the app's code made trusted skips no passkey.
    await trusted.post('/logout', {});
    assert.equal((await trusted.login(staff.email, staff.password)).headers.location, '/login/code', 'trust by a code does not skip the passkey');
  });

  test('the admin form sets it, and refuses it where staff two-step verification is not required', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorStaff: 'required' } });
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const browser = await loggedInBrowser(t, org, admin);
    const { app } = await enableTotp(t, browser);
    const form = { selfRegistration: 'false', twoFactorClients: 'optional', method_totp: 'true', method_passkey: 'true', passwordRequireSpecial: 'true', passwordMinLength: '12', passwordMinGuessesLog10: '9', idleMinutes: '60', absoluteHours: '12', maxCodeValidityDays: '7', welcomeLinkHours: '168', resetLinkMinutes: '60', smsCountries: 'NL', smsDailyLimit: '500', passkeysRequiredForStaff: 'true' };
    await browser.get('/admin/policy');
    const conflict = await browser.post('/admin/policy', { ...form, twoFactorStaff: 'optional', password: admin.password, code: app.code(t) });
    assert.equal(conflict.statusCode, 400);
    assert.match(conflict.body, /id="passkeysRequiredForStaff-error"/);
    t.clock.advanceSeconds(30);
    const saved = await browser.post('/admin/policy', { ...form, twoFactorStaff: 'required', password: admin.password, code: app.code(t) });
    assert.equal(saved.headers.location, '/admin/policy?saved=1', saved.body.slice(0, 400));
    const page = await browser.get('/account');
    assert.equal(page.headers.location, '/account/2fa/setup', 'the admin too: a passkey first');
  });
});
