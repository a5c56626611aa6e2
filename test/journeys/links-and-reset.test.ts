import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountById } from '../../src/accounts/accounts.js';
import { noRequestContext } from '../../src/audit/audit.js';
import { createAccount } from '../../src/flows/staff/create-account.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, invitedAccount, loggedInBrowser, strongPassword, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const newPassword = 'a whole new passphrase';

async function requestReset(browser: TestBrowser, email: string) {
  return browser.submit('/password/forgot', '/password/forgot', { email });
}

describe('forgot password (SPEC 4.4)', () => {
  test('the link sets a new password, ends every session, mails "password changed" and lands on /login', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const elsewhere = new TestBrowser(t.app, hostOf(org));
    assert.equal((await elsewhere.login(user.email, user.password)).statusCode, 303);

    const browser = new TestBrowser(t.app, hostOf(org));
    const answer = await requestReset(browser, user.email);
    assert.match(answer.body, /If this address has an account, we have sent a link/);
    await t.jobs.runDue();
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    const form = await browser.get(link);
    assert.equal(form.statusCode, 200);
    assert.equal(form.headers['referrer-policy'], 'no-referrer');
    assert.equal(form.headers['cache-control'], 'no-store');
    const done = await browser.post(link, { password: newPassword, passwordConfirm: newPassword });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/login?reset=1');
    assert.match((await browser.get('/login?reset=1')).body, /Your password has been changed/);

    assert.equal((await elsewhere.get('/')).statusCode, 303, 'the other session ended');
    await t.jobs.runDue();
    assert.match(t.mail.last(user.email).subject, /password/i);
    assert.equal((await browser.login(user.email, user.password)).statusCode, 200, 'old password refused');
    assert.equal((await browser.login(user.email, newPassword)).statusCode, 303, 'new password works');
  });

  test('SECURITY 2: known and unknown addresses get the same answer, and no mail work happens in the request', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/password/forgot');
    const known = await browser.post('/password/forgot', { email: user.email });
    const unknown = await browser.post('/password/forgot', { email: 'nobody@example.org' });
    assert.equal(known.statusCode, unknown.statusCode);
    assert.equal(known.body, unknown.body);
    assert.equal(t.mail.to(user.email).length, 0, 'nothing sent before the worker runs');
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 1);
    assert.equal(t.mail.to('nobody@example.org').length, 0);
  });

  test('at most 3 reset mails per account per hour; a newer link voids the older one', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 5; i++) await requestReset(browser, user.email);
    await t.jobs.runDue();
    const mails = t.mail.to(user.email);
    assert.equal(mails.length, 3);
    const first = t.mail.linkIn(mails[0]!, '/password/reset/');
    const last = t.mail.linkIn(mails[2]!, '/password/reset/');
    assert.equal((await browser.get(first)).statusCode, 404, 'superseded link answers like an unknown one');
    assert.equal((await browser.get(last)).statusCode, 200);
    t.clock.advanceMinutes(61);
    await requestReset(browser, user.email);
    await t.jobs.runDue();
    assert.equal(t.mail.to(user.email).length, 4, 'a new hour allows a new mail');
  });

  test('SECURITY 6: a locked account can reset, and the reset clears the lock', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 8; i++) await browser.login(user.email, 'wrong password!!');
    assert.equal((await browser.login(user.email, user.password)).statusCode, 200, 'locked');
    await requestReset(browser, user.email);
    await t.jobs.runDue();
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    await browser.get(link);
    assert.equal((await browser.post(link, { password: newPassword, passwordConfirm: newPassword })).statusCode, 303);
    assert.equal((await findAccountById(t.deps.db, org.tenantId, user.id))!.failedLoginCount, 0);
    assert.equal((await browser.login(user.email, newPassword)).statusCode, 303);
  });

  test('SECURITY 13: expired links answer like unknown ones; GET never consumes; a rejected password keeps the link', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, hostOf(org));
    await requestReset(browser, user.email);
    await t.jobs.runDue();
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    for (let i = 0; i < 3; i++) assert.equal((await browser.get(link)).statusCode, 200, 'GET (a mail scanner) does not use the link');
    const weak = await browser.post(link, { password: 'qwerty123456', passwordConfirm: 'qwerty123456' });
    assert.equal(weak.statusCode, 200);
    assert.match(weak.body, /used a lot/);
    assert.doesNotMatch(weak.body, /qwerty123456/, 'a password is never echoed back');
    assert.match(weak.body, /used a lot[^<]* Tip: [^<]+</, 'after the reason, zxcvbn’s own tip for this password');
    const unknown = await browser.get('/password/reset/AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    t.clock.advanceMinutes(61);
    const expired = await browser.get(link);
    assert.equal(expired.statusCode, 404);
    assert.equal(expired.body, unknown.body);
    assert.equal((await browser.post(link, { password: newPassword, passwordConfirm: newPassword })).statusCode, 404);
  });

  test('SECURITY 13: two concurrent uses of one reset link: exactly one wins', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const a = new TestBrowser(t.app, hostOf(org));
    const b = new TestBrowser(t.app, hostOf(org));
    await requestReset(a, user.email);
    await t.jobs.runDue();
    const link = t.mail.linkIn(t.mail.last(user.email), '/password/reset/');
    await a.get(link);
    await b.get(link);
    const [ra, rb] = await Promise.all([
      a.post(link, { password: 'first racer passphrase', passwordConfirm: 'first racer passphrase' }),
      b.post(link, { password: 'second racer passphrase', passwordConfirm: 'second racer passphrase' }),
    ]);
    assert.deepEqual([ra.statusCode, rb.statusCode].sort(), [303, 404]);
    const winner = ra.statusCode === 303 ? 'first racer passphrase' : 'second racer passphrase';
    assert.equal((await a.login(user.email, winner)).statusCode, 303);
  });
});

