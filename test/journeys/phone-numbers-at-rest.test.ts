/**
 * SECURITY 45: phone numbers are sealed at rest (AES-256-GCM, bound to the account) and pages
 * show only their last digits; an SMS code keeps a keyed digest of its number, no number. A number
 * stored before numbers were sealed keeps working, and maintenance seals it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { factorPhone, findActiveFactor } from '../../src/factors/second-factor/store.js';
import { runMaintenance } from '../../src/jobs/maintenance.js';
import { createTestApp, loggedInBrowser, type TestApp } from '../harness.js';
import { accountWithSms, smsPhone } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const digitsOf = (phone: string) => phone.replace(/\D/g, '');

describe('SECURITY 45: phone numbers at rest', () => {
  test('neither the factor nor its codes store the number; pages show its last two digits', async () => {
    const { org, user } = await accountWithSms(t);
    const stored = await t.deps.db.query<{ phone_sealed: string }>('SELECT phone_sealed FROM second_factor WHERE tenant_id = $1', [org.tenantId]);
    assert.equal(stored.length, 1);
    assert.doesNotMatch(stored[0]!.phone_sealed, new RegExp(digitsOf(smsPhone).slice(2)), 'sealed, not the number');
    const codes = await t.deps.db.query<{ phone_digest: string }>('SELECT phone_digest FROM sms_code WHERE tenant_id = $1', [org.tenantId]);
    assert.ok(codes.length > 0);
    for (const code of codes) assert.doesNotMatch(code.phone_digest, new RegExp(digitsOf(smsPhone).slice(2)));
    assert.equal(factorPhone(t.deps.config.secretKey, (await findActiveFactor(t.deps.db, org.tenantId, user.id))!), smsPhone, 'it opens for its account');

    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    await browser.post('/login/code', { code: t.sms.lastCode(smsPhone) });
    const page = await browser.get('/account/2fa');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`••• ${smsPhone.slice(-2)}`));
    assert.doesNotMatch(page.body, new RegExp(digitsOf(smsPhone).slice(2, -2)), 'never the whole number');
  });

  test('a number stored before sealing still gets its codes, and maintenance seals it', async () => {
    const { org, user } = await accountWithSms(t);
    await t.deps.db.query('UPDATE second_factor SET phone_sealed = $3 WHERE tenant_id = $1 AND account_id = $2', [org.tenantId, user.id, smsPhone]);
    const browser = await loggedInBrowser(t, org, user);
    t.clock.advanceSeconds(61);
    await browser.get('/login/code');
    assert.equal((await browser.post('/login/code', { code: t.sms.lastCode(smsPhone) })).statusCode, 303, 'the unsealed number works as before');
    const done = await runMaintenance(t.deps.db, t.clock.now(), { onlyTenantId: org.tenantId, secretKey: t.deps.config.secretKey });
    assert.equal(done.sealedPhones, 1);
    const [row] = await t.deps.db.query<{ phone_sealed: string }>('SELECT phone_sealed FROM second_factor WHERE tenant_id = $1', [org.tenantId]);
    assert.match(row!.phone_sealed, /^v1\./);
    assert.equal(factorPhone(t.deps.config.secretKey, (await findActiveFactor(t.deps.db, org.tenantId, user.id))!), smsPhone);
  });
});
