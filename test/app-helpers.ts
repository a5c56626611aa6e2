import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { IngangAppClient, qrTokenFromUrl } from '../src/api/client.js';
import type { Organization } from '../src/tenants/organizations.js';
import { hostOf, loggedInBrowser, type TestApp } from './harness.js';
import { injectFetch } from './inject-fetch.js';
import type { TestBrowser } from './browser-client.js';
import { decodeQrDataUrl, qrImageIn } from './qr.js';

/** 22 random base64url characters: one part of a token, challenge or device secret that was never issued. */
export const randomId = () => randomBytes(16).toString('base64url').slice(0, 22);

/** The typed app client (src/api/client.ts) on this org's host, through app.inject; optionally from one client address. */
export function appClient(t: TestApp, org: Organization, remoteAddress?: string): IngangAppClient {
  return new IngangAppClient({ baseUrl: `http://${hostOf(org)}`, fetch: injectFetch(t.app, { remoteAddress }) });
}

/** Logs in on the web and shows the QR code; returns the token the QR code holds. */
export async function qrTokenFor(t: TestApp, org: Organization, account: { email: string; password: string }): Promise<string> {
  return (await qrCodeShown(t, org, account)).token;
}

/** The same, with the browser session that showed the code. */
export async function qrCodeShown(t: TestApp, org: Organization, account: { email: string; password: string }): Promise<{ token: string; browser: TestBrowser }> {
  const browser = await loggedInBrowser(t, org, account);
  await browser.get('/account/app');
  const page = await browser.post('/account/app', {});
  assert.equal(page.statusCode, 200, page.body.slice(0, 300));
  assert.match(page.body, /expires at/);
  // The page shows only the image: the test reads it the way the app does, by decoding the QR code.
  const url = new URL(decodeQrDataUrl(qrImageIn(page.body)));
  assert.equal(`${url.origin}${url.pathname}`, `http://${hostOf(org)}:3000/app/login`);
  return { token: qrTokenFromUrl(url.href)!, browser };
}

/** An app device of this account, linked with e-mail and password (no 2FA), with its PIN set. */
export async function deviceWithPin(t: TestApp, org: Organization, account: { email: string; password: string }, pin = '27183') {
  const app = appClient(t, org);
  const login = await app.loginWithPassword(account.email, account.password, 'Test phone');
  assert.ok(login.ok && 'deviceId' in login.value, JSON.stringify(login));
  const { deviceId, deviceSecret } = login.value as { deviceId: string; deviceSecret: string };
  assert.equal((await app.setPin(deviceId, deviceSecret, pin)).status, 204);
  return { app, deviceId, deviceSecret, pin };
}