describe('welcome links (SPEC 4.1)', () => {
  test('after the password: two-step setup where the org requires it for the role, else home', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'optional', twoFactorStaff: 'required' } });
    const landing: Record<string, string | undefined> = {};
    for (const role of ['client', 'professional'] as const) {
      const email = `welcome-${role}@example.org`;
      const { link } = await invitedAccount(t, org, email, role);
      const browser = new TestBrowser(t.app, hostOf(org));
      await browser.get(link);
      landing[role] = (await browser.post(link, { password: strongPassword, passwordConfirm: strongPassword })).headers.location as string | undefined;
    }
    assert.deepEqual(landing, { client: '/', professional: '/account/2fa/setup' });
  });

  test('a resend voids the older link; an expired link offers a new one, mailed only while still invited', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const created = await createAccount(t.deps, org, admin, noRequestContext, { email: 'new@example.org', name: 'New', role: 'client', locale: 'en' });
    assert.ok(created.ok);
    const staff = await loggedInBrowser(t, org, admin);
    await staff.get(`/staff/accounts/${created.account.id}`);
    assert.equal((await staff.post(`/staff/accounts/${created.account.id}/action`, { action: 'resend_welcome', reason: '' })).statusCode, 303);
    await t.jobs.runDue();
    const [firstMail, secondMail] = t.mail.to('new@example.org');
    const oldLink = t.mail.linkIn(firstMail!, '/welcome/');
    const newLink = t.mail.linkIn(secondMail!, '/welcome/');
    const browser = new TestBrowser(t.app, hostOf(org));
    const old = await browser.get(oldLink);
    assert.equal(old.statusCode, 404);
    assert.match(old.body, /Send me a new link/);

    t.clock.advanceSeconds(org.policy.welcomeLinkHours * 3600 + 1);
    const expired = await browser.get(newLink);
    assert.equal(expired.statusCode, 404);
    const renewed = await browser.post('/welcome/renew', { token: newLink.split('/').pop()! });
    assert.equal(renewed.statusCode, 200);
    assert.match(renewed.body, /If this link belonged to an account that has no password yet/);
    await t.jobs.runDue();
    const fresh = t.mail.linkIn(t.mail.last('new@example.org'), '/welcome/');
    assert.equal((await browser.get(fresh)).statusCode, 200);
    assert.equal((await browser.post(fresh, { password: strongPassword, passwordConfirm: strongPassword })).statusCode, 303);

    // Now active: asking for a new link with an old one mails nothing, with the same answer.
    const count = t.mail.to('new@example.org').length;
    const anonymous = new TestBrowser(t.app, hostOf(org));
    await anonymous.get(newLink);
    const again = await anonymous.post('/welcome/renew', { token: newLink.split('/').pop()! });
    assert.equal(again.statusCode, 200);
    const withoutTokens = (body: string) => body.replace(/value="[^"]+"/g, '');
    assert.equal(withoutTokens(again.body), withoutTokens(renewed.body));
    await t.jobs.runDue();
    assert.equal(t.mail.to('new@example.org').length, count);
  });

  test('SECURITY 13: a used welcome link answers like an unknown one; two concurrent uses, one wins', async () => {
    const org = await createTestOrg(t);
    const { link } = await invitedAccount(t, org, 'concurrent@example.org');
    const a = new TestBrowser(t.app, hostOf(org));
    const b = new TestBrowser(t.app, hostOf(org));
    await a.get(link);
    await b.get(link);
    const results = await Promise.all([
      a.post(link, { password: 'first racer passphrase', passwordConfirm: 'first racer passphrase' }),
      b.post(link, { password: 'second racer passphrase', passwordConfirm: 'second racer passphrase' }),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [303, 404]);
    const unknown = await new TestBrowser(t.app, hostOf(org)).get('/welcome/AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const used = await new TestBrowser(t.app, hostOf(org)).get(link);
    assert.equal(used.statusCode, unknown.statusCode);
    const stripCsrf = (body: string) => body.replace(/name="_csrf" value="[^"]+"/, '').replace(/name="token" value="[^"]+"/, '');
    assert.equal(stripCsrf(used.body), stripCsrf(unknown.body));
  });

  test('SECURITY 9: guessing link tokens is throttled per IP', async () => {
    const org = await createTestOrg(t);
    const guesser = new TestBrowser(t.app, hostOf(org));
    let last = 0;
    const { link: realLink } = await invitedAccount(t, org, 'guessed@example.org');
    for (let i = 0; i < 20; i++) last = (await guesser.get(`/welcome/guess${i}.nope`)).statusCode;
    assert.equal(last, 404, 'twenty misses are answered');
    assert.equal((await guesser.get('/welcome/one.more')).statusCode, 429);
    assert.equal((await guesser.get('/password/reset/another.guess')).statusCode, 429, 'the same budget covers reset links');
    assert.equal((await guesser.get(realLink)).statusCode, 429, 'over budget, a right token cannot be told from a wrong one');
    assert.equal((await new TestBrowser(t.app, hostOf(org), { 'x-forwarded-for': 'ignored' }).get(realLink)).statusCode, 429, 'X-Forwarded-For does not reset it');
    t.clock.advanceMinutes(11);
    assert.equal((await guesser.get(realLink)).statusCode, 200);
  });

  test('SECURITY 9: a parallel burst of link guesses gets no more lookups than the budget; right links cost nothing', async () => {
    const org = await createTestOrg(t);
    const { link: realLink } = await invitedAccount(t, org, 'burst@example.org');
    // Opening a right link many times is no guessing.
    const owner = new TestBrowser(t.app, hostOf(org));
    for (let i = 0; i < 25; i++) assert.equal((await owner.get(realLink)).statusCode, 200, `opening ${i + 1} of the right link`);

    const guesser = new TestBrowser(t.app, hostOf(org));
    const paths = Array.from({ length: 100 }, (_, i) => (i === 60 ? realLink : `/welcome/burst${i}.nope`));
    const statuses = await Promise.all(paths.map(async (path) => (await guesser.get(path, {}, '203.0.113.77')).statusCode));
    const answered = statuses.filter((status) => status !== 429);
    assert.equal(answered.length, 20, `only the budget is looked up: ${answered.length} answered`);
    assert.equal(statuses.filter((status) => status === 429).length, 80);
  });

  test('SECURITY 9: posting the forms of wrong links counts too, welcome and reset alike; a right link with a weak password does not', async () => {
    const org = await createTestOrg(t);
    const { link: realLink } = await invitedAccount(t, org, 'forms@example.org');
    const owner = new TestBrowser(t.app, hostOf(org));
    await owner.get(realLink);
    // Ten, the most a link takes in an hour (SECURITY 35); had they counted as guesses, the guesser below would be cut off at ten.
    for (let i = 0; i < 10; i++) {
      const weak = await owner.post(realLink, { password: 'short', passwordConfirm: 'short' });
      assert.equal(weak.statusCode, 200, `a refused password on the right link is no guess (${i + 1})`);
    }

    const guesser = new TestBrowser(t.app, hostOf(org));
    await guesser.get('/login');
    const fields = { password: strongPassword, passwordConfirm: strongPassword };
    for (let i = 0; i < 10; i++) assert.equal((await guesser.post(`/welcome/form${i}.nope`, fields)).statusCode, 404, `welcome form guess ${i + 1}`);
    for (let i = 0; i < 10; i++) assert.equal((await guesser.post(`/password/reset/form${i}.nope`, fields)).statusCode, 404, `reset form guess ${i + 1}`);
    assert.equal((await guesser.post('/welcome/one.more', fields)).statusCode, 429, 'the 21st guess, by form');
    assert.equal((await guesser.post('/password/reset/one.more', fields)).statusCode, 429);
  });
});
