import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountById } from '../../src/accounts/accounts.js';
import { createActiveAccount, createTestApp, createTestOrg, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('SECURITY 7: wrong codes end the attempt and lock code login', () => {
  test('SECURITY 7: 5 wrong codes end the attempt; 10 in a row lock code login for 15 minutes', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app } = await enableTotp(t, await loggedInBrowser(t, org, user));
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    for (let i = 0; i < 4; i++) assert.equal((await browser.post('/login/code', { code: '000000' })).statusCode, 200);
    const fifth = await browser.post('/login/code', { code: '000000' });
    assert.equal(fifth.headers.location, '/login?codeAttemptEnded=1');
    assert.equal((await browser.get('/account')).statusCode, 303);
    // Second attempt: five more wrong codes make ten in a row.
    const again = await loggedInBrowser(t, org, user);
    await again.get('/login/code');
    for (let i = 0; i < 4; i++) await again.post('/login/code', { code: '111111' });
    await again.post('/login/code', { code: '111111' });
    const third = await loggedInBrowser(t, org, user);
    await third.get('/login/code');
    const locked = await third.post('/login/code', { code: app.code(t) });
    assert.equal(locked.statusCode, 429, 'even the right code is refused while locked');
    assert.match(locked.body, /blocked for 15 minutes/);
    t.clock.advanceMinutes(16);
    const fourth = await loggedInBrowser(t, org, user);
    await fourth.get('/login/code');
    assert.equal((await fourth.post('/login/code', { code: app.code(t) })).statusCode, 303);
    assert.equal((await findAccountById(t.deps.db, org.tenantId, user.id)) !== null, true);
  });

  test('an empty code, sent by an Enter too soon, costs no try: ten of them, then the right code logs in', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const { app } = await enableTotp(t, await loggedInBrowser(t, org, user));
    t.clock.advanceSeconds(30);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    for (let i = 0; i < 10; i++) {
      const empty = await browser.post('/login/code', { code: i % 2 ? '' : '   ' });
      assert.equal(empty.statusCode, 200, `empty code ${i + 1}: the form again`);
    }
    assert.equal((await browser.post('/login/code', { code: app.code(t) })).statusCode, 303);
  });

  test('SECURITY 7: 50 parallel wrong codes are evaluated at most 5 times', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    await enableTotp(t, await loggedInBrowser(t, org, user));
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/login/code');
    await Promise.all(Array.from({ length: 50 }, () => browser.post('/login/code', { code: '123456' })));
    const rows = await t.deps.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'second_factor_failed'",
      [org.tenantId],
    );
    assert.ok(rows[0]!.n <= 5, `${rows[0]!.n} codes were evaluated`);
  });
});

describe('the code lockout escalates (NIST SP 800-63B 5.2.2)', () => {
  test('every 10 wrong codes lock 15 minutes; after 100 in a row only a staff reset opens it', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const { app } = await enableTotp(t, await loggedInBrowser(t, org, user));
    let lastStatus = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const browser = await loggedInBrowser(t, org, user);
      await browser.get('/login/code');
      for (let i = 0; i < 5; i++) lastStatus = (await browser.post('/login/code', { code: '000000' })).statusCode;
      if ((attempt + 1) % 2 === 0) t.clock.advanceMinutes(16);
    }
    assert.equal(lastStatus, 303, 'the hundredth wrong code ends its attempt');
    const blocked = await loggedInBrowser(t, org, user);
    await blocked.get('/login/code');
    const refused = await blocked.post('/login/code', { code: app.code(t) });
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /Contact the helpdesk/);
    t.clock.advanceMinutes(60);
    await blocked.get('/login/code');
    assert.equal((await blocked.post('/login/code', { code: app.code(t) })).statusCode, 429, 'time does not open it');
    const staff = await loggedInBrowser(t, org, helpdesk);
    await staff.get(`/staff/accounts/${user.id}`);
    assert.equal((await staff.post(`/staff/accounts/${user.id}/action`, { action: 'reset_two_factor', confirm: 'yes', reason: 'locked out, identity checked' })).statusCode, 303);
    const after = await loggedInBrowser(t, org, user);
    assert.equal((await after.get('/account')).statusCode, 200, 'after the reset the password logs in (2FA optional here)');
  });
});
