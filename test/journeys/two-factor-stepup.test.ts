import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { enableSms, enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('step-up rows of SPEC 4.5: allowed path and bypass attempts', () => {
  test('turn 2FA on: asks the password once the login proof is older than 10 minutes; a wrong one is refused and counted', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    t.clock.advanceMinutes(11);
    const page = await browser.get('/account/2fa/setup');
    assert.match(page.body, /name="password"/, 'the password is asked');
    const direct = await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    assert.equal(direct.statusCode, 200, 'posting without the password does not start a setup');
    assert.match(direct.body, /Your current password is not right/);
    assert.equal((await browser.get('/account/2fa/setup/totp')).headers.location, '/account/2fa/setup', 'no pending setup exists');
    const wrong = await browser.post('/account/2fa/setup', { method: 'totp', phone: '', password: 'not the password!' });
    assert.match(wrong.body, /Your current password is not right/);
    const failed = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'step_up_failed'", [org.tenantId]);
    assert.equal(failed[0]!.n, 2);
    assert.equal((await browser.post('/account/2fa/setup', { method: 'totp', phone: '', password: user.password })).headers.location, '/account/2fa/setup/totp');
  });

  test('changing settings (code validity) asks the password when the proof is stale', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await enableTotp(t, browser);
    t.clock.advanceMinutes(11);
    await browser.get('/account/2fa');
    assert.equal((await browser.post('/account/2fa/validity', { validity: '12h' })).statusCode, 400);
    assert.equal((await browser.post('/account/2fa/validity', { validity: '12h', password: user.password })).statusCode, 303);
    const saved = await t.deps.db.query<{ code_validity: string }>('SELECT code_validity FROM account WHERE tenant_id = $1 AND id = $2', [org.tenantId, user.id]);
    assert.equal(saved[0]!.code_validity, '12h');
  });

  test("a proof belongs to one session: a fresh proof in one session does not cover another session's request", async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const first = await loggedInBrowser(t, org, user);
    const { app } = await enableTotp(t, first);
    const second = await loggedInBrowser(t, org, user);
    await second.get('/login/code');
    await second.post('/login/code', { code: app.code(t) });
    t.clock.advanceMinutes(11);
    // The first session proves the password again; the second's proof is now stale.
    await first.get('/account/2fa');
    assert.equal((await first.post('/account/2fa/recovery-codes/new', { password: user.password })).statusCode, 303);
    await first.post('/account/2fa/recovery-codes', { stored: 'yes' });
    await second.get('/account/2fa');
    const refused = await second.post('/account/2fa/recovery-codes/new', {});
    assert.equal(refused.statusCode, 400, 'the second session must prove the password itself');
  });
});

describe('step-ups for SMS users', () => {
  test('an SMS user changes the password with a code sent on request, and stays logged in after', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await enableSms(t, browser, '+31611112222');
    t.clock.advanceSeconds(61);
    const page = await browser.get('/account/password');
    assert.match(page.body, /action="\/account\/2fa\/confirm-code"/);
    const sent = await browser.post('/account/2fa/confirm-code', { returnTo: '/account/password' });
    assert.equal(sent.headers.location, '/account/password?sms=sent');
    await browser.get('/account/password?sms=sent');
    const changed = await browser.post('/account/password', { currentPassword: user.password, password: 'sms user new phrase', passwordConfirm: 'sms user new phrase', code: t.sms.lastCode('+31611112222') });
    assert.equal(changed.statusCode, 303);
    assert.equal((await browser.get('/account')).statusCode, 200, 'the change proved password and code: no code asked again');
  });
});

describe('mails and audit for 2FA changes', () => {
  test('on, new recovery codes and off each mail the user and leave one audit row', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    const { app } = await enableTotp(t, browser);
    await browser.get('/account/2fa');
    await browser.post('/account/2fa/recovery-codes/new', {});
    await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
    await browser.get('/account/2fa');
    assert.equal((await browser.post('/account/2fa/disable', { password: user.password, code: app.code(t) })).statusCode, 303);
    await t.jobs.runDue();
    const subjects = t.mail.to(user.email).map((m) => m.subject);
    assert.equal(subjects.length, 3, subjects.join(' | '));
    const events = await t.deps.db.query<{ event: string }>(
      "SELECT event FROM audit_event WHERE tenant_id = $1 AND event IN ('totp_enabled', 'recovery_codes_generated', 'two_factor_disabled') ORDER BY id",
      [org.tenantId],
    );
    assert.deepEqual(events.map((e) => e.event), ['totp_enabled', 'recovery_codes_generated', 'two_factor_disabled']);
  });

  test('a new authenticator replacing the old one mails "changed", not "turned on"', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    const { app: oldApp } = await enableTotp(t, browser);
    // A new authenticator takes the place of the one in force with the password and a code of the old one (SECURITY 41).
    const { app: newApp } = await enableTotp(t, browser, { password: user.password, code: oldApp.code(t) });
    await t.jobs.runDue();
    const subjects = t.mail.to(user.email).map((m) => m.subject);
    assert.deepEqual(
      subjects.map((subject) => (/was changed/.test(subject) ? 'changed' : /is on/.test(subject) ? 'on' : subject)),
      ['on', 'changed'],
      subjects.join(' | '),
    );
    const details = await t.deps.db.query<{ details: { replaced?: boolean } }>("SELECT details FROM audit_event WHERE tenant_id = $1 AND event = 'totp_enabled' ORDER BY id", [org.tenantId]);
    assert.deepEqual(details.map((row) => row.details.replaced), [false, true]);
    await browser.post('/logout', {});
    t.clock.advanceSeconds(30); // the setup used this time step; a step is accepted once
    await browser.login(user.email, user.password);
    await browser.get('/login/code');
    const codeStep = await browser.post('/login/code', { code: newApp.code(t) });
    assert.equal(codeStep.headers.location, '/', `the new authenticator logs in: ${codeStep.statusCode}`);
  });
});

describe('SMS through the configured provider (SPEC 8)', () => {
  test('SMS_PROVIDER=webhook: setup codes arrive at the webhook as {"to", "message"} and confirm the number', async () => {
    const received: { to: string; message: string }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(body) as { to: string; message: string });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
    const webhookApp = await createTestApp({ config: { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: url }, realSms: true });
    try {
      // A Belgian number, in an org whose policy allows Belgium beside the Netherlands.
      const org = await createTestOrg(webhookApp, { policy: { smsCountries: ['NL', 'BE'] } });
      const user = await createActiveAccount(webhookApp, org);
      const browser = await loggedInBrowser(webhookApp, org, user);
      await browser.get('/account/2fa/setup');
      assert.equal((await browser.post('/account/2fa/setup', { method: 'sms', phone: '+32 470 12 34 56' })).headers.location, '/account/2fa/setup/sms');
      assert.equal(received.length, 1);
      assert.equal(received[0]!.to, '+32470123456');
      assert.match(received[0]!.message, new RegExp(org.name));
      const code = /\b(\d{6})\b/.exec(received[0]!.message)![1]!;
      await browser.get('/account/2fa/setup/sms');
      assert.equal((await browser.post('/account/2fa/setup/sms', { code })).headers.location, '/account/2fa/recovery-codes');
    } finally {
      await webhookApp.close();
      server.close();
    }
  });
});
