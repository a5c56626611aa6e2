/**
 * A step-up that proved the password (or a code) gives the session a new id (SECURITY 15). Whatever
 * fails after it — an SMS that cannot be sent, an action that no longer applies — the browser gets
 * the new cookie at once and stays logged in: nothing the user did is lost, and the form it sees
 * again carries the new session's CSRF token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const staleProof = () => t.clock.advanceSeconds(11 * 60);

describe('a step-up keeps the session whatever fails after it', () => {
  test('setting up SMS while the provider is down: told so, still logged in, and a retry works', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    staleProof();
    await browser.get('/account/2fa/setup');
    t.sms.failing = true;
    const refused = await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31612345678', password: user.password });
    t.sms.failing = false;
    assert.equal(refused.statusCode, 200);
    assert.match(refused.body, /could not be sent/);
    assert.ok(refused.headers['set-cookie'], 'the renewed session comes with the answer');
    assert.equal((await browser.get('/account')).statusCode, 200, 'still logged in');
    await browser.get('/account/2fa/setup');
    const retry = await browser.post('/account/2fa/setup', { method: 'sms', phone: '+31612345678' });
    assert.equal(retry.headers.location, '/account/2fa/setup/sms', 'the proof of a moment ago still counts');
  });

  test('new recovery codes asked without a factor change nothing and log nobody out', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    staleProof();
    await browser.get('/account/2fa');
    const answer = await browser.post('/account/2fa/recovery-codes/new', { password: user.password });
    assert.equal(answer.headers.location, '/account/2fa');
    assert.equal((await browser.get('/account')).statusCode, 200);
    const codes = await t.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM recovery_code WHERE tenant_id = $1', [org.tenantId]);
    assert.equal(codes[0]!.n, 0);
  });
});
