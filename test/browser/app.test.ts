// The app, in Chromium plus the client (SPEC 4.7, 5): a client shows the app's QR code on
// /account/app in a real browser; the reference app (tools/app-cli.ts, run in-process) decodes the
// PNG itself, links the device against the listening server, sets a PIN, unlocks and reads /me;
// the "device added" mail arrives over SMTP and /account/devices lists the device until the app's
// "forgot PIN" removes it. Then an account with TOTP links the app by e-mail, password and a code
// computed by otpauth on the real clock.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as OTPAuth from 'otpauth';
import type { Page } from 'playwright-core';
import { qrTokenFromUrl } from '../../src/api/client.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { runAppCli, type LineSource } from '../../tools/app-cli.js';
import { createActiveAccount, createTestOrg } from '../harness.js';
import { decodeQrDataUrl } from '../qr.js';
import { browserSkip, checkAccessibility, navigating, useBrowserServer } from './server.js';

const period = 30_000;
const stepOf = (ms: number) => Math.floor(ms / period);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pin = '27183';

/** The expiry time as /account/app shows it (en-GB, the org's time zone). */
const shownTime = (date: Date) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Amsterdam' }).format(date);

/** Never read: every secret is given as an option, so a prompt would be a bug, not a hang on stdin. */
const noInput: LineSource = {
  read: async (prompt) => {
    throw new Error(`the app asked for input although every option was given: ${prompt}`);
  },
  close: () => undefined,
};

interface CliRun {
  status: number;
  out: string;
  err: string;
}

/** The reference app, in-process, with its real network code (loopback for *.localhost). */
async function app(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runAppCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), input: noInput });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

/** Runs the app and asserts exit 0, showing its output otherwise. */
async function appOk(argv: string[]): Promise<CliRun> {
  const run = await app(argv);
  assert.equal(run.status, 0, `npm run app -- ${argv.join(' ')} exited ${run.status}\nstdout:\n${run.out}\nstderr:\n${run.err}`);
  return run;
}

