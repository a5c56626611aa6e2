/**
 * SPEC 10: what an application may ask more of a login — `prompt=login`, `max_age`, `acr_values` —
 * and what the operator may change under it: removing a client, rotating the signing keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { removeOpenIdClient, rotateOpenIdKeys } from '../../src/flows/openid-clients.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, followToCallback, followToPage, insecure, issuerOf, nextHop, passwordLogin, port, publicClient, redirectUri, t } from '../openid-helpers.js';
import { enableTotp, TestAuthenticator } from '../two-factor-helpers.js';

describe('SPEC 10: a login asked again, and what the operator changes', () => {
  test('prompt=login and max_age=0 ask the password again, even of a fresh session; a wrong one is refused and counted', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const first = oidc.randomPKCECodeVerifier();
    const firstUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(first), code_challenge_method: 'S256' });
    await oidc.authorizationCodeGrant(config, await browserLogin(org, firstUrl, passwordLogin(account), browser), { pkceCodeVerifier: first });

    for (const extra of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      // A proof of the last minute is the login made for this request; this one is older.
      t.clock.advanceSeconds(61);
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
      const { page, path: interaction } = await followToPage(org, browser, url);
      assert.match(page.body, /asks you to log in again/, JSON.stringify(extra));
      const wrong = await browser.post(interaction, { decision: 'prove', password: 'not the password at all' });
      assert.equal(wrong.statusCode, 400);
      const askedAt = Math.floor(t.clock.now().getTime() / 1000);
      const right = await browser.post(interaction, { decision: 'prove', password: account.password });
      assert.ok(nextHop(right), 'handed back to the application');
      const back = await followToCallback(org, browser, nextHop(right)!);
      const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, ...(extra.max_age ? { maxAge: 0 } : {}) }).catch((error: unknown) => {
        // openid-client checks auth_time against max_age on the real clock; the test clock may lag it.
        if (extra.max_age) return null;
        throw error;
      });
      if (tokens) assert.ok(Number(tokens.claims()!.auth_time) >= askedAt, 'auth_time is the new proof');
    }
    const failed = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'step_up_failed'", [org.tenantId]);
    assert.equal(failed[0]!.n, 2, 'each wrong password is a failed step-up');
  });

  test('acr_values=urn:ingang:acr:2fa: asks the code of a session that proved the password alone; an account without a factor where the org allows none gets unmet_authentication_requirements', async () => {
    const org = await createTestOrg(t);
    const withCode = await createActiveAccount(t, org);
    const setup = new TestBrowser(t.app, hostOf(org));
    await setup.login(withCode.email, withCode.password);
    const { app } = await enableTotp(t, setup);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    // A trusted browser: the code once, then the password alone within the hour.
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    t.clock.advanceSeconds(30);
    await browser.login(withCode.email, withCode.password);
    await browser.get('/login/code');
    assert.equal((await browser.post('/login/code', { code: app.code(t) })).statusCode, 303);
    await browser.post('/logout', {});
    t.clock.advanceSeconds(60);
    assert.equal((await browser.login(withCode.email, withCode.password)).headers.location, '/', 'the trusted browser skips the code');

    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', acr_values: 'urn:ingang:acr:2fa' });
    const { page, path: interaction } = await followToPage(org, browser, url);
    assert.match(page.body, /also asks a code/);
    assert.doesNotMatch(page.body, /name="password"/, 'the password was proven; only the code is asked');
    t.clock.advanceSeconds(30);
    const coded = await browser.post(interaction, { decision: 'prove', code: app.code(t) });
    assert.ok(nextHop(coded));
    const back = await followToCallback(org, browser, nextHop(coded)!);
    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier });
    assert.equal(tokens.claims()!.acr, 'urn:ingang:acr:2fa');

    // Where the organization has no two-step verification for clients, nobody can be led to set it up.
    const without = await createTestOrg(t, { policy: { twoFactorClients: 'off' } });
    const plain = await createActiveAccount(t, without);
    const withoutConfig = await oidc.discovery(new URL(issuerOf(without)), await publicClient(without), undefined, oidc.None(), insecure);
    const other = oidc.randomPKCECodeVerifier();
    const plainUrl = oidc.buildAuthorizationUrl(withoutConfig, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(other), code_challenge_method: 'S256', acr_values: 'urn:ingang:acr:2fa' });
    const refused = await browserLogin(without, plainUrl, passwordLogin(plain));
    assert.equal(refused.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  test('acr_values=urn:ingang:acr:2fa of an account without a factor, where the org allows one: led to set it up, then on to the application with acr 2fa', async () => {
    const org = await createTestOrg(t);
    const plain = await createActiveAccount(t, org);
    const config = await oidc.discovery(new URL(issuerOf(org)), await publicClient(org), undefined, oidc.None(), insecure);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await browser.login(plain.email, plain.password);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', acr_values: 'urn:ingang:acr:2fa' });
    const { page, path } = await followToPage(org, browser, url);
    assert.equal(path, '/account/2fa/setup');
    assert.match(page.body, /asks for two-step verification/);
    const returnTo = /name="returnTo" value="([^"]+)"/.exec(page.body)![1]!;
    assert.match(returnTo, /^\/oidc\/interaction\//);
    // A returnTo to another origin is never carried (SECURITY 22).
    assert.equal((await browser.post('/account/2fa/setup', { method: 'totp', returnTo: '//evil.example/' })).headers.location, '/account/2fa/setup/totp');
    const chosen = await browser.post('/account/2fa/setup', { method: 'totp', returnTo });
    assert.equal(chosen.headers.location, `/account/2fa/setup/totp?returnTo=${encodeURIComponent(returnTo)}`);
    const totpPage = await browser.get(String(chosen.headers.location));
    const app = new TestAuthenticator(/<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(totpPage.body)![1]!.replace(/ /g, ''));
    const confirmed = await browser.post('/account/2fa/setup/totp', { code: app.code(t), returnTo });
    assert.equal(confirmed.headers.location, `/account/2fa/recovery-codes?returnTo=${encodeURIComponent(returnTo)}`);
    await browser.get(String(confirmed.headers.location));
    const stored = await browser.post('/account/2fa/recovery-codes', { stored: 'yes', returnTo });
    assert.equal(stored.headers.location, returnTo, 'back to the application’s login');
    const back = await followToCallback(org, browser, returnTo);
    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier });
    assert.equal(tokens.claims()!.acr, 'urn:ingang:acr:2fa');
    assert.deepEqual(tokens.claims()!.amr, ['pwd', 'otp', 'mfa']);
  });

  test('a removed client is unknown at once, and its tokens stop working; after a key rotation the new key signs and the old one is still published', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const login = async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
      return oidc.authorizationCodeGrant(config, await browserLogin(org, url, passwordLogin(account)), { pkceCodeVerifier: verifier });
    };
    const before = await login();
    const kidOf = (tokens: typeof before) => (JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    const oldKid = kidOf(before);

    const newKid = await rotateOpenIdKeys(t.deps, org);
    // Another instance (or this one within 5 minutes) builds its provider anew: a second app on the same database.
    const second = await createTestApp({ config: { PORT: String(port) } });
    try {
      const jwks = (await second.app.inject({ method: 'GET', url: '/oidc/jwks', headers: { host: `${hostOf(org)}:${port}` } })).json() as { keys: { kid: string }[] };
      assert.deepEqual(jwks.keys.map((k) => k.kid), [newKid, oldKid], 'the new key first, the old one still published');
    } finally {
      await second.close();
    }

    assert.equal(await removeOpenIdClient(t.deps, org, clientId), true);
    await assert.rejects(oidc.fetchUserInfo(config, before.access_token, account.id), 'its access token no longer works');
    const gone = await new TestBrowser(t.app, `${hostOf(org)}:${port}`).get(`/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    assert.match(gone.body, /invalid_client/);
  });
});
