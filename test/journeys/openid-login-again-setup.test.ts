/**
 * Attack review 2 (fixed): an application asks `prompt=login` (or `max_age`) together with
 * `acr_values=urn:ingang:acr:2fa` of an account without a second factor. The setup lead won
 * over the login asked again; the setup asks no password while the last one is under 10 minutes
 * old, and its own code made the proof fresh: someone at the user's unlocked browser got the
 * application a "fresh login with two steps" without the password. Now the password comes first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { followToCallback, followToPage, insecure, issuerOf, port, publicClient, redirectUri, t } from '../openid-helpers.js';
import { TestAuthenticator } from '../two-factor-helpers.js';

describe('SPEC 10 attacked: prompt=login skipped through the 2FA setup lead', () => {
  for (const extra of [{ prompt: 'login' }, { max_age: '60' }] as Record<string, string>[]) {
    test(`${JSON.stringify(extra)} with acr 2fa asks the password again before anything else`, async () => {
      const org = await createTestOrg(t);
      const user = await createActiveAccount(t, org);
      const config = await oidc.discovery(new URL(issuerOf(org)), await publicClient(org), undefined, oidc.None(), insecure);
      const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
      await browser.login(user.email, user.password);
      const passwordAt = Math.floor(t.clock.now().getTime() / 1000);
      // Five minutes later the user has stepped away; someone else is at the browser.
      t.clock.advanceMinutes(5);
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', acr_values: 'urn:ingang:acr:2fa', ...extra });
      const { page, path } = await followToPage(org, browser, url);
      let passwordAsked = /name="password"/.test(page.body);
      if (path === '/account/2fa/setup') {
        passwordAsked ||= /name="password"/.test(page.body);
        const returnTo = /name="returnTo" value="([^"]+)"/.exec(page.body)![1]!;
        const chosen = await browser.post('/account/2fa/setup', { method: 'totp', returnTo });
        const totpPage = await browser.get(String(chosen.headers.location));
        passwordAsked ||= /name="password"/.test(totpPage.body);
        const app = new TestAuthenticator(/<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(totpPage.body)![1]!.replace(/ /g, ''));
        const confirmed = await browser.post('/account/2fa/setup/totp', { code: app.code(t), returnTo });
        await browser.get(String(confirmed.headers.location));
        const stored = await browser.post('/account/2fa/recovery-codes', { stored: 'yes', returnTo });
        const back = await followToCallback(org, browser, String(stored.headers.location));
        const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier });
        const claims = tokens.claims()!;
        assert.ok(passwordAsked, `the application asked ${JSON.stringify(extra)} and got acr ${String(claims.acr)} with auth_time ${Number(claims.auth_time) - passwordAt} s after the last password, which was never asked again`);
      } else {
        assert.ok(passwordAsked, `${path}: the password is asked again`);
      }
    });
  }
});
