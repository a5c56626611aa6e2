/**
 * Attack review 3 (SPEC 11, SECURITY 24): input to the passkey routes never produces a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { addPasskey, loginCeremony, originOf, startAdding } from '../passkey-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('SPEC 11 attacked: malformed passkey answers get no 500 (SECURITY 24)', () => {
  test('anonymous: a credential id with a NUL character (a JSON escape, not a raw NUL in the form)', async () => {
    const org = await createTestOrg(t);
    const { browser, options } = await loginCeremony(t, org);
    const answer = { ...new SoftAuthenticator().get(options, originOf(org)), id: 'abc\u0000def' };
    const posted = await browser.post('/login/passkey', { response: JSON.stringify(answer), returnTo: '/account' });
    assert.equal(posted.statusCode, 303, `refused like any other answer, not ${posted.statusCode}: ${posted.body.slice(0, 200)}`);
  });

  test('a userHandle that is not a string (a number, an object) is refused, not a 500', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const key = new SoftAuthenticator();
    await addPasskey(org, await loggedInBrowser(t, org, account), { password: account.password }, key);
    for (const userHandle of [123, {}, true]) {
      const { browser, options } = await loginCeremony(t, org);
      const answer = key.get(options, originOf(org));
      const posted = await browser.post('/login/passkey', { response: JSON.stringify({ ...answer, response: { ...answer.response, userHandle } }), returnTo: '/account' });
      assert.equal(posted.statusCode, 303, `userHandle ${JSON.stringify(userHandle)}: ${posted.statusCode} ${posted.body.slice(0, 200)}`);
    }
  });

  test('registration: an answer whose id has a NUL character is refused, not a 500', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    const options = await startAdding(browser, { password: account.password });
    const answer = { ...new SoftAuthenticator().create(options, originOf(org)), id: 'x\u0000y' };
    const posted = await browser.post('/account/passkeys/new', { name: 'Pixel 7', response: JSON.stringify(answer) });
    assert.equal(posted.statusCode, 400, `${posted.statusCode}: ${posted.body.slice(0, 200)}`);
  });
});

describe('SPEC 11 attacked: an authenticator with an oversized credential id (WebAuthn L3 §7.1: over 1023 bytes is refused)', () => {
  test('a 3,000-byte credential id is refused with the form, not a 500', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, account);
    const options = await startAdding(browser, { password: account.password });
    const key = new SoftAuthenticator();
    (key as unknown as { credentialId: Buffer }).credentialId = (await import('node:crypto')).randomBytes(3000);
    const posted = await browser.post('/account/passkeys/new', { name: 'Pixel 7', response: JSON.stringify(key.create(options, originOf(org))) });
    assert.equal(posted.statusCode, 400, `${posted.statusCode}: ${posted.body.slice(0, 200)}`);
  });
});
