import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findActiveFactor } from '../../src/factors/second-factor/store.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { TestAuthenticator } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('setup races', () => {
  test('a double "confirm" keeps the new factor active', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    const page = await browser.get('/account/2fa/setup/totp');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
    const code = new TestAuthenticator(secret).code(t);
    const results = await Promise.all([browser.post('/account/2fa/setup/totp', { code }), browser.post('/account/2fa/setup/totp', { code })]);
    assert.ok(results.some((r) => r.headers.location === '/account/2fa/recovery-codes'));
    assert.notEqual(await findActiveFactor(t.deps.db, org.tenantId, user.id), null, 'the factor is still active');
  });
});

describe('an SMS code confirms only the number it was sent to', () => {
  test('a code sent to one number never confirms another; an unsent number changes nothing', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31612345678' });
    const firstCode = t.sms.lastCode('+31612345678');
    const tooSoon = await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31687654321' });
    assert.match(tooSoon.body, /new code in \d+ seconds/);
    await browser.get('/account/2fa/setup/sms');
    assert.equal((await browser.post('/account/2fa/setup/sms', { code: firstCode })).headers.location, '/account/2fa/recovery-codes');
    assert.equal((await findActiveFactor(t.deps.db, org.tenantId, user.id))!.phone, '+31612345678', 'the number that got the code');
    await browser.get('/account/2fa/recovery-codes');
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });

    t.clock.advanceSeconds(61);
    await browser.get('/account/2fa/setup');
    assert.equal((await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31687654321' })).headers.location, '/account/2fa/setup/sms');
    await browser.get('/account/2fa/setup/sms');
    const stale = await browser.post('/account/2fa/setup/sms', { code: firstCode });
    assert.equal(stale.statusCode, 200, 'the old number’s code does not confirm the new number');
    assert.equal((await findActiveFactor(t.deps.db, org.tenantId, user.id))!.phone, '+31612345678', 'the old factor stays until the new one is confirmed');
  });
});

describe('another account on the same browser', () => {
  test('recovery codes waiting for one account never reach the next account’s login', async () => {
    const org = await createTestOrg(t);
    const first = await createActiveAccount(t, org);
    const second = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, first);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    const page = await browser.get('/account/2fa/setup/totp');
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)![1]!.replace(/ /g, '');
    await browser.post('/account/2fa/setup/totp', { code: new TestAuthenticator(secret).code(t) });
    await browser.get('/login');
    await browser.post('/login', { email: second.email, password: second.password });
    const home = await browser.get('/');
    assert.equal(home.statusCode, 200, 'the second account is not sent to the first one’s codes');
  });
});
