import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findOrganizationBySlug } from '../../src/tenants/organizations.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const form = {
  twoFactorClients: 'required',
  twoFactorStaff: 'required',
  method_totp: 'true',
  passwordRequireSpecial: 'true',
  passwordMinLength: '14',
  idleMinutes: '30',
  absoluteHours: '8',
  maxCodeValidityDays: '1',
  welcomeLinkHours: '72',
  resetLinkMinutes: '30',
};

describe('/admin/policy (SPEC 1, 6)', () => {
  test('an admin changes the policy; a bad value refuses the whole change with the field named; it is audited', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const browser = await loggedInBrowser(t, org, admin);
    const page = await browser.get('/admin/policy');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="passwordMinLength" type="text" value="12"/);

    const bad = await browser.post('/admin/policy', { ...form, passwordMinLength: '7', idleMinutes: 'soon' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="passwordMinLength-error"/);
    assert.match(bad.body, /id="idleMinutes-error"/);
    assert.match(bad.body, /value="soon"/, 'what was typed is kept');
    assert.equal((await findOrganizationBySlug(t.deps.db, org.slug))!.policy.passwordMinLength, 12, 'nothing changed');

    const noMethod = await browser.post('/admin/policy', { ...form, method_totp: '' });
    assert.equal(noMethod.statusCode, 400, 'at least one method');

    const saved = await browser.post('/admin/policy', form);
    assert.equal(saved.headers.location, '/admin/policy?saved=1');
    const policy = (await findOrganizationBySlug(t.deps.db, org.slug))!.policy;
    assert.equal(policy.twoFactorClients, 'required');
    assert.equal(policy.passwordMinLength, 14);
    assert.deepEqual(policy.twoFactorMethods, ['totp']);
    assert.equal(policy.selfRegistration, false);
    const audit = await t.deps.db.query<{ actor_account_id: string; details: { keys: string } }>(
      "SELECT actor_account_id, details FROM audit_event WHERE tenant_id = $1 AND event = 'policy_changed'",
      [org.tenantId],
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.actor_account_id, admin.id);
    assert.match(audit[0]!.details.keys, /passwordMinLength/);
    // The new policy is in force at once: the admin (staff, now required) must set up 2FA.
    assert.equal((await browser.get('/account')).headers.location, '/account/2fa/setup');
  });

  test('helpdesk and clients get 404', async () => {
    const org = await createTestOrg(t);
    for (const role of ['helpdesk', 'professional', 'client'] as const) {
      const account = await createActiveAccount(t, org, { role });
      const browser = await loggedInBrowser(t, org, account);
      assert.equal((await browser.get('/admin/policy')).statusCode, 404, role);
    }
  });
});
