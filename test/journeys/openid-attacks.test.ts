/**
 * SPEC 10, attacked over HTTP (the independent attack review of the provider): each test is one
 * way in that was found open, and asserts that it is shut.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { registerOpenIdClient } from '../../src/flows/openid-clients.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, insecure, issuerOf, passwordLogin, port, publicClient, redirectUri, t } from '../openid-helpers.js';

const form = 'application/x-www-form-urlencoded';
const basic = (id: string, s: string) => `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`;
async function authUrl(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
  return { url, verifier, path: `${url.pathname}${url.search}` };
}
async function confidential(org: Organization) {
  const made = await registerOpenIdClient(t.deps, org, { name: 'API', redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: false, firstParty: true, offlineAccess: false });
  assert.ok(made.ok && made.secret);
  return { id: made.client.clientId, secret: made.secret };
}

describe('SPEC 10: the provider attacked', () => {
  test('after Alice logs out of Ingang, prompt=none gets no code, and Bob logging in in the same browser gets Bob at the app', async () => {
    const org = await createTestOrg(t);
    const alice = await createActiveAccount(t, org);
    const bob = await createActiveAccount(t, org);
    const config = await oidc.discovery(new URL(issuerOf(org)), await publicClient(org), undefined, oidc.None(), insecure);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const a = await authUrl(config);
    await oidc.authorizationCodeGrant(config, await browserLogin(org, a.url, passwordLogin(alice), browser), { pkceCodeVerifier: a.verifier });
    await browser.get('/');
    assert.equal((await browser.post('/logout', {})).statusCode, 303);
    const none = await browser.get((await authUrl(config, { prompt: 'none' })).path);
    assert.match(String(none.headers.location), /error=login_required/, 'logged out of Ingang: prompt=none must not give a code');
    await passwordLogin(bob)(browser, '/');
    const b = await authUrl(config);
    const tokens = await oidc.authorizationCodeGrant(config, await browserLogin(org, b.url, passwordLogin(bob), browser), { pkceCodeVerifier: b.verifier });
    assert.equal(tokens.claims()!.sub, bob.id, 'Bob must get Bob');
  });

  test('a password change ends the other browser’s provider session and the refresh tokens', async () => {
    const org = await createTestOrg(t);
    const victim = await createActiveAccount(t, org);
    const made = await registerOpenIdClient(t.deps, org, { name: 'Off', redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: true, firstParty: true, offlineAccess: true });
    assert.ok(made.ok);
    const config = await oidc.discovery(new URL(issuerOf(org)), made.client.clientId, undefined, oidc.None(), insecure);
    const attacker = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const a = await authUrl(config, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(config, await browserLogin(org, a.url, passwordLogin(victim), attacker), { pkceCodeVerifier: a.verifier });
    const vb = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await passwordLogin(victim)(vb, '/');
    await vb.get('/account/password');
    assert.equal((await vb.post('/account/password', { currentPassword: victim.password, password: 'fresh new passphrase 42', passwordConfirm: 'fresh new passphrase 42' })).statusCode, 303);
    assert.equal((await attacker.get('/account')).statusCode, 303, 'Ingang ended the attacker’s web session');
    const silent = await attacker.get((await authUrl(config, { scope: 'openid offline_access', prompt: 'none' })).path);
    assert.doesNotMatch(String(silent.headers.location), /code=/, 'no new code for the old session');
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), 'refresh token ended by the password change');
  });

  test('client-secret guesses at /oidc/TOKEN and /oidc/introspect/ count in the budget; there is no /oidc/par', async () => {
    for (const p of ['/oidc/TOKEN', '/oidc/introspect/']) {
      const org = await createTestOrg(t);
      const c = await confidential(org);
      const statuses = [];
      for (let i = 0; i < 25; i++) statuses.push((await fetch(`${issuerOf(org)}${p}`, { method: 'POST', headers: { authorization: basic(c.id, `guess ${i}`), 'content-type': form }, body: 'grant_type=client_credentials&token=x&response_type=code' })).status);
      const right = await fetch(`${issuerOf(org)}${p}`, { method: 'POST', headers: { authorization: basic(c.id, c.secret), 'content-type': form }, body: 'token=x' });
      assert.ok(statuses.includes(429), `${p}: 25 wrong secrets, then 429`);
      assert.equal(right.status, 429, 'the right secret waits out the window too');
    }
    const org = await createTestOrg(t);
    const c = await confidential(org);
    assert.equal((await fetch(`${issuerOf(org)}/oidc/par`, { method: 'POST', headers: { authorization: basic(c.id, 'x'), 'content-type': form }, body: 'response_type=code' })).status, 404);
  });

  test('X-Forwarded-Host (behind TRUST_PROXY) or a Host with a trailing dot never changes the endpoints discovery names', async () => {
    const proxied = await createTestApp({ config: { TRUST_PROXY: '1', SECRET_KEY: 'k'.repeat(40), SMTP_URL: 'smtp://127.0.0.1:1', SMS_PROVIDER: 'none' } });
    try {
      const org = await createTestOrg(proxied);
      const d = (await proxied.app.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { host: hostOf(org), 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } })).json();
      assert.equal(new URL(d.issuer).hostname, hostOf(org));
      for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint']) assert.ok(String(d[key]).startsWith(`${d.issuer}/oidc/`), `${key}: ${d[key]}`);
      assert.equal(String((await proxied.app.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { host: hostOf(org) } })).headers['cache-control']), 'no-store');
    } finally {
      await proxied.close();
    }
    const org = await createTestOrg(t);
    const dotted = (await new TestBrowser(t.app, `${hostOf(org)}.:${port}`).get('/.well-known/openid-configuration')).json();
    assert.equal(dotted.token_endpoint, `${issuerOf(org)}/oidc/token`);
  });

  test('a NUL byte anywhere gets a clear 4xx, never a 500', async () => {
    const org = await createTestOrg(t);
    const c = await confidential(org);
    const r1 = await fetch(`${issuerOf(org)}/oidc/introspect`, { method: 'POST', headers: { authorization: basic(c.id, c.secret), 'content-type': form }, body: 'token=a%00b' });
    const r2 = await fetch(`${issuerOf(org)}/oidc/auth?client_id=a%00b&response_type=code`, { redirect: 'manual' });
    const r3 = await fetch(`${issuerOf(org)}/oidc/token`, { method: 'POST', headers: { 'content-type': form }, body: 'grant_type=authorization_code&code=x&client_id=a%00b' });
    const r4 = await fetch(`${issuerOf(org)}/oidc/token`, { method: 'POST', headers: { authorization: basic(c.id, c.secret), 'content-type': form }, body: 'grant_type=authorization_code&code=%00&redirect_uri=x&code_verifier=y' });
    const r5 = await fetch(`${issuerOf(org)}/oidc/revoke`, { method: 'POST', headers: { authorization: basic(c.id, c.secret), 'content-type': form }, body: 'token=a%00b' });
    const r6 = await fetch(`${issuerOf(org)}/oidc/userinfo`, { method: 'POST', headers: { 'content-type': form }, body: 'access_token=a%00b' });
    assert.equal(r1.status, 200, 'introspection: not active');
    assert.equal(((await r1.json()) as { active: boolean }).active, false);
    assert.deepEqual([r2.status, r3.status, r4.status, r5.status, r6.status], [400, 401, 400, 200, 401]);
  });

  test('an account deactivated behind the provider’s back, with a live provider session, gets the login page, not a 500', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const config = await oidc.discovery(new URL(issuerOf(org)), await publicClient(org), undefined, oidc.None(), insecure);
    const b = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const a = await authUrl(config);
    await oidc.authorizationCodeGrant(config, await browserLogin(org, a.url, passwordLogin(account), b), { pkceCodeVerifier: a.verifier });
    await t.deps.db.query("UPDATE account SET state = 'deactivated' WHERE id = $1", [account.id]);
    const r = await b.get((await authUrl(config)).path);
    assert.notEqual(r.statusCode, 500, r.body);
  });

  test('the provider writes a bounded number of rows for anonymous authorization requests; only response_mode=query; no body over the limit', async () => {
    const org = await createTestOrg(t);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    assert.deepEqual(config.serverMetadata().response_modes_supported, ['query']);
    const anonymous = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const formPost = await anonymous.get((await authUrl(config, { response_mode: 'form_post' })).path);
    assert.equal(formPost.statusCode, 400);
    assert.match(formPost.body, /response_mode=query/);
    const statuses: number[] = [];
    for (let i = 0; i < 105; i++) statuses.push((await anonymous.get((await authUrl(config)).path, {}, '198.51.100.7')).statusCode);
    assert.equal(statuses.filter((s) => s === 303).length, 100, 'the network’s budget');
    assert.equal(statuses.at(-1), 429);
    const { rows } = { rows: await t.deps.db.query<{ n: number }>("SELECT count(*)::int AS n FROM oidc_payload WHERE tenant_id = $1 AND model = 'Interaction'", [org.tenantId]) };
    assert.ok(rows[0]!.n <= 101, `${rows[0]!.n} interactions kept`);
    assert.equal((await anonymous.get((await authUrl(config)).path, {}, '203.0.113.9')).statusCode, 303, 'another network is not affected');
    const huge = await fetch(`${issuerOf(org)}/oidc/token`, { method: 'POST', headers: { 'content-type': form }, body: `grant_type=authorization_code&code=${'x'.repeat(60 * 1024)}` });
    assert.equal(huge.status, 413);
    assert.equal((await fetch(`${issuerOf(org)}/oidc/auth?client_id=${clientId}&state=${'s'.repeat(5000)}`, { redirect: 'manual' })).status, 414);
  });

  test('prompt=none in a browser with no session gets login_required; a code without its PKCE verifier is refused', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const fresh = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const none = await fresh.get((await authUrl(config, { prompt: 'none' })).path);
    assert.equal(none.statusCode, 303);
    const back = new URL(String(none.headers.location));
    assert.equal(`${back.origin}${back.pathname}`, redirectUri);
    assert.equal(back.searchParams.get('error'), 'login_required');
    assert.equal(back.searchParams.get('code'), null);

    const a = await authUrl(config);
    const callback = await browserLogin(org, a.url, passwordLogin(account), fresh);
    const code = callback.searchParams.get('code')!;
    const withoutVerifier = await fetch(`${issuerOf(org)}/oidc/token`, { method: 'POST', headers: { 'content-type': form }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId }) });
    assert.equal(withoutVerifier.status, 400);
    assert.equal(((await withoutVerifier.json()) as { error: string }).error, 'invalid_grant');
  });
});
