import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, mailedResetLink, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const loggedIn = (org: Parameters<typeof hostOf>[0], account: { email: string; password: string }) => loggedInBrowser(t, org, account);

describe('TOTP setup and login (SPEC 4.5)', () => {
  test('the QR code holds the exact otpauth URI; after setup, login asks password then code', async () => {
    const org = await createTestOrg(t, { name: 'Huisarts Noord' });
    const user = await createActiveAccount(t, org, { email: 'anna@example.org' });
    const browser = await loggedIn(org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    const page = await browser.get('/account/2fa/setup/totp');
    assert.match(page.body, /<img class="qr" src="data:image\/png;base64,/);
    const { app } = await enableTotp(t, browser);
    await t.jobs.runDue();
    assert.match(t.mail.last(user.email).subject, /two-step|tweestaps/i);

    await browser.get('/');
    await browser.post('/logout', {});
    const login = await browser.login(user.email, user.password);
    assert.match(String(login.headers.location), /^\/login\/code/);
    assert.equal((await browser.get('/account')).headers.location, '/login/code', 'the password alone grants nothing (SECURITY 19)');
    await browser.get('/login/code');
    const ok = await browser.post('/login/code', { code: app.code(t), returnTo: '/account' });
    assert.equal(ok.headers.location, '/account');
    assert.equal((await browser.get('/account')).statusCode, 200);
  });

  test('SECURITY 10: ±1 step accepted, ±2 refused; a step is accepted once, also across two logins; older after newer refused', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app } = await enableTotp(t, await loggedIn(org, user));
    const tryCode = async (code: string) => {
      const browser = await loggedIn(org, user);
      await browser.get('/login/code');
      return (await browser.post('/login/code', { code })).statusCode;
    };
    assert.equal(await tryCode(app.code(t, -2)), 200, '-2 steps refused');
    assert.equal(await tryCode(app.code(t, 2)), 200, '+2 steps refused');
    const current = app.code(t, 1);
    assert.equal(await tryCode(current), 303, '+1 step accepted');
    assert.equal(await tryCode(current), 200, 'the same step again, in another login: refused (replay)');
    assert.equal(await tryCode(app.code(t, 0)), 200, 'an older step after a newer one: refused');
    t.clock.advanceSeconds(60);
    assert.equal(await tryCode(app.code(t)), 303);
  });
});

describe('recovery codes (SPEC 4.5, SECURITY 12)', () => {
  test('a recovery code logs in once, in any case and without dashes; the user is mailed the number left', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { recoveryCodes } = await enableTotp(t, await loggedIn(org, user));
    const code = recoveryCodes[0]!;
    const browser = await loggedIn(org, user);
    await browser.get('/login/recovery');
    const ok = await browser.post('/login/recovery', { recoveryCode: code.toLowerCase().replace(/-/g, '') });
    assert.equal(ok.headers.location, '/account/2fa?done=recovery');
    assert.match((await browser.get('/account/2fa?done=recovery')).body, /You have 5 left/);
    // The number comes from the database, not from the address.
    assert.doesNotMatch((await browser.get('/account/2fa?done=recovery&recoveryCodesLeft=0')).body, /You have 0 left/);
    await t.jobs.runDue();
    assert.match(t.mail.last(user.email).text, /5/);
    const reuse = await loggedIn(org, user);
    await reuse.get('/login/recovery');
    assert.equal((await reuse.post('/login/recovery', { recoveryCode: code })).statusCode, 200, 'used once only');
  });

  test('two concurrent uses of one recovery code: exactly one succeeds', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { recoveryCodes } = await enableTotp(t, await loggedIn(org, user));
    const a = await loggedIn(org, user);
    const b = await loggedIn(org, user);
    await a.get('/login/recovery');
    await b.get('/login/recovery');
    const results = await Promise.all([a.post('/login/recovery', { recoveryCode: recoveryCodes[1]! }), b.post('/login/recovery', { recoveryCode: recoveryCodes[1]! })]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 303]);
  });

  test('new recovery codes (password) void the old set', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { recoveryCodes } = await enableTotp(t, browser);
    t.clock.advanceMinutes(11);
    await browser.get('/account/2fa');
    const wrong = await browser.post('/account/2fa/recovery-codes/new', { password: 'not my password!' });
    assert.equal(wrong.statusCode, 400, 'the proof from login is older than 10 minutes: the password is asked');
    const made = await browser.post('/account/2fa/recovery-codes/new', { password: user.password });
    assert.equal(made.headers.location, '/account/2fa/recovery-codes');
    const fresh = [...(await browser.get('/account/2fa/recovery-codes')).body.matchAll(/<li><code>([0-9A-Z-]{19})<\/code><\/li>/g)].map((m) => m[1]!);
    assert.equal(fresh.length, 6);
    assert.equal((await browser.post('/account/2fa/recovery-codes', {})).statusCode, 200, 'the stored box must be ticked');
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
    const login = await loggedIn(org, user);
    await login.get('/login/recovery');
    assert.equal((await login.post('/login/recovery', { recoveryCode: recoveryCodes[2]! })).statusCode, 200, 'an old code no longer works');
    assert.equal((await login.post('/login/recovery', { recoveryCode: fresh[0]! })).statusCode, 303);
  });
});

