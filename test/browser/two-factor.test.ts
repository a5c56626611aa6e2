// Two-step verification in a real browser (SPEC 4.3, 4.5, 4.6): TOTP set up by decoding the QR
// code the page shows and computing codes with an independent implementation (otpauth) on the
// real clock; login with a recovery code; a helpdesk reset where the org requires 2FA.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import type { Page } from 'playwright-core';
import type { Organization } from '../../src/tenants/organizations.js';
import { createActiveAccount, createTestOrg } from '../harness.js';
import { decodeQrDataUrl } from '../qr.js';
import { browserSkip, checkAccessibility, navigating, useBrowserServer } from './server.js';

const period = 30_000;
const stepOf = (ms: number) => Math.floor(ms / period);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An authenticator app: otpauth, independent of the server's TOTP code, on the real clock. */
function authenticator(secretBase32: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: 30 });
}

interface TotpSetUp {
  secret: string;
  recoveryCodes: string[];
  /** The 30-second step whose code confirmed the setup: the server accepts it only once. */
  usedStep: number;
}

describe('browser: two-step verification', { skip: browserSkip() }, () => {
  const s = useBrowserServer();

  /** Does `click`, waits for the URL (a pathname, or a RegExp on pathname + search) and runs axe. */
  async function follow(page: Page, click: () => Promise<unknown>, path: string | RegExp, label = ''): Promise<void> {
    await click();
    await page.waitForURL((url) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname + url.search)));
    await checkAccessibility(page, label);
  }

  async function logIn(page: Page, org: Organization, email: string, password: string, landing: string | RegExp): Promise<void> {
    await page.goto(`${s().origin(org)}/login`);
    await checkAccessibility(page, 'login');
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await follow(page, () => page.getByRole('button', { name: 'Log in' }).click(), landing, 'after the password');
  }

  async function logOut(page: Page): Promise<void> {
    await follow(page, () => page.getByRole('navigation').getByRole('button', { name: 'Log out' }).click(), '/login', 'logged out');
    await assert.doesNotReject(page.getByRole('status').getByText('You have been logged out.').waitFor());
  }

  /**
   * From the setup page (/account/2fa/setup): chooses the app, scans the QR code, checks the
   * otpauth URI against the secret shown as text, confirms with a code, reads and stores the
   * recovery codes. Ends on /account/2fa?done=on.
   */
  async function setUpTotp(page: Page, org: Organization, email: string): Promise<TotpSetUp> {
    await page.getByRole('group', { name: 'How do you want to receive codes?' }).getByLabel('With an authenticator app (recommended)').check();
    // The session proved the password at login, less than 10 minutes ago: it is not asked again.
    assert.equal(await page.getByLabel('Current password').count(), 0, 'no password step-up right after login');
    await follow(page, () => page.getByRole('button', { name: 'Continue' }).click(), '/account/2fa/setup/totp', 'TOTP setup');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Link your authenticator app');

    // The QR code, as the browser got it (and could show it under the page's CSP).
    const qr = page.getByRole('img', { name: 'QR code to link your authenticator app' });
    assert.equal(await qr.evaluate((img) => img.className), 'qr');
    const shown = await qr.evaluate((img: HTMLImageElement) => ({ complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, width: img.getAttribute('width') }));
    assert.deepEqual(shown, { complete: true, naturalWidth: 720, naturalHeight: 720, width: '240' }, 'the browser rendered the QR image, drawn at 720 px and shown at 240');
    const uri = decodeQrDataUrl((await qr.getAttribute('src')) ?? '');

    // The same secret as text, grouped by four for typing.
    const secretText = (await page.locator('code.secret').textContent()) ?? '';
    assert.match(secretText, /^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/, `the secret shown as text: "${secretText}"`);
    const secret = secretText.replace(/ /g, '');
    assert.equal(secret.length, 32, '32 base32 characters');
    assert.equal(Buffer.from(OTPAuth.Secret.fromBase32(secret).bytes).length * 8, 160, 'the secret is 160 bits');
    const name = encodeURIComponent(org.name);
    assert.equal(uri, `otpauth://totp/${name}:${encodeURIComponent(email)}?secret=${secret}&issuer=${name}&algorithm=SHA1&digits=6&period=30`);

    // Confirm with the app's current code (the server runs on the real clock).
    const now = Date.now();
    const code = authenticator(secret).generate({ timestamp: now });
    await page.getByLabel('Code', { exact: true }).fill(code);
    await follow(page, () => page.getByRole('button', { name: 'Confirm' }).click(), '/account/2fa/recovery-codes', 'recovery codes');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Store your recovery codes');

    // Six codes, grouped, shown once; a download and a print button.
    const recoveryCodes = (await page.locator('ol.recovery-codes li').allTextContents()).map((c) => c.trim());
    assert.equal(recoveryCodes.length, 6, `six recovery codes: ${recoveryCodes.join(', ')}`);
    for (const c of recoveryCodes) assert.match(c, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/, `recovery code ${c} is grouped XXXX-XXXX-XXXX-XXXX`);
    assert.equal(new Set(recoveryCodes).size, 6, 'the recovery codes differ');

    const download = page.getByRole('link', { name: 'Download as a text file' });
    assert.equal(await download.getAttribute('download'), `recovery-codes-${org.slug}.txt`);
    assert.match((await download.getAttribute('href')) ?? '', /^data:text\/plain;charset=utf-8,/);
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    assert.equal(file.suggestedFilename(), `recovery-codes-${org.slug}.txt`);
    const saved = await readFile(await file.path(), 'utf8');
    for (const c of recoveryCodes) assert.ok(saved.includes(c), `the downloaded file holds ${c}:\n${saved}`);
    assert.ok(saved.includes(email), 'the downloaded file names the account');

    // The print button works under the CSP (print.js, no inline handler); the dialog itself is
    // replaced, as headless Chromium has none to show.
    const print = page.getByRole('button', { name: 'Print' });
    assert.ok(await print.isVisible(), 'print.js shows the button it makes work (it comes hidden, for pages without JavaScript)');
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed++;
      };
    });
    await print.click();
    assert.equal(await page.evaluate(() => (window as unknown as { printed: number }).printed), 1, 'the Print button opens the print dialog');

    await page.getByLabel('I have stored my recovery codes safely').check();
    await follow(page, () => page.getByRole('button', { name: 'Continue' }).click(), /^\/account\/2fa\?done=on$/, '2FA on');
    await assert.doesNotReject(page.getByRole('status').getByText('Two-step verification is on.').waitFor());
    await assert.doesNotReject(page.getByRole('main').getByText('Two-step verification is on, with an authenticator app.').waitFor());
    await assert.doesNotReject(page.getByRole('main').getByText('You have 6 unused recovery codes.').waitFor());
    return { secret, recoveryCodes, usedStep: stepOf(now) };
  }

  /** From a logged-in page: My account → Two-step verification → Set up two-step verification. */
  async function openSetup(page: Page): Promise<void> {
    await follow(page, () => page.getByRole('navigation').getByRole('link', { name: 'My account' }).click(), '/account', 'account');
    await follow(page, () => page.getByRole('main').getByRole('link', { name: 'Two-step verification' }).click(), '/account/2fa', '2FA settings');
    await assert.doesNotReject(page.getByRole('main').getByText('Two-step verification is off.').waitFor());
    await follow(page, () => page.getByRole('link', { name: 'Set up two-step verification' }).click(), '/account/2fa/setup', '2FA setup');
  }

  test('TOTP: set up by scanning the QR code, then log in with password and a later code', { timeout: 90_000 }, async (t) => {
    const server = s();
    // Characters that must be percent-encoded in the otpauth URI: spaces, "&", "é", "+", "@".
    const org = await createTestOrg(server.t, { name: `Huisartsen Noord & Zuid é ${Math.random().toString(36).slice(2, 6)}` });
    const user = await createActiveAccount(server.t, org, { email: `Anna+2fa.${org.slug}@Example.org`, name: 'Anna Jansen', password: 'amber kettle sings 4 owls' });

    const page = await server.newPage();
    await logIn(page, org, user.email, user.password, '/');
    await openSetup(page);
    const { secret, usedStep } = await setUpTotp(page, org, user.email);
    const app = authenticator(secret);

    // The mail about 2FA being turned on came over SMTP.
    await server.smtp.waitFor(user.email, /Two-step verification is on/);

    await logOut(page);
    await logIn(page, org, user.email, user.password, '/login/code');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Enter your code');
    await page.goto(`${server.origin(org)}/account`);
    assert.equal(new URL(page.url()).pathname, '/login/code', 'the password alone grants nothing');
    await checkAccessibility(page, 'code step after trying /account');

    // The code that confirmed the setup is refused now: each time step works once.
    const replayed = app.generate({ timestamp: usedStep * period });
    await page.getByLabel('Code', { exact: true }).fill(replayed);
    await navigating(page, () => page.getByRole('button', { name: 'Confirm' }).click());
    await checkAccessibility(page, 'code refused');
    assert.equal(new URL(page.url()).pathname, '/login/code');
    assert.match(await page.title(), /^Error: /);
    const codeField = page.locator('#code');
    assert.equal(await codeField.getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#code-error').textContent()) ?? '', /not right or was already used/);

    // Wait (≤ 30 s) for the next time step, then the app's new code logs in.
    const waitStarted = Date.now();
    while (stepOf(Date.now()) <= usedStep) await sleep(100);
    const waited = Date.now() - waitStarted;
    assert.ok(waited <= 31_000, `waited ${waited} ms for the next step`);
    t.diagnostic(`waited ${waited} ms for the next 30-second step`);
    const next = app.generate({ timestamp: Date.now() });
    assert.notEqual(next, replayed);
    await page.getByLabel('Code', { exact: true }).fill(next);
    await follow(page, () => page.getByRole('button', { name: 'Confirm' }).click(), '/', 'logged in with a code');
    await assert.doesNotReject(page.getByRole('main').getByText(`You are logged in as Anna Jansen`).waitFor());
    await follow(page, () => page.getByRole('navigation').getByRole('link', { name: 'My account' }).click(), '/account', 'account after code login');
  });

  test('a recovery code, typed in lower case without dashes, logs in and tells how many are left', { timeout: 60_000 }, async () => {
    const server = s();
    const org = await createTestOrg(server.t);
    const user = await createActiveAccount(server.t, org, { name: 'Bram de Boer' });
    const mark = server.smtp.mark();

    const page = await server.newPage();
    await logIn(page, org, user.email, user.password, '/');
    await openSetup(page);
    const { recoveryCodes } = await setUpTotp(page, org, user.email);
    await logOut(page);

    await logIn(page, org, user.email, user.password, '/login/code');
    await follow(page, () => page.getByRole('link', { name: 'Use a recovery code' }).click(), '/login/recovery', 'recovery code step');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Log in with a recovery code');
    const typed = recoveryCodes[3]!.toLowerCase().replace(/-/g, '');
    await page.getByLabel('Recovery code').fill(typed);
    await follow(page, () => page.getByRole('main').getByRole('button', { name: 'Log in' }).click(), /^\/account\/2fa\?done=recovery$/, 'after a recovery code');
    await assert.doesNotReject(page.getByRole('status').getByText(/You have 5 left/).waitFor());
    await assert.doesNotReject(page.getByRole('main').getByText('You have 5 unused recovery codes.').waitFor());

    const mail = await server.smtp.waitFor(user.email, /A recovery code was used/, { after: mark });
    assert.match(mail.text, /\b5\b/, `the mail says how many are left:\n${mail.text}`);
  });

  test('where 2FA is required: forced setup, a helpdesk reset logs the client out, setup is forced again', { timeout: 60_000 }, async () => {
    const server = s();
    const org = await createTestOrg(server.t, { policy: { twoFactorClients: 'required' } });
    const client = await createActiveAccount(server.t, org, { name: 'Cees Lost-Phone', password: 'violet harbour 9 cranes' });
    const helpdesk = await createActiveAccount(server.t, org, { role: 'helpdesk', name: 'Hanna Helpdesk', password: 'copper meadow 3 foxes' });

    // The client must set up 2FA before anything else.
    const clientPage = await server.newPage();
    await logIn(clientPage, org, client.email, client.password, '/account/2fa/setup');
    await assert.doesNotReject(clientPage.getByRole('main').getByText(`${org.name} asks you to set up two-step verification before you continue.`).waitFor());
    await clientPage.goto(`${server.origin(org)}/account`);
    assert.equal(new URL(clientPage.url()).pathname, '/account/2fa/setup', 'nothing else before the setup');
    await checkAccessibility(clientPage, 'forced setup');
    await setUpTotp(clientPage, org, client.email);
    await assert.doesNotReject(clientPage.getByRole('main').getByText('Your organization requires two-step verification; you cannot turn it off.').waitFor());

    // A helpdesk member, in a browser of their own, resets it.
    const staff = await server.newPage();
    await logIn(staff, org, helpdesk.email, helpdesk.password, '/');
    await follow(staff, () => staff.getByRole('navigation').getByRole('link', { name: 'Manage accounts' }).click(), '/staff/accounts', 'staff accounts');
    await follow(staff, () => staff.getByRole('row').filter({ hasText: client.email }).getByRole('link', { name: client.name }).click(), `/staff/accounts/${client.id}`, 'client account');
    await assert.doesNotReject(staff.getByRole('main').getByText('on (app)').waitFor());
    assert.doesNotMatch(await staff.content(), /[A-Z2-7]{32}/, 'staff never see a secret');

    const mark = server.smtp.mark();
    // The reset stands apart, with its own reason and a box to tick (issue 12 stumble 6).
    const resetForm = staff.getByRole('form', { name: 'Reset two-step verification' });
    const reset = resetForm.getByRole('button', { name: 'Reset two-step verification' });
    // Without a reason and the tick nothing happens; the summary names both, in that order.
    await navigating(staff, () => reset.click());
    await checkAccessibility(staff, 'reset without a reason');
    assert.match(await staff.title(), /^Error: /);
    assert.match((await staff.locator('#reason-reset_two_factor-error').textContent()) ?? '', /Enter a reason/);
    assert.deepEqual(await staff.locator('#error-summary li').allTextContents(), ['Enter a reason.', 'Tick the box to confirm you are sure.']);
    await resetForm.getByLabel('Reason (recorded in the audit log)').fill('Phone lost; identity checked by a call back');
    await resetForm.getByLabel("Yes, reset this account's two-step verification").check();
    await follow(staff, () => reset.click(), new RegExp(`^/staff/accounts/${client.id}\\?done=reset_two_factor$`), 'after the reset');
    await assert.doesNotReject(staff.getByRole('status').getByText(/Two-step verification was reset/).waitFor());
    await assert.doesNotReject(staff.getByRole('main').getByText('off', { exact: true }).waitFor());
    assert.equal(await staff.getByRole('button', { name: 'Reset two-step verification' }).count(), 0, 'nothing left to reset');

    // The client's session is gone: a reload lands on the login page.
    await clientPage.reload();
    await clientPage.waitForURL((url) => url.pathname === '/login');
    await checkAccessibility(clientPage, 'client after the reset');
    await server.smtp.waitFor(client.email, /two-step verification .* was reset/, { after: mark });

    // Logging in again with the password: the setup is forced again.
    await clientPage.getByLabel('E-mail address').fill(client.email);
    await clientPage.getByLabel('Password', { exact: true }).fill(client.password);
    await follow(clientPage, () => clientPage.getByRole('button', { name: 'Log in' }).click(), '/account/2fa/setup', 'forced setup again');
    await assert.doesNotReject(clientPage.getByRole('main').getByText(`${org.name} asks you to set up two-step verification before you continue.`).waitFor());
  });
});
