import * as OTPAuth from 'otpauth';
import assert from 'node:assert/strict';
import type { Account } from '../src/accounts/accounts.js';
import type { Organization } from '../src/tenants/organizations.js';
import type { TestBrowser } from './browser-client.js';
import { createActiveAccount, createTestOrg, loggedInBrowser, type TestApp } from './harness.js';

/** An authenticator app for tests: an independent TOTP implementation (otpauth) on the page's secret. */
export class TestAuthenticator {
  private readonly totp: OTPAuth.TOTP;
  constructor(secretBase32: string) {
    this.totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: 30 });
  }
  /** The code at the test clock's time, optionally some 30-second steps away. */
  code(t: TestApp, stepOffset = 0): string {
    return this.totp.generate({ timestamp: t.clock.now().getTime() + stepOffset * 30_000 });
  }
}

/** Sets up TOTP through the pages (password fresh from login) and confirms the recovery codes. */
export async function enableTotp(t: TestApp, browser: TestBrowser, replacing: Record<string, string> = {}): Promise<{ app: TestAuthenticator; recoveryCodes: string[] }> {
  await browser.get('/account/2fa/setup');
  // `replacing`: the password and a code of the factor in force, which a replacement asks (SECURITY 41).
  const chosen = await browser.post('/account/2fa/setup', { method: 'totp', phone: '', ...replacing });
  assert.equal(chosen.statusCode, 303, chosen.body.slice(0, 500));
  const page = await browser.get('/account/2fa/setup/totp');
  const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1]?.replace(/ /g, '');
  assert.ok(secret, 'the secret is shown as text');
  const app = new TestAuthenticator(secret);
  const confirmed = await browser.post('/account/2fa/setup/totp', { code: app.code(t) });
  assert.equal(confirmed.headers.location, '/account/2fa/recovery-codes', confirmed.body.slice(0, 800));
  const codesPage = await browser.get('/account/2fa/recovery-codes');
  const recoveryCodes = [...codesPage.body.matchAll(/<li><code>([0-9A-Z-]{19})<\/code><\/li>/g)].map((m) => m[1]!);
  assert.equal(recoveryCodes.length, 6);
  assert.equal((await browser.post('/account/2fa/recovery-codes', { stored: 'yes' })).statusCode, 303);
  // The next code must be a later time step: each step works once.
  t.clock.advanceSeconds(30);
  return { app, recoveryCodes };
}

/**
 * Sets up SMS on `phone` through the pages (password fresh from login): the code sent to the
 * number confirms it, then the recovery codes are confirmed. `phone` may be written with spaces;
 * returns the recovery codes.
 */
export async function enableSms(t: TestApp, browser: TestBrowser, phone: string, sentTo = phone.replace(/ /g, '')): Promise<string[]> {
  await browser.get('/account/2fa/setup');
  const chosen = await browser.post('/account/2fa/setup', { method: 'sms', phone });
  assert.equal(chosen.headers.location, '/account/2fa/setup/sms', `SMS setup starts: ${chosen.body.slice(0, 300)}`);
  await browser.get('/account/2fa/setup/sms');
  const confirmed = await browser.post('/account/2fa/setup/sms', { code: t.sms.lastCode(sentTo) });
  assert.equal(confirmed.headers.location, '/account/2fa/recovery-codes', 'the setup code confirms the number');
  const page = await browser.get('/account/2fa/recovery-codes');
  await browser.post('/account/2fa/recovery-codes', { stored: 'yes' });
  const codes = [...page.body.matchAll(/<li><code>([0-9A-Z-]{19})<\/code><\/li>/g)].map((m) => m[1]!);
  assert.equal(codes.length, 6, 'six recovery codes are shown');
  return codes;
}

/** The number the SMS journeys set up, as it is stored and sent to. */
export const smsPhone = '+31612345678';

/**
 * SMS set up on `smsPhone` the way the SMS journeys start: a landline is refused first (SECURITY
 * 36), then the mobile number is given in the national format, with spaces. Returns the recovery codes.
 */
export async function enableSmsAfterLandline(t: TestApp, browser: TestBrowser): Promise<string[]> {
  await browser.get('/account/2fa/setup');
  const bad = await browser.post('/account/2fa/setup', { method: 'sms', phone: '020 123 4567' });
  assert.match(bad.body, /mobile numbers only/, 'a landline is refused');
  return enableSms(t, browser, '06 1234 5678', smsPhone);
}

/** A client of a new org with SMS set up on `smsPhone`, a minute later (so a new code may be sent). */
export async function accountWithSms(t: TestApp): Promise<{ org: Organization; user: Account & { password: string } }> {
  const org = await createTestOrg(t);
  const user = await createActiveAccount(t, org);
  await enableSmsAfterLandline(t, await loggedInBrowser(t, org, user));
  t.clock.advanceSeconds(61);
  return { org, user };
}