describe('step-up (SPEC 4.5)', () => {
  test('password change asks password and code; a missing or wrong code changes nothing', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { app } = await enableTotp(t, browser);
    await browser.get('/account/password');
    const noCode = await browser.post('/account/password', { currentPassword: user.password, password: 'another long phrase', passwordConfirm: 'another long phrase', code: '' });
    assert.equal(noCode.statusCode, 200);
    assert.match(noCode.body, /This code is not right/);
    assert.equal((await browser.post('/account/password', { currentPassword: user.password, password: 'another long phrase', passwordConfirm: 'another long phrase', code: app.code(t) })).statusCode, 303);
  });

  test('turning 2FA off asks password and code, and is refused where the policy requires it', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { app } = await enableTotp(t, browser);
    await browser.get('/account/2fa');
    assert.equal((await browser.post('/account/2fa/disable', { password: user.password, code: '' })).statusCode, 400, 'the code is always asked');
    assert.equal((await browser.post('/account/2fa/disable', { password: 'wrong password!', code: app.code(t) })).statusCode, 400);
    const off = await browser.post('/account/2fa/disable', { password: user.password, code: app.code(t) });
    assert.equal(off.headers.location, '/account/2fa?done=off');
    const login = await loggedIn(org, user);
    assert.equal((await login.get('/account')).statusCode, 200, 'no code asked any more');

    const strict = await createTestOrg(t, { policy: { twoFactorClients: 'required' } });
    const member = await createActiveAccount(t, strict);
    const forced = await loggedIn(strict, member);
    assert.equal((await forced.get('/account')).headers.location, '/account/2fa/setup', 'required: setup comes first');
    assert.match((await forced.get('/account/2fa/setup')).body, /action="\/logout"/, 'the way out is offered during forced setup');
    const { app: memberApp } = await enableTotp(t, forced);
    await forced.get('/account/2fa');
    const refused = await forced.post('/account/2fa/disable', { password: member.password, code: memberApp.code(t) });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /requires two-step verification/);
  });

  test('SECURITY 14: the reset link alone is not enough with 2FA; with a code it works', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app } = await enableTotp(t, await loggedIn(org, user));
    const browser = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, browser, user.email);
    const form = await browser.get(link);
    assert.match(form.body, /name="code"/);
    const direct = await browser.post(link, { password: 'reset passphrase now', passwordConfirm: 'reset passphrase now' });
    assert.equal(direct.statusCode, 200);
    assert.match(direct.body, /Enter a code or a recovery code/);
    assert.equal((await browser.post(link, { password: 'reset passphrase now', passwordConfirm: 'reset passphrase now', code: app.code(t) })).statusCode, 303);
  });

  test('a reset proved by a recovery code shows how many are left', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { recoveryCodes } = await enableTotp(t, await loggedIn(org, user));
    const browser = new TestBrowser(t.app, hostOf(org));
    const link = await mailedResetLink(t, browser, user.email);
    await browser.get(link);
    const done = await browser.post(link, { password: 'reset passphrase now', passwordConfirm: 'reset passphrase now', recoveryCode: recoveryCodes[0]! });
    const location = String(done.headers.location);
    assert.match(location, /^\/login\?reset=1&recoveryCodesLeft=5\.\d+\.[\w-]{43}$/, 'the number, signed, with an expiry');
    assert.match((await browser.get(location)).body, /You used a recovery code\. You have 5 left\./);
    // A crafted link cannot make the page state another number.
    const forged = location.replace('recoveryCodesLeft=5.', 'recoveryCodesLeft=0.');
    const forgedPage = (await browser.get(forged)).body;
    assert.doesNotMatch(forgedPage, /You have 0 left/, 'a changed number with the old signature is ignored');
    assert.match(forgedPage, /password has been changed|new password/i, 'the reset notice itself still shows');
    assert.doesNotMatch((await browser.get('/login?reset=1&recoveryCodesLeft=0')).body, /You have 0 left/, 'an unsigned number is ignored');
    t.clock.advanceMinutes(11);
    assert.doesNotMatch((await browser.get(location)).body, /You have 5 left/, 'after 10 minutes the link says nothing more');
  });
});

