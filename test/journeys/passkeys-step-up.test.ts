/**
 * SPEC 11: a passkey proves every row of the step-up table; a step-up page offers it instead of
 * the password and code. Over HTTP, with the software authenticator, and the answers an attacker
 * would try: a replayed answer, a login ceremony's answer, another account's passkey.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { listAuditEvents } from '../../src/audit/audit.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, strongPassword, type TestApp } from '../harness.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { originOf, postNewPasskey, unescapeHtml } from '../passkey-helpers.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const newPassword = 'a brand new passphrase, 2026';
const audit = (org: Organization, event: string) => listAuditEvents(t.deps.db, { tenantId: org.tenantId, event, limit: 20 });

/** What the step-up button does: a challenge for the account's passkeys, the authenticator's answer. */
async function stepUpAnswer(org: Organization, browser: TestBrowser, key: SoftAuthenticator, path = '/account/step-up/passkey/options') {
  const asked = await browser.post(path, {});
  assert.equal(asked.statusCode, 200, asked.body);
  return JSON.stringify(key.get(asked.json() as PublicKeyCredentialRequestOptionsJSON, originOf(org)));
}

async function accountWithPasskey(org: Organization, options: { totp?: boolean } = {}) {
  const account = await createActiveAccount(t, org);
  const browser = await loggedInBrowser(t, org, account);
  const totp = options.totp ? await enableTotp(t, browser) : null;
  const key = new SoftAuthenticator();
  const proofs: Record<string, string> = { password: account.password, ...(totp ? { code: totp.app.code(t) } : {}) };
  const added = await postNewPasskey(org, browser, proofs, key);
  assert.equal(added.statusCode, 303, added.body.slice(0, 300));
  if (added.headers.location === '/account/2fa/recovery-codes') {
    await browser.get('/account/2fa/recovery-codes');
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
  }
  return { account, browser, key };
}

describe('SPEC 11: a passkey proves a step-up', () => {
  test('the password change (password and code, always) takes a passkey instead of both; its answer works once', async () => {
    const org = await createTestOrg(t);
    const { account, browser, key } = await accountWithPasskey(org, { totp: true });
    const form = await browser.get('/account/password');
    assert.match(form.body, /data-passkey-step-up/);
    assert.match(form.body, /Confirm with a passkey/);
    assert.match(form.body, /src="\/static\/passkeys\.js\?v=[0-9a-f]+"/);

    const response = await stepUpAnswer(org, browser, key);
    const changed = await browser.post('/account/password', { password: newPassword, passwordConfirm: newPassword, passkeyResponse: response });
    assert.equal(changed.headers.location, '/account?passwordChanged=1', changed.body.slice(0, 500));
    const proved = (await audit(org, 'step_up_succeeded')).find((row) => row.details.action === 'change_password');
    assert.equal(proved?.details.passkey, true);
    assert.ok((await audit(org, 'passkey_used')).some((row) => row.details.via === 'step_up'));
    const withNew = new TestBrowser(t.app, hostOf(org));
    assert.equal((await withNew.login(account.email, newPassword)).headers.location, '/login/code', 'the new password is set');

    // The same answer again (a proxy kept it): no challenge waits for it.
    await browser.get('/account/password');
    const replayed = await browser.post('/account/password', { password: strongPassword, passwordConfirm: strongPassword, passkeyResponse: response });
    assert.equal(replayed.statusCode, 200);
    assert.match(replayed.body, /That passkey was not accepted/);
    const failed = (await audit(org, 'step_up_failed')).find((row) => row.details.failed === 'passkey');
    assert.ok(failed, 'audited');
  });

  test('a login ceremony’s answer, or another account’s passkey, proves no step-up', async () => {
    const org = await createTestOrg(t);
    const { browser, key } = await accountWithPasskey(org);
    const other = await accountWithPasskey(org);
    await browser.get('/account/password');
    const loginAnswer = await stepUpAnswer(org, browser, key, '/login/passkey/options');
    const asLogin = await browser.post('/account/password', { password: newPassword, passwordConfirm: newPassword, passkeyResponse: loginAnswer });
    assert.match(asLogin.body, /That passkey was not accepted/, 'a login challenge is no step-up challenge');

    await browser.get('/account/password');
    const othersAnswer = await stepUpAnswer(org, browser, other.key);
    const forged = await browser.post('/account/password', { password: newPassword, passwordConfirm: newPassword, passkeyResponse: othersAnswer });
    assert.match(forged.body, /That passkey was not accepted/);
    const reasons = (await audit(org, 'passkey_refused')).map((row) => row.details.reason);
    assert.ok(reasons.includes('other_account'), JSON.stringify(reasons));
    assert.equal((await browser.post('/account/step-up/passkey/options', {})).statusCode, 200);
  });

  test('a passkey-only second step: the forms ask the passkey, a password alone is refused without counting a code failure', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'required' } });
    const { account, browser, key } = await accountWithPasskey(org);
    const form = await browser.get('/account/password');
    assert.doesNotMatch(form.body, /name="currentPassword"/, 'the passkey proves the password and the second step');
    assert.doesNotMatch(form.body, /name="code"/);
    assert.match(form.body, /You confirm your second step with a passkey/);

    const alone = await browser.post('/account/password', { currentPassword: 'not the password at all', password: newPassword, passwordConfirm: newPassword });
    assert.equal(alone.statusCode, 200);
    assert.match(alone.body, /Confirm with your passkey/);
    assert.match(alone.body, /href="#passkeyStepUp"/, 'the error summary leads to the button');
    assert.equal((await audit(org, 'second_factor_failed')).length, 0, 'no code was guessed');
    const [counts] = await t.deps.db.query<{ n: number }>('SELECT failed_login_count AS n FROM account WHERE tenant_id = $1 AND id = $2', [org.tenantId, account.id]);
    assert.equal(counts!.n, 0, 'no password was tried either: the form has no password field');

    const changed = await browser.post('/account/password', { password: newPassword, passwordConfirm: newPassword, passkeyResponse: await stepUpAnswer(org, browser, key) });
    assert.equal(changed.headers.location, '/account?passwordChanged=1');

    // Adding a second passkey (password and code, always): the first one proves it.
    await browser.get('/account/passkeys');
    const ceremony = await browser.post('/account/passkeys/new', { name: 'Laptop', passkeyResponse: await stepUpAnswer(org, browser, key) });
    assert.equal(ceremony.statusCode, 200, ceremony.body.slice(0, 300));
    const options = JSON.parse(unescapeHtml(/data-passkey-register="([^"]+)"/.exec(ceremony.body)![1]!)) as PublicKeyCredentialCreationOptionsJSON;
    const added = await browser.post('/account/passkeys/new', { name: 'Laptop', response: JSON.stringify(new SoftAuthenticator().create(options, originOf(org))) });
    assert.equal(added.headers.location, '/account/passkeys?added=1', 'no new recovery codes: the second step was there');
  });

  test('an account without passkeys gets no step-up ceremony', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    assert.doesNotMatch((await browser.get('/account/password')).body, /data-passkey-step-up/);
    assert.equal((await browser.post('/account/step-up/passkey/options', {})).statusCode, 400);
  });
});
