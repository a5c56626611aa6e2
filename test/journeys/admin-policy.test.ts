import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findOrganizationBySlug } from '../../src/tenants/organizations.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

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
  passwordMinGuessesLog10: '9',
  idleMinutes: '30',
  absoluteHours: '8',
  maxCodeValidityDays: '1',
  welcomeLinkHours: '72',
  resetLinkMinutes: '30',
  smsCountries: 'NL',
  smsDailyLimit: '500',
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

    const saved = await browser.post('/admin/policy', { ...form, password: admin.password });
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

describe('SECURITY 40: a policy change asks the password and a code, and a weakening one is mailed to every admin', () => {
  const current = { twoFactorClients: 'optional', twoFactorStaff: 'optional', method_totp: 'true', method_sms: 'true', method_passkey: 'true', passwordRequireSpecial: 'true', passwordMinLength: '12', passwordMinGuessesLog10: '9', idleMinutes: '60', absoluteHours: '12', maxCodeValidityDays: '7', welcomeLinkHours: '168', resetLinkMinutes: '60', smsCountries: 'NL', smsDailyLimit: '500' };

  test('a stolen admin session, however fresh, cannot change the policy without the password and a code', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorStaff: 'required' } });
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const browser = await loggedInBrowser(t, org, admin);
    const { app } = await enableTotp(t, browser);
    await browser.post('/logout', {});
    const stolen = await loggedInBrowser(t, org, admin);
    await stolen.get('/login/code');
    await stolen.post('/login/code', { code: app.code(t) });
    const page = await stolen.get('/admin/policy');
    assert.match(page.body, /name="password"/);
    assert.match(page.body, /name="code"/);
    const lowered = { ...current, twoFactorStaff: 'off' };
    const noProof = await stolen.post('/admin/policy', lowered);
    assert.equal(noProof.statusCode, 400);
    assert.match(noProof.body, /current password is not right/);
    t.clock.advanceSeconds(30);
    const noCode = await stolen.post('/admin/policy', { ...lowered, password: admin.password });
    assert.equal(noCode.statusCode, 400);
    assert.equal((await findOrganizationBySlug(t.deps.db, org.slug))!.policy.twoFactorStaff, 'required', 'nothing changed');
    const proved = await stolen.post('/admin/policy', { ...lowered, password: admin.password, code: app.code(t) });
    assert.equal(proved.headers.location, '/admin/policy?saved=1');
    assert.equal((await findOrganizationBySlug(t.deps.db, org.slug))!.policy.twoFactorStaff, 'off');
  });

  test('a weakening change mails every active admin with what changed and who did it; a stricter one mails nobody; the page shows it all', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin', name: 'Ada Admin' });
    const colleague = await createActiveAccount(t, org, { role: 'admin', name: 'Bea Beheer' });
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const browser = await loggedInBrowser(t, org, admin);
    await browser.get('/admin/policy');
    t.mail.sent = [];
    assert.equal((await browser.post('/admin/policy', { ...current, passwordMinLength: '14', password: admin.password })).statusCode, 303);
    await t.jobs.runDue();
    assert.equal(t.mail.sent.length, 0, 'a stricter policy mails nobody');

    await browser.get('/admin/policy');
    assert.equal((await browser.post('/admin/policy', { ...current, passwordMinLength: '14', idleMinutes: '480', twoFactorStaff: 'off', password: admin.password })).statusCode, 303);
    await t.jobs.runDue();
    assert.deepEqual(t.mail.sent.map((m) => m.to).sort(), [admin.email, colleague.email].sort(), 'every admin, and only admins');
    const mail = t.mail.last(colleague.email);
    assert.match(mail.subject, /less strict/);
    assert.match(mail.text, /Ada Admin/);
    assert.match(mail.text, /Two-step verification for staff: optional → off/);
    assert.match(mail.text, /Minutes of inactivity before a new check: 60 → 480/);
    assert.doesNotMatch(mail.text, /Minimum password length/, 'only what weakened');
    assert.equal(t.mail.to(helpdesk.email).length, 0);

    const page = await browser.get('/admin/policy');
    assert.match(page.body, /Recent changes/);
    assert.match(page.body, new RegExp(`by ${admin.email.replace('.', '\\.')}`));
    assert.match(page.body, /idleMinutes = 480/);
    assert.match(page.body, /less strict: every admin was e-mailed/);
  });
});