describe('idle with 2FA (SPEC 4.5)', () => {
  test('after idleMinutes a code is asked, not the password', async () => {
    const org = await createTestOrg(t, { policy: { idleMinutes: 30 } });
    const user = await createActiveAccount(t, org);
    const browser = await loggedIn(org, user);
    const { app } = await enableTotp(t, browser);
    t.clock.advanceMinutes(31);
    const idle = await browser.get('/account');
    assert.equal(idle.headers.location, '/login/code');
    const page = await browser.get('/login/code');
    assert.match(page.body, /inactive for a while/);
    assert.doesNotMatch(page.body, /name="password"/);
    assert.equal((await browser.post('/login/code', { code: app.code(t), returnTo: '/account' })).headers.location, '/account');
  });
});

describe('lost phone: staff reset (SPEC 4.6)', () => {
  test('a professional resets their client’s 2FA with a reason; factors, codes and sessions go; setup is forced where required', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorClients: 'required' } });
    const pro = await createActiveAccount(t, org, { role: 'professional' });
    const proBrowser = await loggedIn(org, pro);
    await proBrowser.get('/staff/accounts/new');
    await proBrowser.post('/staff/accounts/new', { email: 'lostphone@example.org', name: 'Lost Phone', role: 'client', locale: '' });
    await t.jobs.runDue();
    const client = new TestBrowser(t.app, hostOf(org));
    const link = t.mail.linkIn(t.mail.last('lostphone@example.org'), '/welcome/');
    await client.get(link);
    assert.equal((await client.post(link, { password: 'client long passphrase', passwordConfirm: 'client long passphrase' })).statusCode, 303);
    assert.equal((await client.get('/')).headers.location, '/account/2fa/setup');
    await enableTotp(t, client);
    assert.equal((await client.get('/')).statusCode, 200);

    const clientAccount = (await t.deps.db.query<{ id: string }>("SELECT id FROM account WHERE tenant_id = $1 AND email_normalized = 'lostphone@example.org'", [org.tenantId]))[0]!;
    const detail = await proBrowser.get(`/staff/accounts/${clientAccount.id}`);
    assert.match(detail.body, /value="reset_two_factor"/);
    assert.doesNotMatch(detail.body, /[A-Z2-7]{32}/, 'staff never see a secret');
    assert.equal((await proBrowser.post(`/staff/accounts/${clientAccount.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: '' })).statusCode, 400, 'a reason is required');
    assert.equal((await proBrowser.post(`/staff/accounts/${clientAccount.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'phone stolen, identity checked by phone' })).statusCode, 303);

    assert.equal((await client.get('/')).statusCode, 303, 'the client’s session ended');
    await t.jobs.runDue();
    assert.match(t.mail.last('lostphone@example.org').subject, /two-step|tweestaps/i);
    const audit = await t.deps.db.query<{ actor_account_id: string; subject_account_id: string; details: { reason: string } }>(
      "SELECT actor_account_id, subject_account_id, details FROM audit_event WHERE tenant_id = $1 AND event = 'two_factor_reset_by_staff'",
      [org.tenantId],
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_account_id, pro.id);
    assert.equal(audit[0]!.subject_account_id, clientAccount.id);
    assert.equal(audit[0]!.details.reason, 'phone stolen, identity checked by phone');
    const again = new TestBrowser(t.app, hostOf(org));
    const login = await again.login('lostphone@example.org', 'client long passphrase');
    assert.equal(login.headers.location, '/');
    assert.equal((await again.get('/')).headers.location, '/account/2fa/setup', 'set up again at the next login');
  });
});
