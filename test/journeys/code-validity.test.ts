import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function codeLogin(browser: TestBrowser, account: { email: string; password: string }, code: string) {
  const first = await browser.login(account.email, account.password);
  if (String(first.headers.location).startsWith('/login/code')) {
    await browser.get('/login/code');
    assert.equal((await browser.post('/login/code', { code })).statusCode, 303);
    return 'code asked';
  }
  return 'password only';
}

describe('code validity and trusted browsers (SPEC 4.6)', () => {
  test('default 1h: logging in again on the same browser within the hour asks only the password; after an idle hour, the code', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const setup = await loggedInBrowser(t, org, user);
    const { app } = await enableTotp(t, setup);
    const browser = new TestBrowser(t.app, hostOf(org));
    assert.equal(await codeLogin(browser, user, app.code(t)), 'code asked');
    await browser.get('/');
    await browser.post('/logout', {});
    t.clock.advanceMinutes(20);
    assert.equal(await codeLogin(browser, user, app.code(t)), 'password only');
    assert.equal((await browser.get('/account')).statusCode, 200);
    const elsewhere = new TestBrowser(t.app, hostOf(org));
    t.clock.advanceSeconds(30);
    assert.equal(await codeLogin(elsewhere, user, app.code(t)), 'code asked', 'another browser has no trust');
    await browser.get('/');
    await browser.post('/logout', {});
    t.clock.advanceMinutes(61);
    assert.equal(await codeLogin(browser, user, app.code(t)), 'code asked', 'after an hour of inactivity the code is asked again');
  });

  test('7 days: a new login asks only the password, within the 7 days; inactivity asks the password, never the code; removal ends it', async () => {
    const org = await createTestOrg(t, { policy: { idleMinutes: 30 } });
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    const { app } = await enableTotp(t, browser);
    await browser.get('/account/2fa');
    assert.equal((await browser.post('/account/2fa/validity', { validity: '30d' })).statusCode, 400, 'beyond the org maximum (7 days)');
    assert.equal((await browser.post('/account/2fa/validity', { validity: '7d' })).statusCode, 303, 'password proof from the login is fresh');
    await browser.get('/');
    await browser.post('/logout', {});
    t.clock.advanceSeconds(30);
    assert.equal(await codeLogin(browser, user, app.code(t)), 'code asked');
    t.clock.advanceMinutes(45);
    const idle = await browser.get('/account');
    assert.equal(idle.headers.location, `/login?returnTo=${encodeURIComponent('/account')}`, 'SECURITY 43: idle beyond idleMinutes asks the password again, also on a trusted browser');
    await browser.get('/login');
    assert.equal((await browser.post('/login', { email: user.email, password: user.password })).headers.location, '/', 'the password alone: the trust still skips the code');
    assert.equal((await browser.get('/account')).statusCode, 200);
    await browser.post('/logout', {});
    t.clock.advanceSeconds(3 * 86400);
    assert.equal(await codeLogin(browser, user, app.code(t)), 'password only');
    const page = await browser.get('/account/2fa');
    const id = /action="\/account\/2fa\/trusted\/([^/]+)\/remove"/.exec(page.body)?.[1];
    assert.ok(id, 'the trusted browser is listed');
    assert.equal((await browser.post(`/account/2fa/trusted/${id}/remove`, {})).statusCode, 303);
    await browser.post('/logout', {});
    t.clock.advanceSeconds(30);
    assert.equal(await codeLogin(browser, user, app.code(t)), 'code asked', 'removed: the code is asked again');
    await browser.post('/logout', {});
    t.clock.advanceSeconds(8 * 86400);
    t.clock.advanceSeconds(30);
    assert.equal(await codeLogin(browser, user, app.code(t)), 'code asked', 'after 7 days the code is asked again');
  });

  test('a trusted browser still needs the code for a password change', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await enableTotp(t, browser);
    await browser.get('/account/password');
    const refused = await browser.post('/account/password', { currentPassword: user.password, password: 'another fine phrase', passwordConfirm: 'another fine phrase', code: '' });
    assert.match(refused.body, /This code is not right/);
  });

  test('a password change forgets every trusted browser: one that knew the old password asks the code again', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const owner = await loggedInBrowser(t, org, user);
    const { app } = await enableTotp(t, owner);
    // Someone who had the password, and a code once, on a browser of their own.
    const intruder = new TestBrowser(t.app, hostOf(org));
    t.clock.advanceSeconds(30);
    assert.equal(await codeLogin(intruder, user, app.code(t)), 'code asked');
    await intruder.get('/');
    await intruder.post('/logout', {});
    t.clock.advanceSeconds(30);
    await owner.get('/account/password');
    const newPassword = 'a brand new pass phrase';
    const changed = await owner.post('/account/password', { currentPassword: user.password, password: newPassword, passwordConfirm: newPassword, code: app.code(t) });
    assert.equal(changed.statusCode, 303);
    t.clock.advanceSeconds(30);
    assert.equal(await codeLogin(intruder, { email: user.email, password: newPassword }, app.code(t)), 'code asked', 'the trust went with the old password');
  });
});

describe('trust never outlives the org maximum', () => {
  test('a sliding hour ends at maxCodeValidityDays; with 0 no browser is trusted', async () => {
    const org = await createTestOrg(t, { policy: { maxCodeValidityDays: 1, idleMinutes: 60 } });
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    const { app } = await enableTotp(t, browser);
    await browser.get('/');
    await browser.post('/logout', {});
    await browser.login(user.email, user.password);
    await browser.get('/login/code');
    assert.equal((await browser.post('/login/code', { code: app.code(t) })).statusCode, 303);
    for (let i = 0; i < 30; i++) {
      t.clock.advanceMinutes(50);
      await browser.get('/account');
    }
    await browser.post('/logout', {});
    const again = await browser.login(user.email, user.password);
    assert.match(String(again.headers.location), /^\/login\/code/, 'after a day the code is asked, however active');

    const strict = await createTestOrg(t, { policy: { maxCodeValidityDays: 0 } });
    const member = await createActiveAccount(t, strict);
    const memberBrowser = await loggedInBrowser(t, strict, member);
    const { app: memberApp } = await enableTotp(t, memberBrowser);
    await memberBrowser.get('/');
    await memberBrowser.post('/logout', {});
    await memberBrowser.login(member.email, member.password);
    await memberBrowser.get('/login/code');
    await memberBrowser.post('/login/code', { code: memberApp.code(t) });
    await memberBrowser.get('/');
    await memberBrowser.post('/logout', {});
    assert.match(String((await memberBrowser.login(member.email, member.password)).headers.location), /^\/login\/code/);
  });
});
