// Passkeys in a real browser (SPEC 11): Chromium's virtual authenticator (the DevTools protocol's
// WebAuthn domain) makes a passkey on /account/passkeys after the password, logs in with it alone
// on /login, cannot use it at another organization nor from a clone whose counter went back, and
// removes it; as the required second step it is set up,
// asked after the password and proves a step-up; an authenticator that cannot verify its user makes
// none.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { listAuditEvents } from '../../src/audit/audit.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { createActiveAccount, createTestOrg } from '../harness.js';
import { browserSkip, checkAccessibility, useBrowserServer } from './server.js';

describe('browser: passkeys (SPEC 11)', { skip: browserSkip() }, () => {
  const s = useBrowserServer();

  /** A platform authenticator with user verification (or without), present at once. */
  async function virtualAuthenticator(page: Page, userVerified = true) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: userVerified, automaticPresenceSimulation: true },
    });
    return { cdp, authenticatorId };
  }

  async function logIn(page: Page, org: Organization, email: string, password: string, next = '/') {
    await page.goto(`${s().origin(org)}/login`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === next);
  }

  async function addPasskey(page: Page, org: Organization, password: string, open = true) {
    if (open) await page.goto(`${s().origin(org)}/account/passkeys`);
    await checkAccessibility(page, 'passkeys');
    await page.getByLabel('Name of the passkey').fill('Test laptop');
    await page.getByLabel('Current password').fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/account/passkeys/new');
    await checkAccessibility(page, 'passkey ceremony');
    await page.getByRole('button', { name: 'Make the passkey' }).click();
  }

  test('a passkey made after the password logs in on its own; it is of no use at another organization', async () => {
    const org = await createTestOrg(s().t);
    const other = await createTestOrg(s().t);
    const user = await createActiveAccount(s().t, org, { name: 'Sanne Bakker' });
    const page = await s().newPage();
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    await logIn(page, org, user.email, user.password);
    await addPasskey(page, org, user.password);
    await page.waitForURL((url) => url.pathname === '/account/passkeys' && url.search === '?added=1');
    await checkAccessibility(page, 'passkey added');
    assert.match((await page.locator('ul.passkeys').textContent()) ?? '', /Test laptop/);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]!.isResidentCredential, true, 'a discoverable credential');
    assert.equal(credentials[0]!.rpId, new URL(s().origin(org)).hostname, 'bound to the organization’s host');

    // The virtual authenticator answers at once, also the login page's autofill request: it waits
    // for a touch while the page is checked, as a person would take a moment.
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
    await page.getByRole('navigation').getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await checkAccessibility(page, 'login with the passkey offered');
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.match((await page.locator('main').textContent()) ?? '', /Sanne Bakker/);
    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.ok(after.credentials[0]!.signCount >= 1, 'the counter grew');

    // At another organization the browser has no passkey for that host: nothing logs in.
    await page.goto(`${s().origin(other)}/login`);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText('That did not work. Try again, or log in with your password.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');

    // A clone of the authenticator whose counter went back (its key copied at an older count): refused.
    const [credential] = after.credentials;
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    const clone = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: false },
    });
    await cdp.send('WebAuthn.addCredential', { authenticatorId: clone.authenticatorId, credential: { ...credential!, signCount: 0 } });
    await page.goto(`${s().origin(org)}/`);
    await page.getByRole('navigation').getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    // Where a passkey was just refused the page asks no autofill: only the button asks the clone.
    await page.goto(`${s().origin(org)}/login?passkeyRefused=1`);
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: clone.authenticatorId, enabled: true });
    const refusedBefore = (await listAuditEvents(s().t.deps.db, { tenantId: org.tenantId, event: 'passkey_refused', limit: 50 })).length;
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    let refusals: unknown[] = [];
    for (let i = 0; i < 50 && refusals.length <= refusedBefore; i++) {
      await page.waitForTimeout(100);
      refusals = (await listAuditEvents(s().t.deps.db, { tenantId: org.tenantId, event: 'passkey_refused', limit: 50 })).map((row) => row.details.reason);
    }
    await page.waitForLoadState('load');
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: clone.authenticatorId });
    assert.equal(refusals[0], 'counter_not_grown', JSON.stringify(refusals));
    assert.equal(new URL(page.url()).searchParams.get('passkeyRefused'), '1');
    await checkAccessibility(page, 'passkey refused');

    // Removed after the password, the passkey logs nobody in.
    await logIn(page, org, user.email, user.password);
    await page.goto(`${s().origin(org)}/account/passkeys`);
    await page.getByRole('link', { name: 'Remove Test laptop' }).click();
    await checkAccessibility(page, 'remove a passkey');
    await page.getByLabel('Current password').fill(user.password);
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/account/passkeys' && url.search === '?removed=1');
    assert.match((await page.locator('main').textContent()) ?? '', /You have no passkeys yet/);
  });

  test('the required second step: set up as a passkey, asked after the password, and a step-up proven with it', async () => {
    const org = await createTestOrg(s().t, { policy: { twoFactorClients: 'required' } });
    const user = await createActiveAccount(s().t, org, { name: 'Noor de Vries' });
    const page = await s().newPage();
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    await logIn(page, org, user.email, user.password, '/account/2fa/setup');
    await checkAccessibility(page, 'forced setup with a passkey offered');
    await page.getByRole('link', { name: 'Add a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/account/passkeys');
    await addPasskey(page, org, user.password, false);
    await page.waitForURL((url) => url.pathname === '/account/2fa/recovery-codes');
    await checkAccessibility(page, 'recovery codes of the passkey');
    await page.getByLabel('I have stored my recovery codes safely').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/account/2fa' && url.search === '?done=on');
    await checkAccessibility(page, 'two-step verification on with a passkey');

    // No touch while the login page's autofill asks: the password is typed this time.
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
    await page.getByRole('navigation').getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await logIn(page, org, user.email, user.password, '/login/code');
    await checkAccessibility(page, 'code step that asks the passkey');
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.match((await page.locator('main').textContent()) ?? '', /Noor de Vries/);

    await page.goto(`${s().origin(org)}/account/password`);
    await checkAccessibility(page, 'password change offering the passkey');
    const fresh = 'een nieuwe lange zin voor 2027';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill(fresh);
    await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/account' && url.search === '?passwordChanged=1');
    await checkAccessibility(page, 'password changed by passkey');
  });

  test('an authenticator that cannot verify its user makes no passkey', async () => {
    const org = await createTestOrg(s().t);
    const user = await createActiveAccount(s().t, org);
    const page = await s().newPage();
    const { cdp, authenticatorId } = await virtualAuthenticator(page, false);
    await logIn(page, org, user.email, user.password);
    await addPasskey(page, org, user.password);
    await page.getByText('The passkey was not made. Please try again.').waitFor();
    assert.equal((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length, 0);
    await page.goto(`${s().origin(org)}/account/passkeys`);
    assert.match((await page.locator('main').textContent()) ?? '', /You have no passkeys yet/);
  });
});