async function readState(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('browser: the app, linked by QR code and by e-mail', { skip: browserSkip() }, () => {
  const s = useBrowserServer();
  let dir: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingang-app-browser-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Does `click`, waits for the URL (a pathname, or a RegExp on pathname + search) and runs axe. */
  async function follow(page: Page, click: () => Promise<unknown>, path: string | RegExp, label = ''): Promise<void> {
    await click();
    await page.waitForURL((url) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname + url.search)));
    await checkAccessibility(page, label);
  }

  async function logIn(page: Page, org: Organization, email: string, password: string): Promise<void> {
    await page.goto(`${s().origin(org)}/login`);
    await checkAccessibility(page, 'login');
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await follow(page, () => page.getByRole('button', { name: 'Log in' }).click(), '/', 'after login');
  }

  async function openAccount(page: Page): Promise<void> {
    await follow(page, () => page.getByRole('navigation').getByRole('link', { name: 'My account' }).click(), '/account', 'account');
  }

  /** The rows of the "Linked apps" table on /account/devices, or [] when it says "none". */
  async function linkedApps(page: Page): Promise<string[]> {
    const table = page.getByRole('table', { name: 'Linked apps' });
    if ((await table.count()) === 0) {
      await assert.doesNotReject(page.getByRole('main').getByText('Linked apps: none').waitFor());
      return [];
    }
    return (await table.locator('tbody tr td:first-child').allTextContents()).map((name) => name.trim());
  }

  test('QR code in Chromium → the app links, sets a PIN, unlocks, reads /me; the mail arrives; devices list; reset-pin removes it', { timeout: 60_000 }, async (t) => {
    const started = Date.now();
    const server = s();
    const org = await createTestOrg(server.t);
    const origin = server.origin(org);
    const user = await createActiveAccount(server.t, org, { email: `app.${org.slug}@example.org`, name: 'Femke Visser', password: 'pebble orchard 8 swans' });
    const stateFile = join(dir!, `${org.slug}-state.json`);
    const pngPath = join(dir!, `${org.slug}-qr.png`);

    const page = await server.newPage();
    await logIn(page, org, user.email, user.password);
    await openAccount(page);
    await follow(page, () => page.getByRole('main').getByRole('link', { name: 'Link the app' }).click(), '/account/app', 'link the app');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Link the app');
    // The login proved the password moments ago: the QR code is not behind another password.
    assert.equal(await page.getByLabel('Current password').count(), 0, 'no password step-up right after login');
    assert.equal(await page.getByRole('img', { name: 'QR code to link the app to your account' }).count(), 0, 'no QR code before the button');

    const mark = server.smtp.mark();
    const clickedAt = Date.now();
    await navigating(page, () => page.getByRole('button', { name: 'Show QR code for the app' }).click());
    const answeredAt = Date.now();
    await checkAccessibility(page, 'QR code shown');
    assert.equal(new URL(page.url()).pathname, '/account/app');

    // The QR image, as Chromium rendered it under the page's CSP, with the expiry next to it.
    const qr = page.getByRole('img', { name: 'QR code to link the app to your account' });
    const shown = await qr.evaluate((img: HTMLImageElement) => ({ complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, width: img.getAttribute('width') }));
    assert.deepEqual(shown, { complete: true, naturalWidth: 780, naturalHeight: 780, width: '260' }, 'the browser rendered the QR image, drawn at 780 px and shown at 260');
    const status = page.getByRole('status').filter({ has: qr });
    const expiry = ((await status.locator('p').textContent()) ?? '').trim();
    const time = /^This code expires at (.+)\. After that you can show a new one\.$/.exec(expiry)?.[1];
    assert.ok(time, `the expiry text: "${expiry}"`);
    const expected = new Set([shownTime(new Date(clickedAt + 120_000)), shownTime(new Date(answeredAt + 120_000))]);
    assert.ok(expected.has(time), `the code expires 2 minutes after it was shown: "${time}", expected one of ${[...expected].join(' / ')}`);
    await assert.doesNotReject(page.getByRole('button', { name: 'Show a new QR code' }).waitFor(), 'a new code is offered');

    // The image as a PNG file, for the app to scan.
    const src = (await qr.getAttribute('src')) ?? '';
    const prefix = 'data:image/png;base64,';
    assert.ok(src.startsWith(prefix), `a PNG data URL, got ${src.slice(0, 40)}…`);
    await writeFile(pngPath, Buffer.from(src.slice(prefix.length), 'base64'));
    const link = decodeQrDataUrl(src);
    const token = qrTokenFromUrl(link);
    assert.ok(token, `an app login link: ${link}`);
    assert.equal(link, `${origin}/app/login#${token}`, 'the QR code holds https://<org host>/app/login#<token> (http and the port here)');

    // The reference app scans the PNG and links itself to the running server.
    const linked = await appOk(['login-qr', pngPath, '--state', stateFile, '--device-name', 'Test phone']);
    assert.match(linked.out, new RegExp(`^linked to Femke Visser <${user.email.replace(/\./g, '\\.')}> \\(client\\) at ${origin.replace(/\./g, '\\.')}$`, 'm'));
    const afterLogin = await readState(stateFile);
    assert.deepEqual(Object.keys(afterLogin).sort(), ['baseUrl', 'deviceId', 'deviceSecret']);
    assert.equal(afterLogin.baseUrl, origin);
    assert.match(linked.out, new RegExp(`^device ${String(afterLogin.deviceId)}, credentials saved in `, 'm'));
    assert.equal((await stat(stateFile)).mode & 0o777, 0o600, 'the state file is readable by its owner only');

    // The code works once: the same PNG again (another state file) is refused.
    const otherState = join(dir!, `${org.slug}-other.json`);
    const reused = await app(['login-qr', pngPath, '--state', otherState, '--device-name', 'Thief phone']);
    assert.equal(reused.status, 1, `a used QR code is refused:\n${reused.out}\n${reused.err}`);
    assert.match(reused.err, /^error: invalid_token\nThe QR code is valid 2 minutes and works once/);
    await assert.rejects(stat(otherState), { code: 'ENOENT' }, 'nothing stored for a refused code');

    await appOk(['set-pin', '--pin', pin, '--state', stateFile]);
    const unlocked = await appOk(['unlock', '--pin', pin, '--state', stateFile]);
    assert.match(unlocked.out, /^unlocked, access token valid 900 s$/);
    const withToken = await readFile(stateFile, 'utf8');
    assert.ok(!withToken.includes(pin), 'the PIN is never stored');
    assert.ok(!withToken.includes(user.password), 'the password is never stored');
    const me = JSON.parse((await appOk(['me', '--state', stateFile])).out) as Record<string, unknown>;
    assert.deepEqual(me, { id: user.id, name: 'Femke Visser', email: user.email, role: 'client', locale: 'en', organization: { slug: org.slug, name: org.name } });

    // The "device added" mail came over SMTP, naming the device.
    const mail = await server.smtp.waitFor(user.email, /^The app was linked to your account with /, { after: mark });
    assert.match(mail.text, /The app on the device "Test phone" was just linked to your account/);
    assert.ok(mail.text.includes(`${origin}/account/devices`), `the mail links to the devices page:\n${mail.text}`);
    assert.equal(server.smtp.received.filter((m) => m.seq > mark && m.subject.startsWith('The app was linked')).length, 1, 'one device, one mail (the refused reuse added none)');

    // The browser lists the device.
    await follow(page, () => page.getByRole('main').getByRole('link', { name: 'Devices' }).click(), '/account/devices', 'devices');
    assert.deepEqual(await linkedApps(page), ['Test phone']);
    await assert.doesNotReject(page.getByRole('button', { name: 'Remove Test phone' }).waitFor());

    // Forgot the PIN: the app removes the device and forgets its credentials.
    const reset = await appOk(['reset-pin', '--state', stateFile]);
    assert.match(reset.out, /^device removed and its credentials deleted/);
    assert.deepEqual(await readState(stateFile), { baseUrl: origin }, 'no device credentials and no access token left');
    const locked = await app(['unlock', '--pin', pin, '--state', stateFile]);
    assert.equal(locked.status, 1);
    assert.match(locked.err, /^no device linked in /);

    await page.reload();
    await page.waitForURL((url) => url.pathname === '/account/devices');
    await checkAccessibility(page, 'devices after reset-pin');
    assert.deepEqual(await linkedApps(page), [], 'the device is gone from /account/devices');
    t.diagnostic(`QR journey took ${Date.now() - started} ms`);
  });

  test('with TOTP set up in Chromium, the app logs in by e-mail, password and a later code; PIN, unlock, /me', { timeout: 75_000 }, async (t) => {
    const started = Date.now();
    const server = s();
    const org = await createTestOrg(server.t);
    const origin = server.origin(org);
    const user = await createActiveAccount(server.t, org, { email: `totp.${org.slug}@example.org`, name: 'Joost Bakker', password: 'silver canyon 5 herons' });
    const stateFile = join(dir!, `${org.slug}-state.json`);

    // TOTP through the pages: scan the QR code, confirm with the current code, store the recovery codes.
    const page = await server.newPage();
    await logIn(page, org, user.email, user.password);
    await openAccount(page);
    await follow(page, () => page.getByRole('main').getByRole('link', { name: 'Two-step verification' }).click(), '/account/2fa', '2FA settings');
    await follow(page, () => page.getByRole('link', { name: 'Set up two-step verification' }).click(), '/account/2fa/setup', '2FA setup');
    await page.getByRole('group', { name: 'How do you want to receive codes?' }).getByLabel('With an authenticator app (recommended)').check();
    await follow(page, () => page.getByRole('button', { name: 'Continue' }).click(), '/account/2fa/setup/totp', 'TOTP setup');
    const uri = new URL(decodeQrDataUrl((await page.getByRole('img', { name: 'QR code to link your authenticator app' }).getAttribute('src')) ?? ''));
    const secret = uri.searchParams.get('secret') ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/, `the otpauth URI holds the secret: ${uri.href}`);
    const authenticator = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    const setupAt = Date.now();
    const usedStep = stepOf(setupAt);
    await page.getByLabel('Code', { exact: true }).fill(authenticator.generate({ timestamp: setupAt }));
    await follow(page, () => page.getByRole('button', { name: 'Confirm' }).click(), '/account/2fa/recovery-codes', 'recovery codes');
    await page.getByLabel('I have stored my recovery codes safely').check();
    await follow(page, () => page.getByRole('button', { name: 'Continue' }).click(), /^\/account\/2fa\?done=on$/, '2FA on');

    const base = ['--base-url', `http://${org.slug}.localhost:${server.port}`, '--email', user.email, '--password', user.password];
    // The code that confirmed the setup is refused: each time step works once, in the app too.
    const replayed = await app(['login-email', ...base, '--code', authenticator.generate({ timestamp: usedStep * period }), '--state', stateFile]);
    assert.equal(replayed.status, 1, `the setup code is not accepted again:\n${replayed.out}\n${replayed.err}`);
    assert.match(replayed.err, /^error: invalid_code$/);
    await assert.rejects(stat(stateFile), { code: 'ENOENT' }, 'no device without the second factor');

    // Wait (≤ 31 s) for a later time step; its code, from otpauth on the real clock, links the app.
    const waitStarted = Date.now();
    while (stepOf(Date.now()) <= usedStep) await sleep(100);
    const waited = Date.now() - waitStarted;
    assert.ok(waited <= 31_000, `waited ${waited} ms for the next step`);
    t.diagnostic(`waited ${waited} ms for the next 30-second step`);
    const mark = server.smtp.mark();
    const now = Date.now();
    const code = authenticator.generate({ timestamp: now });
    assert.ok(stepOf(now) > usedStep);
    const linked = await appOk(['login-email', ...base, '--code', code, '--state', stateFile]);
    assert.match(linked.out, new RegExp(`^linked to Joost Bakker <${user.email.replace(/\./g, '\\.')}> \\(client\\) at ${origin.replace(/\./g, '\\.')}$`, 'm'));
    assert.deepEqual(Object.keys(await readState(stateFile)).sort(), ['baseUrl', 'deviceId', 'deviceSecret']);

    await appOk(['set-pin', '--pin', pin, '--state', stateFile]);
    await appOk(['unlock', '--pin', pin, '--state', stateFile]);
    const me = JSON.parse((await appOk(['me', '--state', stateFile])).out) as { email: string; organization: { slug: string } };
    assert.equal(me.email, user.email);
    assert.equal(me.organization.slug, org.slug);

    const mail = await server.smtp.waitFor(user.email, /^The app was linked to your account with /, { after: mark });
    assert.match(mail.text, /The app on the device "Ingang reference app" was just linked/);
    await page.goto(`${origin}/account/devices`);
    await checkAccessibility(page, 'devices after the e-mail login');
    assert.deepEqual(await linkedApps(page), ['Ingang reference app']);
    t.diagnostic(`e-mail + TOTP journey took ${Date.now() - started} ms`);
  });
});
