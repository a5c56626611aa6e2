import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { passwordVerificationCount } from '../../src/factors/password/hashing.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, invitedAccount, mailedResetLink, strongPassword, type TestApp } from '../harness.js';

const metricsToken = 'metrics-token-for-cpu';
let t: TestApp;
before(async () => {
  // One hash at a time and five waiting, so a burst of twenty overflows.
  t = await createTestApp({ config: { ARGON2_CONCURRENCY: '1', ARGON2_MAX_WAITING: '5', METRICS_TOKEN: metricsToken } });
});
after(async () => t.close());

async function metric(name: string): Promise<number> {
  const body = (await t.app.inject({ method: 'GET', url: '/metrics', headers: { host: 'monitoring.internal', authorization: `Bearer ${metricsToken}` } })).body;
  const value = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(body)?.[1];
  assert.ok(value !== undefined, `${name} is in /metrics`);
  return Number(value);
}

describe('SECURITY 35: no unthrottled CPU', () => {
  test('a right welcome link takes 10 password submissions an hour, refused ones included; then 429 before any estimate or hash', async () => {
    const org = await createTestOrg(t);
    const { link } = await invitedAccount(t, org, 'cpu-welcome@example.org');
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get(link);
    const crafted = '4@3!1|0$5$7+'.repeat(16);
    for (let i = 0; i < 10; i++) {
      const refused = await browser.post(link, { password: `${crafted}${i}`, passwordConfirm: 'does not match' });
      assert.equal(refused.statusCode, 200, 'the form again, with the reason');
    }
    const over = await browser.post(link, { password: strongPassword, passwordConfirm: strongPassword });
    assert.equal(over.statusCode, 429);
    assert.ok(Number(over.headers['retry-after']) > 0);
    // After the hour the right password goes through, and the link still works.
    t.clock.advanceMinutes(61);
    await browser.get(link);
    const done = await browser.post(link, { password: strongPassword, passwordConfirm: strongPassword });
    assert.equal(done.statusCode, 303);
  });

  test('a network posts 30 passwords through links in 10 minutes, whichever links', async () => {
    const org = await createTestOrg(t);
    const browser = new TestBrowser(t.app, hostOf(org));
    const links: string[] = [];
    for (let i = 0; i < 4; i++) {
      const account = await createActiveAccount(t, org);
      links.push(await mailedResetLink(t, browser, account.email));
    }
    let answered = 0;
    for (let i = 0; i < 30; i++) {
      const link = links[i % 4]!;
      await browser.get(link);
      const response = await browser.post(link, { password: 'short', passwordConfirm: 'short' });
      assert.equal(response.statusCode, 200);
      answered += 1;
    }
    assert.equal(answered, 30);
    await browser.get(links[0]!);
    const over = await browser.post(links[0]!, { password: strongPassword, passwordConfirm: strongPassword });
    assert.equal(over.statusCode, 429);
    // Another network is not held up by this one.
    const other = await browser.post(links[1]!, { password: 'short', passwordConfirm: 'short' }, {}, '203.0.113.9');
    assert.equal(other.statusCode, 200);
  });

  test('a burst of logins waits in the argon2 queue; past its length they get 503 with Retry-After; /healthz answers throughout; the queue is in /metrics', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const verificationsBefore = passwordVerificationCount();
    const refusedBefore = await metric('ingang_argon2_refused_total').catch(() => 0);
    const logins = Array.from({ length: 20 }, async (_, i) => {
      const browser = new TestBrowser(t.app, hostOf(org));
      await browser.get('/login');
      return browser.post('/login', { email: account.email, password: `wrong guess number ${i}` }, {}, `198.51.100.${i + 1}`);
    });
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const answers = await Promise.all(logins);
    const busy = answers.filter((a) => a.statusCode === 503);
    assert.ok(busy.length > 0, 'some logins were refused while the queue was full');
    for (const answer of busy) assert.equal(answer.headers['retry-after'], '30');
    assert.ok(answers.filter((a) => a.statusCode === 200).length >= 6, 'the running one and those waiting were answered');
    assert.ok(passwordVerificationCount() - verificationsBefore <= 20 - busy.length, 'a refused login ran no hash');
    assert.ok((await metric('ingang_argon2_refused_total')) - refusedBefore >= busy.length);
    assert.equal(await metric('ingang_argon2_queue_length'), 0);
    assert.ok((await metric('ingang_argon2_wait_seconds_total')) > 0);
    assert.ok((await metric('ingang_argon2_started_total')) > 0);
  });
});
