/**
 * SPEC 10: each organization's Ingang as an OpenID Connect provider, driven over real HTTP by
 * `openid-client`: discovery, code with PKCE after a password or a code login, consent, attacks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, followToCallback, followToPage, insecure, issuerOf, nextHop, passwordLogin, port, publicClient, redirectUri, t } from '../openid-helpers.js';
import { enableTotp } from '../two-factor-helpers.js';

describe('SPEC 10: the organization as OpenID Connect provider', () => {
  test('discovery names the organization as issuer, with the endpoints under /oidc/ and its own keys', async () => {
    const org = await createTestOrg(t);
    const other = await createTestOrg(t);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, issuerOf(org));
    assert.equal(metadata.authorization_endpoint, `${issuerOf(org)}/oidc/auth`);
    assert.equal(metadata.token_endpoint, `${issuerOf(org)}/oidc/token`);
    assert.equal(metadata.jwks_uri, `${issuerOf(org)}/oidc/jwks`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.ok(metadata.scopes_supported?.includes('ingang'));
    const keysOf = async (o: Organization) => ((await (await fetch(`${issuerOf(o)}/oidc/jwks`)).json()) as { keys: { kid: string; d?: string }[] }).keys;
    const [mine, theirs] = [await keysOf(org), await keysOf(other)];
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.d, undefined, 'no private part is published');
    assert.notEqual(mine[0]!.kid, theirs[0]!.kid, 'each organization signs with its own key');
  });

  test('code + PKCE after a password login: the ID token and userinfo name the account, never another organization', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org, { name: 'Anna de Vries' });
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid email profile ingang', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, max_age: '3600' });
    const callback = await browserLogin(org, url, passwordLogin(account));
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, account.id, 'sub is the account id, never the address');
    assert.equal(claims.email, account.email);
    assert.equal(claims.name, 'Anna de Vries');
    assert.equal(claims.acr, 'urn:ingang:acr:password');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(typeof claims.auth_time, 'number');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, account.id);
    assert.equal(userinfo.org, org.slug);
    assert.equal(userinfo.role, 'client');
    assert.equal(userinfo.email_verified, true);
  });

  test('after a login with an authenticator code the ID token says so: acr 2fa, amr pwd otp mfa', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const { app } = await enableTotp(t, await (async () => {
      const b = new TestBrowser(t.app, hostOf(org));
      await b.login(account.email, account.password);
      return b;
    })());
    t.clock.advanceSeconds(30);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', max_age: '3600' });
    const callback = await browserLogin(org, url, async (browser, returnTo) => {
      await passwordLogin(account)(browser, returnTo);
      await browser.get(`/login/code?returnTo=${encodeURIComponent(returnTo)}`);
      const coded = await browser.post('/login/code', { code: app.code(t), returnTo });
      assert.equal(coded.statusCode, 303);
    });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    const claims = tokens.claims()!;
    assert.equal(claims.acr, 'urn:ingang:acr:2fa');
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  });

  test('an application that is not first-party asks consent, again for a scope not yet allowed; denying it sends access_denied back', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await publicClient(org, false);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    let location = `${url.pathname}${url.search}`;
    let consentPath = '';
    for (let hop = 0; hop < 8 && !consentPath; hop++) {
      const target = new URL(location, issuerOf(org));
      if (target.pathname === '/login') {
        const returnTo = target.searchParams.get('returnTo')!;
        await passwordLogin(account)(browser, returnTo);
        location = returnTo;
        continue;
      }
      const answer = await browser.get(`${target.pathname}${target.search}`);
      if (answer.statusCode === 200 && nextHop(answer) === null) {
        assert.match(answer.body, /Allow Zorgdagboek\?/);
        assert.match(answer.body, /your e-mail address/);
        consentPath = target.pathname;
      } else location = String(nextHop(answer));
    }
    assert.ok(consentPath, 'the consent page is shown');
    const allowed = await browser.post(consentPath, { decision: 'allow' });
    assert.ok(nextHop(allowed), 'allowed once');
    // The same application asking one scope more asks consent again; this time it is denied.
    const wider = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid email profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const asked = await followToPage(org, browser, wider);
    assert.match(asked.page.body, /Allow Zorgdagboek\?/);
    assert.match(asked.page.body, /your name and language/);
    consentPath = asked.path;
    const denied = await browser.post(consentPath, { decision: 'deny' });
    const back = await followToCallback(org, browser, nextHop(denied)!);
    assert.equal(back.searchParams.get('error'), 'access_denied');
  });

  test('attacks: a redirect URI one character off, a wrong PKCE verifier, a code used twice, a client of another organization', async () => {
    const org = await createTestOrg(t);
    const other = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await publicClient(org);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const off = await browser.get(`/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${redirectUri}x`)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    assert.equal(off.statusCode, 400);
    assert.match(off.body, /redirect_uri/);
    const elsewhere = await new TestBrowser(t.app, `${hostOf(other)}:${port}`).get(`/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirectUri)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    assert.equal(elsewhere.statusCode, 400);
    assert.match(elsewhere.body, /invalid_client/);

    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const callback = await browserLogin(org, url, passwordLogin(account), browser);
    const invalidGrant = (error: unknown) => (error as { error?: string }).error === 'invalid_grant';
    await assert.rejects(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier() }), invalidGrant, 'a wrong verifier');
    // A new login for the code-reuse case (the failed exchange may have spent the first code).
    const second = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const again = await browserLogin(org, second, passwordLogin(account), browser);
    const tokens = await oidc.authorizationCodeGrant(config, again, { pkceCodeVerifier: verifier });
    assert.equal((await oidc.fetchUserInfo(config, tokens.access_token, account.id)).sub, account.id);
    await assert.rejects(oidc.authorizationCodeGrant(config, again, { pkceCodeVerifier: verifier }), invalidGrant, 'a code used twice');
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, account.id), 'the tokens of the first use are revoked');
  });
});
