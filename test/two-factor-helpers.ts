import * as OTPAuth from 'otpauth';
import assert from 'node:assert/strict';
import type { TestBrowser } from './browser-client.js';
import type { TestApp } from './harness.js';

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
export async function enableTotp(t: TestApp, browser: TestBrowser): Promise<{ app: TestAuthenticator; recoveryCodes: string[] }> {
  await browser.get('/account/2fa/setup');
  const chosen = await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
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
