/**
 * SPEC 11 attacked (third attack review): a policy change that stops a held factor counting as
 * the second step — `passkeysRequiredForStaff` turned on, `passkey` taken from `twoFactorMethods` —
 * must not let the password alone (or the mailbox alone) set up the next second step or reset
 * the password: the factor still held is asked (its code, its passkey or a recovery code; SECURITY 14, 41).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { findOrganizationBySlug, savePolicy, type Organization } from '../../src/tenants/organizations.js';
import { weakenedKeys } from '../../src/tenants/policy.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, mailedResetLink, type TestApp } from '../harness.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { originOf, postNewPasskey } from '../passkey-helpers.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const newPassword = 'a brand new passphrase, 2026';

async function storeRecoveryCodes(browser: TestBrowser): Promise<string[]> {
  const page = await browser.get('/account/2fa/recovery-codes');
  const codes = [...page.body.matchAll(/<li><code>([0-9A-Z-]{19})<\/code><\/li>/g)].map((m) => m[1]!);
  await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
  return codes;
}

async function changePolicy(org: Organization, change: Partial<Organization['policy']>): Promise<void> {
  const current = (await findOrganizationBySlug(t.deps.db, org.slug))!;
  await savePolicy(t.deps.db, org.tenantId, { ...current.policy, ...change });
}

/** A client whose second step is a passkey (two-step verification required), then `passkey` taken from the methods. */
async function passkeyClientAfterMethodsChange() {
  const org = await createTestOrg(t, { policy: { twoFactorClients: 'required' } });
  const client = await createActiveAccount(t, org);
  const own = await loggedInBrowser(t, org, client);
  const key = new SoftAuthenticator();
  assert.equal((await postNewPasskey(org, own, { password: client.password }, key)).headers.location, '/account/2fa/recovery-codes');
  const recoveryCodes = await storeRecoveryCodes(own);
  await changePolicy(org, { twoFactorMethods: ['totp', 'sms'] });
  return { org, client, key, recoveryCodes };
}

describe('SPEC 11 attacked: a policy change never lowers what a takeover must prove', () => {
  test('passkeysRequiredForStaff on: the password alone adds no passkey to a staff account its app guards; the app’s code does', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorStaff: 'required' } });
    const staff = await createActiveAccount(t, org, { role: 'professional' });
    const { app } = await enableTotp(t, await loggedInBrowser(t, org, staff));
    await changePolicy(org, { passkeysRequiredForStaff: true });

    const attacker = await loggedInBrowser(t, org, staff);
    assert.equal((await attacker.get('/account')).headers.location, '/account/2fa/setup');
    await attacker.get('/account/passkeys');
    const refused = await attacker.post('/account/passkeys/new', { name: 'attacker', password: staff.password });
    assert.equal(refused.statusCode, 400, 'the code of the app still held is asked');
    assert.match(refused.body, /name="code"/);
    assert.equal((await attacker.get('/account')).headers.location, '/account/2fa/setup', 'still shut');

    const added = await postNewPasskey(org, attacker, { password: staff.password, code: app.code(t) }, new SoftAuthenticator());
    assert.equal(added.headers.location, '/account/passkeys?added=1', 'with the code, its owner adds one');
    assert.equal((await attacker.get('/account')).statusCode, 200);
  });

  test('passkeysRequiredForStaff on: the reset link alone resets no staff password its app guards', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorStaff: 'required' } });
    const staff = await createActiveAccount(t, org, { role: 'professional' });
    await enableTotp(t, await loggedInBrowser(t, org, staff));
    await changePolicy(org, { passkeysRequiredForStaff: true });
    const attacker = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, attacker, staff.email);
    assert.match((await attacker.get(link)).body, /name="code"/);
    const done = await attacker.post(link, { password: newPassword, passwordConfirm: newPassword });
    assert.notEqual(done.headers.location, '/login?reset=1', 'the mailbox alone is not enough');
  });

  test('passkey taken from twoFactorMethods: the password alone sets up no new factor; the passkey or a recovery code does', async () => {
    const { org, client, key, recoveryCodes } = await passkeyClientAfterMethodsChange();
    const attacker = await loggedInBrowser(t, org, client);
    assert.equal((await attacker.get('/account')).headers.location, '/account/2fa/setup', 'no passkey step now: the setup of another factor');
    const setup = await attacker.get('/account/2fa/setup');
    assert.match(setup.body, /Your second step is a passkey now/);
    const chosen = await attacker.post('/account/2fa/setup', { method: 'totp', phone: '', password: client.password });
    assert.notEqual(chosen.statusCode, 303, 'the password alone starts no setup');
    assert.match(chosen.body, /Confirm with your passkey/);

    const asked = await attacker.post('/account/step-up/passkey/options', {});
    assert.equal(asked.statusCode, 200);
    const withPasskey = await attacker.post('/account/2fa/setup', { method: 'totp', phone: '', passkeyResponse: JSON.stringify(key.get(asked.json() as PublicKeyCredentialRequestOptionsJSON, originOf(org))) });
    assert.equal(withPasskey.statusCode, 303, 'its owner, with the passkey');
    const other = await loggedInBrowser(t, org, client);
    await other.get('/account/2fa/setup');
    assert.equal((await other.post('/account/2fa/setup', { method: 'totp', phone: '', password: client.password, recoveryCode: recoveryCodes[0]! })).statusCode, 303, 'or with a recovery code');
  });

  test('two-step verification made optional: a passkey that was the second step still guards the reset and the password change', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'required' } });
    const client = await createActiveAccount(t, org);
    const own = await loggedInBrowser(t, org, client);
    assert.equal((await postNewPasskey(org, own, { password: client.password }, new SoftAuthenticator())).headers.location, '/account/2fa/recovery-codes');
    await storeRecoveryCodes(own);
    await changePolicy(org, { twoFactorClients: 'optional' });
    const attacker = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, attacker, client.email);
    assert.match((await attacker.get(link)).body, /name="recoveryCode"/, 'the mailbox alone is not enough');
    assert.notEqual((await attacker.post(link, { password: newPassword, passwordConfirm: newPassword })).headers.location, '/login?reset=1');
    const withPassword = await loggedInBrowser(t, org, client);
    assert.equal((await withPassword.get('/account')).statusCode, 200, 'optional: the password logs in');
    await withPassword.get('/account/password');
    const changed = await withPassword.post('/account/password', { currentPassword: client.password, password: newPassword, passwordConfirm: newPassword });
    assert.match(changed.body, /Confirm with your passkey/, 'what guards the account is changed only with the passkey');
  });

  test('passkey taken from twoFactorMethods: the reset asks a recovery code still, and the change is a weakening', async () => {
    const { org, client, recoveryCodes } = await passkeyClientAfterMethodsChange();
    const attacker = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, attacker, client.email);
    assert.match((await attacker.get(link)).body, /name="recoveryCode"/);
    assert.notEqual((await attacker.post(link, { password: newPassword, passwordConfirm: newPassword })).headers.location, '/login?reset=1');
    const owner = new TestBrowser(t.app, hostOf(org));
    const ownLink = await mailedResetLink(t, owner, client.email);
    await owner.get(ownLink);
    assert.match((await owner.post(ownLink, { password: newPassword, passwordConfirm: newPassword, recoveryCode: recoveryCodes[1]! })).headers.location as string, /^\/login\?reset=1/);

    const policy = (await findOrganizationBySlug(t.deps.db, org.slug))!.policy;
    assert.deepEqual(weakenedKeys({ ...policy, twoFactorMethods: ['totp', 'sms', 'passkey'] }, policy), ['twoFactorMethods'], 'admins are mailed');
  });
});
