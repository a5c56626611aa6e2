/**
 * SPEC 10: refresh tokens that rotate; introspection (RFC 7662) for confidential clients — the
 * platform's own APIs — of the provider's tokens and of the mobile app's access tokens.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { removeDevice } from '../../src/devices/devices.js';
import { registerOpenIdClient } from '../../src/flows/openid-clients.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { deviceWithPin } from '../app-helpers.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, insecure, issuerOf, passwordLogin, port, publicClient, redirectUri, t } from '../openid-helpers.js';

async function platformApi(org: Organization) {
  const made = await registerOpenIdClient(t.deps, org, { name: 'Afspraken-API', redirectUris: ['https://api.example/unused'], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: false, firstParty: true, offlineAccess: false });
  assert.ok(made.ok && made.secret);
  return oidc.discovery(new URL(issuerOf(org)), made.client.clientId, made.secret, undefined, insecure);
}

async function appAccessToken(org: Organization, account: { email: string; password: string }) {
  const { app, deviceId, deviceSecret, pin } = await deviceWithPin(t, org, account);
  const unlocked = await app.loginWithPin(deviceId, deviceSecret, pin);
  assert.ok(unlocked.ok);
  return { deviceId, accessToken: unlocked.value.accessToken };
}

/** A first-party public client allowed refresh tokens. */
async function offlineClient(org: Organization, name: string): Promise<string> {
  const made = await registerOpenIdClient(t.deps, org, { name, redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: true, firstParty: true, offlineAccess: true });
  assert.ok(made.ok);
  return made.client.clientId;
}

/** A login asking `offline_access` (with `prompt=consent`, as OpenID Connect has it), in `browser`. */
async function offlineLogin(org: Organization, account: { email: string; password: string }, clientId: string, browser?: TestBrowser) {
  const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid offline_access', prompt: 'consent', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  return { config, tokens: await oidc.authorizationCodeGrant(config, await browserLogin(org, url, passwordLogin(account), browser), { pkceCodeVerifier: verifier }) };
}

describe('SPEC 10: refresh tokens', () => {
  test('only a client allowed offline_access gets one; each refresh rotates it; a spent one revokes the family', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await offlineClient(org, 'Dagboek-app');
    const { config, tokens } = await offlineLogin(org, account, clientId);
    const first = tokens.refresh_token;
    assert.ok(first, 'a refresh token for the offline client');
    const refreshed = await oidc.refreshTokenGrant(config, first);
    const second = refreshed.refresh_token;
    assert.ok(second && second !== first, 'rotated');
    const invalidGrant = (error: unknown) => (error as { error?: string }).error === 'invalid_grant';
    await assert.rejects(oidc.refreshTokenGrant(config, first), invalidGrant, 'the spent one is refused');
    await assert.rejects(oidc.refreshTokenGrant(config, second), invalidGrant, 'and its whole family is revoked');
    await assert.rejects(oidc.fetchUserInfo(config, refreshed.access_token, account.id), 'with its access tokens');

    // The provider's audit rows, written as it answers: waited for, not timed.
    const auditRows = () =>
      t.deps.db.query<{ event: string; actor_account_id: string; details: { clientId: string } }>("SELECT event, actor_account_id, details FROM audit_event WHERE tenant_id = $1 AND event LIKE 'oidc_%' ORDER BY id", [org.tenantId]);
    let rows = await auditRows();
    for (let tries = 0; rows.length < 5 && tries < 100; tries++) rows = await new Promise((resolve) => setTimeout(resolve, 50)).then(auditRows);
    assert.deepEqual(rows.map((r) => r.event), ['oidc_client_registered', 'oidc_consent_given', 'oidc_tokens_issued', 'oidc_refresh_used', 'oidc_token_revoked']);
    assert.ok(rows.slice(1, 4).every((r) => r.actor_account_id === account.id && r.details.clientId === clientId));

    const plain = await offlineLogin(org, account, await publicClient(org));
    assert.equal(plain.tokens.refresh_token, undefined, 'a client not allowed offline_access gets none');
  });
});

