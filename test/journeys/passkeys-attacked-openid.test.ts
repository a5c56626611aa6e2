/**
 * Attack review 3 (SPEC 10, 11): after a passkey login, a login asked again (`prompt=login`)
 * that proved only the password must not be reported as a fresh two-step login with a code.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, followToPage, insecure, issuerOf, nextHop, port, publicClient, redirectUri, t } from '../openid-helpers.js';
import { SoftAuthenticator } from '../passkey-authenticator.js';
import { passkeyLoginStep, startAdding } from '../passkey-helpers.js';

describe('SPEC 11 attacked: OpenID proofs after a passkey login', () => {
  test('prompt=login + acr_values 2fa answered with the password alone after a passkey login: no acr 2fa, no amr otp (the setup is asked first)', async () => {
    const org = await createTestOrg(t);
    // A passkey user without an authenticator app or SMS (the org's default policy: optional).
    const account = await createActiveAccount(t, org);
    const key = new SoftAuthenticator();
    const setup = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await setup.login(account.email, account.password);
    const regOptions = await startAdding(setup, { password: account.password }, 'Laptop');
    assert.equal((await setup.post('/account/passkeys/new', { name: 'Laptop', response: JSON.stringify(key.create(regOptions, issuerOf(org))) })).headers.location, '/account/passkeys?added=1');

    const config = await oidc.discovery(new URL(issuerOf(org)), await publicClient(org), undefined, oidc.None(), insecure);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const first = oidc.randomPKCECodeVerifier();
    const firstUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(first), code_challenge_method: 'S256' });
    const callback = await browserLogin(org, firstUrl, passkeyLoginStep(key, issuerOf(org)), browser);
    const firstClaims = (await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: first })).claims()!;
    assert.equal(firstClaims.acr, 'urn:ingang:acr:2fa');

    // Later, someone at this logged-in browser who knows (only) the password. The application asks
    // a new login, of two steps: Ingang asks the password alone…
    t.clock.advanceMinutes(30);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', prompt: 'login', acr_values: 'urn:ingang:acr:2fa', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const { page, path: interaction } = await followToPage(org, browser, url);
    assert.match(page.body, /name="password"/);
    assert.doesNotMatch(page.body, /name="code"/);
    const right = await browser.post(interaction, { decision: 'prove', password: account.password });
    const next = nextHop(right);
    assert.ok(next, `${right.statusCode} ${right.body.slice(0, 300)}`);
    // The passkey's second step is no code, and the new login proved the password alone: the
    // application's two steps are not met, so the account is led to set up a second factor first
    // (the org allows one), and the application gets nothing until then.
    assert.match(next, /^\/account\/2fa\/setup\?returnTo=%2Foidc%2Finteraction%2F/, `led to the setup, not back to the application: ${next}`);
  });
});
