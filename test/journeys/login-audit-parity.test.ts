/**
 * One login journey for the browser and the app (README "Architecture"): the same login, made
 * once on the web and once in the app, leaves the same audit rows with the same details — only
 * `via` says which surface it was. The app's own last step, linking a device
 * (`app_device_added`), is not part of the login and is left out of the comparison.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IngangAppClient } from '../../src/api/client.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { injectFetch } from '../inject-fetch.js';
import { enableTotp, type TestAuthenticator } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

type Surface = 'web' | 'app';

/** The steps a login takes, the same for both surfaces; each says whether the step was accepted. */
interface LoginDriver {
  password(email: string, password: string): Promise<boolean>;
  code(code: string): Promise<boolean>;
  recoveryCode(code: string): Promise<boolean>;
}

/** The browser: an accepted step answers with a redirect onwards, a refused one shows its form again. */
function webDriver(browser: TestBrowser): LoginDriver {
  return {
    password: async (email, password) => (await browser.login(email, password)).statusCode === 303,
    code: async (code) => {
      await browser.get('/login/code');
      return (await browser.post('/login/code', { code })).statusCode === 303;
    },
    recoveryCode: async (code) => {
      await browser.get('/login/recovery');
      return (await browser.post('/login/recovery', { recoveryCode: code })).statusCode === 303;
    },
  };
}

function appDriver(client: IngangAppClient): LoginDriver {
  let challengeId = '';
  return {
    password: async (email, password) => {
      const result = await client.loginWithPassword(email, password, 'Parity phone');
      if (result.ok && 'challengeId' in result.value) challengeId = result.value.challengeId;
      return result.ok;
    },
    code: async (code) => (await client.loginSecondFactor(challengeId, { code })).ok,
    recoveryCode: async (recoveryCode) => (await client.loginSecondFactor(challengeId, { recoveryCode })).ok,
  };
}

interface Prepared {
  email: string;
  password: string;
  authenticator: TestAuthenticator | null;
  recoveryCodes: string[];
}

/** Runs one scenario on one surface, in an organization of its own, and returns the audit rows it left. */
async function run(surface: Surface, options: { totp: boolean }, scenario: (login: LoginDriver, account: Prepared) => Promise<void>) {
  const org = await createTestOrg(t);
  const user = await createActiveAccount(t, org, { email: `parity-${surface}@example.org` });
  const prepared: Prepared = { email: user.email, password: user.password, authenticator: null, recoveryCodes: [] };
  if (options.totp) {
    const setup = await loggedInBrowser(t, org, user);
    const enabled = await enableTotp(t, setup);
    prepared.authenticator = enabled.app;
    prepared.recoveryCodes = enabled.recoveryCodes;
    await setup.post('/logout', {});
  }
  const [marker] = await t.db.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_event WHERE tenant_id = $1', [org.tenantId]);
  const driver = surface === 'web' ? webDriver(new TestBrowser(t.app, hostOf(org))) : appDriver(new IngangAppClient({ baseUrl: `http://${hostOf(org)}`, fetch: injectFetch(t.app) }));
  await scenario(driver, prepared);
  const rows = await t.db.query<{ event: string; outcome: string; details: Record<string, unknown>; actor: string | null; subject: string | null }>(
    'SELECT event, outcome, details, actor_account_id AS actor, subject_account_id AS subject FROM audit_event WHERE tenant_id = $1 AND id > $2 ORDER BY id',
    [org.tenantId, marker!.id],
  );
  return rows
    .filter((row) => row.event !== 'app_device_added')
    .map(({ event, outcome, details, actor, subject }) => {
      const { via, ...rest } = details;
      if (event.startsWith('login_')) assert.equal(via, surface, `${event} says which surface it was`);
      const who = (id: string | null) => (id === null ? 'nobody' : id === user.id ? 'the user' : 'someone else');
      return { event, outcome, details: rest, actor: who(actor), subject: who(subject) };
    });
}

async function bothSurfaces(options: { totp: boolean }, scenario: (login: LoginDriver, account: Prepared) => Promise<void>) {
  const web = await run('web', options, scenario);
  const app = await run('app', options, scenario);
  assert.deepEqual(app, web);
  return web;
}

const events = (rows: { event: string }[]) => rows.map((r) => r.event);

describe('the same login writes the same audit rows on the web and in the app', () => {
  test('success with the password alone', async () => {
    const rows = await bothSurfaces({ totp: false }, async (login, account) => {
      assert.equal(await login.password(account.email, account.password), true);
    });
    assert.deepEqual(rows, [{ event: 'login_succeeded', outcome: 'success', details: { step: 'password' }, actor: 'the user', subject: 'the user' }]);
  });

  test('success with password and authenticator code', async () => {
    const rows = await bothSurfaces({ totp: true }, async (login, account) => {
      assert.equal(await login.password(account.email, account.password), true);
      assert.equal(await login.code(account.authenticator!.code(t)), true);
    });
    assert.deepEqual(events(rows), ['login_succeeded', 'login_succeeded']);
    assert.deepEqual(rows[1]!.details, { step: 'second_factor', method: 'totp' });
  });

  test('a wrong password', async () => {
    const rows = await bothSurfaces({ totp: false }, async (login, account) => {
      assert.equal(await login.password(account.email, 'not the password at all'), false);
    });
    assert.deepEqual(rows, [{ event: 'login_failed', outcome: 'failure', details: { reason: 'wrong_password', failedCount: 1 }, actor: 'nobody', subject: 'the user' }]);
  });

  test('a locked account: five wrong passwords, then even the right one fails', async () => {
    const rows = await bothSurfaces({ totp: false }, async (login, account) => {
      for (let i = 0; i < 5; i++) await login.password(account.email, `wrong password ${i}`);
      assert.equal(await login.password(account.email, account.password), false, 'the right password fails during the delay');
    });
    assert.deepEqual(
      rows.map((r) => r.details.reason),
      ['wrong_password', 'wrong_password', 'wrong_password', 'wrong_password', 'wrong_password', 'locked'],
    );
  });

  test('a throttled network: past 30 failed passwords from one address', async () => {
    const rows = await bothSurfaces({ totp: false }, async (login) => {
      for (let i = 0; i < 31; i++) assert.equal(await login.password(`nobody-${i}@example.org`, 'a guess at something'), false);
    });
    assert.equal(rows.length, 31);
    // The first throttled request of a burst is recorded; the rest are counted (SECURITY 37).
    assert.deepEqual(rows[30], { event: 'login_throttled', outcome: 'failure', details: { scope: 'ip', network: '127.0.0.1', burst: 'started' }, actor: 'nobody', subject: 'nobody' });
  });

  test('a wrong code', async () => {
    const rows = await bothSurfaces({ totp: true }, async (login, account) => {
      await login.password(account.email, account.password);
      assert.equal(await login.code(account.authenticator!.code(t, 10)), false);
    });
    assert.deepEqual(events(rows), ['login_succeeded', 'second_factor_failed']);
    assert.deepEqual(rows[1]!.details, { method: 'totp', failuresInAttempt: 1, failuresInARow: 1, locked: false });
  });

  test('a recovery code', async () => {
    const rows = await bothSurfaces({ totp: true }, async (login, account) => {
      await login.password(account.email, account.password);
      assert.equal(await login.recoveryCode(account.recoveryCodes[0]!), true);
    });
    assert.deepEqual(events(rows), ['login_succeeded', 'recovery_code_used', 'login_succeeded']);
    assert.deepEqual(rows[1]!.details, { remaining: 5 });
    assert.deepEqual(rows[2]!.details, { step: 'second_factor', method: 'recovery' });
  });
});