describe('SPEC 10: the applications on the devices page', () => {
  test('an application holding a refresh token is listed; revoking it ends its tokens at once', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await offlineClient(org, 'Medicatie-app');
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const { config, tokens } = await offlineLogin(org, account, clientId, browser);
    assert.ok(tokens.refresh_token);
    const page = await browser.get('/account/devices');
    assert.match(page.body, /Applications that stay logged in/);
    assert.match(page.body, /Medicatie-app/);
    const revoked = await browser.post(`/account/applications/${clientId}/revoke`, {});
    assert.equal(revoked.statusCode, 303);
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), 'the refresh token is void');
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, account.id), 'and the access token');
    assert.doesNotMatch((await browser.get('/account/devices')).body, /Medicatie-app/);
  });
});

describe('SPEC 10: introspection for the platform’s APIs', () => {
  test('an app access token: active with sub, org, device and expiry; inactive once its device is removed', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const api = await platformApi(org);
    const { deviceId, accessToken } = await appAccessToken(org, account);
    const seen = await oidc.tokenIntrospection(api, accessToken);
    assert.equal(seen.active, true);
    assert.equal(seen.sub, account.id);
    assert.equal(seen.org, org.slug);
    assert.equal(seen.device_id, deviceId);
    assert.ok(Number(seen.exp) > Date.now() / 1000 - 3600);
    await removeDevice(t.deps.db, org.tenantId, deviceId, 'test', t.clock.now());
    assert.equal((await oidc.tokenIntrospection(api, accessToken)).active, false, 'removing the device ends its tokens at once');
  });

  test('a token of the provider: active for its organization; a token of organization A introspected at B is inactive', async () => {
    const org = await createTestOrg(t);
    const other = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const clientId = await publicClient(org);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const tokens = await oidc.authorizationCodeGrant(config, await browserLogin(org, url, passwordLogin(account)), { pkceCodeVerifier: verifier });
    const mine = await oidc.tokenIntrospection(await platformApi(org), tokens.access_token);
    assert.equal(mine.active, true);
    assert.equal(mine.sub, account.id);
    // SPEC 10: the secret in the body (client_secret_post) is as good as in a Basic header.
    const api = await platformApi(org);
    const made = await registerOpenIdClient(t.deps, org, { name: 'Post-API', redirectUris: ['https://api.example/unused'], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: false, firstParty: true, offlineAccess: false });
    assert.ok(made.ok && made.secret);
    const posting = await oidc.discovery(new URL(issuerOf(org)), made.client.clientId, undefined, oidc.ClientSecretPost(made.secret), insecure);
    assert.equal((await oidc.tokenIntrospection(posting, tokens.access_token)).sub, account.id);
    assert.equal((await oidc.tokenIntrospection(api, tokens.access_token)).active, true);
    const theirs = await platformApi(other);
    assert.equal((await oidc.tokenIntrospection(theirs, tokens.access_token)).active, false);
    const { accessToken } = await appAccessToken(org, account);
    assert.equal((await oidc.tokenIntrospection(theirs, accessToken)).active, false, 'nor an app token of A');
  });

  test('guessing a client secret: refused, counted in the network’s guess budget, then 429 until the window ends', async () => {
    const org = await createTestOrg(t);
    const api = await platformApi(org);
    const clientId = api.clientMetadata().client_id;
    const guess = (secret: string) =>
      fetch(`${issuerOf(org)}/oidc/introspect`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=anything',
      });
    for (let i = 0; i < 20; i++) assert.equal((await guess(`guess number ${i}`)).status, 401, `guess ${i + 1}`);
    const over = await guess('guess number 21');
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    t.clock.advanceMinutes(11);
    assert.equal((await guess('after the window')).status, 401, 'the budget comes back after its window');
  });

  test('a public client cannot introspect app tokens; a guessed client secret is refused', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const { accessToken } = await appAccessToken(org, account);
    const clientId = await publicClient(org);
    const asPublic = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const answer = await oidc.tokenIntrospection(asPublic, accessToken).catch(() => ({ active: false }));
    assert.equal(answer.active, false);
    const api = await platformApi(org);
    const guessed = await oidc.discovery(new URL(issuerOf(org)), api.clientMetadata().client_id, 'a guessed secret', undefined, insecure);
    await assert.rejects(oidc.tokenIntrospection(guessed, accessToken));
    const guessedInBody = await oidc.discovery(new URL(issuerOf(org)), api.clientMetadata().client_id, undefined, oidc.ClientSecretPost('a guessed secret'), insecure);
    await assert.rejects(oidc.tokenIntrospection(guessedInBody, accessToken));
  });
});
