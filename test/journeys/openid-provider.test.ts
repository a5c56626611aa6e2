/**
 * SPEC 10: each organization's Ingang as an OpenID Connect provider, driven over real HTTP by
 * `openid-client` (a certified relying party). The user's browser is the test browser over
 * `inject`; the relying party's back channel (discovery, token, userinfo) goes over the socket.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { Agent, setGlobalDispatcher } from 'undici';
import { registerOpenIdClient } from '../../src/flows/openid-clients.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

// `*.localhost` names this machine (RFC 6761), but Node's resolver does not know it.
setGlobalDispatcher(new Agent({ connect: { lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]) } }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

let t: TestApp;
let port: number;
before(async () => {
  port = await freePort();
  t = await createTestApp({ config: { PORT: String(port) } });
  await t.app.listen({ port, host: '127.0.0.1' });
});
after(async () => t.close());

const redirectUri = 'http://app.localhost/callback';
const insecure = { execute: [oidc.allowInsecureRequests] };
const issuerOf = (org: Organization) => `http://${hostOf(org)}:${port}`;

async function publicClient(org: Organization, firstParty = true) {
  const made = await registerOpenIdClient(t.deps, org, { name: 'Zorgdagboek', redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: true, firstParty, offlineAccess: false });
  assert.ok(made.ok);
  return made.client.clientId;
}

/** The user's browser from the application's "log in" to its callback; returns the callback URL. */
async function browserLogin(org: Organization, authorizationUrl: URL, login: (browser: TestBrowser, returnTo: string) => Promise<void>, browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`)): Promise<URL> {
  let location = `${authorizationUrl.pathname}${authorizationUrl.search}`;
  for (let hop = 0; hop < 12; hop++) {
    if (location.startsWith(redirectUri)) return new URL(location);
    const url = new URL(location, issuerOf(org));
    if (url.pathname === '/login') {
      await login(browser, url.searchParams.get('returnTo') ?? '/');
      location = url.searchParams.get('returnTo') ?? '/';
      continue;
    }
    const answer = await browser.get(`${url.pathname}${url.search}`);
    assert.ok([302, 303].includes(answer.statusCode), `${url.pathname}: ${answer.statusCode} ${answer.body.slice(0, 300)}`);
    location = String(answer.headers.location);
  }
  throw new Error('too many redirects');
}

/** Follows redirects in the browser until a page is shown; gives the page and its path. */
async function followToPage(org: Organization, browser: TestBrowser, start: URL): Promise<{ page: Awaited<ReturnType<TestBrowser['get']>>; path: string }> {
  let url = start;
  for (let hop = 0; hop < 6; hop++) {
    const page = await browser.get(`${url.pathname}${url.search}`);
    if (page.statusCode === 200) return { page, path: url.pathname };
    assert.ok([302, 303].includes(page.statusCode), `${url.pathname}: ${page.statusCode}`);
    url = new URL(String(page.headers.location), issuerOf(org));
  }
  throw new Error('too many redirects');
}

function passwordLogin(account: { email: string; password: string }) {
  return async (browser: TestBrowser, returnTo: string) => {
    await browser.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    const posted = await browser.post('/login', { email: account.email, password: account.password, returnTo });
    assert.equal(posted.statusCode, 303);
  };
}

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

  test('an application that is not first-party asks consent; denying it sends access_denied back', async () => {
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
      if (answer.statusCode === 200) {
        assert.match(answer.body, /Allow Zorgdagboek\?/);
        assert.match(answer.body, /your e-mail address/);
        consentPath = target.pathname;
      } else location = String(answer.headers.location);
    }
    assert.ok(consentPath, 'the consent page is shown');
    const denied = await browser.post(consentPath, { decision: 'deny' });
    let back = String(denied.headers.location);
    for (let hop = 0; hop < 4 && !back.startsWith(redirectUri); hop++) back = String((await browser.get(back.replace(issuerOf(org), ''))).headers.location);
    assert.equal(new URL(back).searchParams.get('error'), 'access_denied');
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
      assert.equal(right.statusCode, 303);
      let back = String(right.headers.location);
      for (let hop = 0; hop < 4 && !back.startsWith(redirectUri); hop++) back = String((await browser.get(back.replace(issuerOf(org), ''))).headers.location);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier, ...(extra.max_age ? { maxAge: 0 } : {}) }).catch((error: unknown) => {
        // openid-client checks auth_time against max_age on the real clock; the test clock may lag it.
        if (extra.max_age) return null;
        throw error;
      });
      if (tokens) assert.ok(Number(tokens.claims()!.auth_time) >= askedAt, 'auth_time is the new proof');
    }
    const failed = await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE tenant_id = $1 AND event = 'step_up_failed'", [org.tenantId]);
    assert.equal(failed[0]!.n, 2, 'each wrong password is a failed step-up');
  });

  test('acr_values=urn:ingang:acr:2fa: asks the code of a session that proved the password alone; an account without a factor gets unmet_authentication_requirements', async () => {
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
    assert.equal(coded.statusCode, 303);
    let back = String(coded.headers.location);
    for (let hop = 0; hop < 4 && !back.startsWith(redirectUri); hop++) back = String((await browser.get(back.replace(issuerOf(org), ''))).headers.location);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back), { pkceCodeVerifier: verifier });
    assert.equal(tokens.claims()!.acr, 'urn:ingang:acr:2fa');

    const plain = await createActiveAccount(t, org);
    const other = oidc.randomPKCECodeVerifier();
    const plainUrl = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(other), code_challenge_method: 'S256', acr_values: 'urn:ingang:acr:2fa' });
    const refused = await browserLogin(org, plainUrl, passwordLogin(plain));
    assert.equal(refused.searchParams.get('error'), 'unmet_authentication_requirements');
  });
});
