import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Organization } from '../../src/tenants/organizations.js';
import { savePolicy } from '../../src/tenants/organizations.js';
import type { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { enableSms } from '../two-factor-helpers.js';

const metricsToken = 'metrics-token-for-sms';
const logLines: string[] = [];
let t: TestApp;
before(async () => {
  const log = new PassThrough();
  log.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n').filter(Boolean)));
  t = await createTestApp({ config: { METRICS_TOKEN: metricsToken, LOG_LEVEL: 'warn' }, logTo: log });
});
after(async () => t.close());

async function freshUser(org: Organization): Promise<TestBrowser> {
  return loggedInBrowser(t, org, await createActiveAccount(t, org));
}

async function startSmsSetup(browser: TestBrowser, phone: string, remoteAddress?: string) {
  await browser.get('/account/2fa/setup', {}, remoteAddress);
  return browser.post('/account/2fa/setup', { method: 'sms', phone }, {}, remoteAddress);
}

async function limitedMetric(limit: string): Promise<number> {
  const body = (await t.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'monitoring.internal', authorization: `Bearer ${metricsToken}` } })).body;
  return Number(new RegExp(`^ingang_sms_limited_total\\{limit="${limit}"\\} (\\d+)$`, 'm').exec(body)?.[1] ?? 0);
}

describe('SECURITY 36: SMS pumping and SMS bombing', () => {
  test('premium, shared-cost, satellite, VoIP, toll-free, landline and foreign numbers are refused before anything is sent', async () => {
    const org = await createTestOrg(t);
    const browser = await freshUser(org);
    const refused: [string, RegExp][] = [
      ['+44 909 879 0000', /mobile numbers only/], // UK premium rate
      ['+31 900 123 4567', /mobile numbers only/], // NL premium rate
      ['+34 901 123 456', /mobile numbers only/], // Spanish shared cost
      ['+31 84 123 4567', /mobile numbers only/], // NL personal/UAN
      ['+881 6 1234 5678', /mobile numbers only|mobile numbers from/], // satellite (Iridium)
      ['+870 773 111 632', /mobile numbers only|mobile numbers from/], // satellite (Inmarsat)
      ['+31 85 123 4567', /mobile numbers only/], // VoIP
      ['097 0123 45678', /mobile numbers only/], // NL machine-to-machine (typed as mobile by libphonenumber)
      ['+31 800 123 4567', /mobile numbers only/], // toll free
      ['020 123 4567', /mobile numbers only/], // landline
      ['+32 470 12 34 56', /mobile numbers from: Netherlands/], // a Belgian mobile, Belgium not in the policy
      ['+44 7400 123456', /mobile numbers from: Netherlands/], // a British mobile
      ['12345', /valid mobile number/],
    ];
    for (const [phone, message] of refused) {
      const answer = await startSmsSetup(browser, phone);
      assert.equal(answer.statusCode, 200, phone);
      assert.match(answer.body, message, phone);
    }
    assert.equal(t.sms.sent.length, 0, 'nothing was sent');
    // The national format and both international ones are one number.
    for (const phone of ['06 1234 5601', '+31 6 1234 5601', '0031 6 1234 5601']) {
      const accepted = await startSmsSetup(await freshUser(org), phone);
      assert.equal(accepted.headers.location, '/account/2fa/setup/sms', phone);
    }
    assert.deepEqual([...new Set(t.sms.sent.map((s) => s.to))], ['+31612345601']);
  });

  test('an org may allow more countries; the policy page shows both SMS settings', async () => {
    const org = await createTestOrg(t, { policy: { smsCountries: ['NL', 'BE'] } });
    assert.equal((await startSmsSetup(await freshUser(org), '+32 470 12 34 56')).headers.location, '/account/2fa/setup/sms');
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const page = await (await loggedInBrowser(t, org, admin)).get('/admin/policy');
    assert.match(page.body, /name="smsCountries" type="text" value="NL,BE"/);
    assert.match(page.body, /name="smsDailyLimit" type="text" value="500"/);
  });

  test('one number gets 5 codes an hour across every account of the org; the sixth asker is told plainly; metric and one log line', async () => {
    const org = await createTestOrg(t);
    const victim = '+31 6 5555 0001';
    const before = await limitedMetric('destination');
    for (let i = 0; i < 5; i++) assert.equal((await startSmsSetup(await freshUser(org), victim)).headers.location, '/account/2fa/setup/sms', `asker ${i + 1}`);
    for (let i = 0; i < 3; i++) {
      const sixth = await startSmsSetup(await freshUser(org), victim);
      assert.match(sixth.body, /Too many codes were sent to this number in the last hour/);
    }
    assert.equal(t.sms.sent.filter((s) => s.to === '+31655550001').length, 5);
    assert.equal((await limitedMetric('destination')) - before, 3);
    const lines = logLines.filter((line) => line.includes('SMS limit reached') && line.includes(org.tenantId));
    assert.equal(lines.length, 1, 'one log line per window, not one per refusal');
    assert.match(lines[0]!, /"limit":"destination"/);
    // An hour later the number may get codes again.
    t.clock.advanceMinutes(61);
    assert.equal((await startSmsSetup(await freshUser(org), victim)).headers.location, '/account/2fa/setup/sms');
  });

  test('one network asks for 30 codes an hour, whichever numbers and accounts; another network is not held up', async () => {
    const org = await createTestOrg(t);
    const network = '198.51.100.36';
    for (let i = 0; i < 30; i++) {
      const answer = await startSmsSetup(await freshUser(org), `+31 6 4444 ${String(i).padStart(4, '0')}`, network);
      assert.equal(answer.headers.location, '/account/2fa/setup/sms', `send ${i + 1}`);
    }
    const over = await startSmsSetup(await freshUser(org), '+31 6 4444 9999', network);
    assert.match(over.body, /Too many codes were asked for from your network/);
    assert.equal((await startSmsSetup(await freshUser(org), '+31 6 4444 9998', '203.0.113.36')).headers.location, '/account/2fa/setup/sms');
  });

  test('smsDailyLimit caps the org per day; a send the provider refused does not count', async () => {
    const org = await createTestOrg(t, { policy: { smsDailyLimit: 3 } });
    t.sms.failing = true;
    for (let i = 0; i < 4; i++) assert.match((await startSmsSetup(await freshUser(org), `+31 6 3333 000${i}`)).body, /could not be sent/);
    t.sms.failing = false;
    for (let i = 0; i < 3; i++) assert.equal((await startSmsSetup(await freshUser(org), `+31 6 3333 100${i}`)).headers.location, '/account/2fa/setup/sms', `send ${i + 1}`);
    const over = await startSmsSetup(await freshUser(org), '+31 6 3333 1009');
    assert.match(over.body, /This organization has sent all its text messages for today/);
    t.clock.advanceMinutes(24 * 60 + 1);
    assert.equal((await startSmsSetup(await freshUser(org), '+31 6 3333 1010')).headers.location, '/account/2fa/setup/sms');
  });

  test('a number set up before the policy dropped its country gets no more codes; the user is told to use a recovery code', async () => {
    const org = await createTestOrg(t, { policy: { smsCountries: ['NL', 'BE'] } });
    const user = await createActiveAccount(t, org);
    await enableSms(t, await loggedInBrowser(t, org, user), '+32 470 55 66 77');
    await savePolicy(t.deps.db, org.tenantId, { ...org.policy, smsCountries: ['NL'] });
    t.clock.advanceSeconds(61);
    const sentBefore = t.sms.sent.length;
    const browser = await loggedInBrowser(t, org, user);
    const codePage = await browser.get('/login/code');
    assert.match(codePage.body, /Codes may no longer be sent to this number/);
    assert.equal(t.sms.sent.length, sentBefore);
  });
});
