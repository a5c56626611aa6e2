/** Attack review 2 (fixed): ways in that were tried and found shut (kept as regression tests). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { findOpenIdClient, registerOpenIdClient } from '../../src/flows/openid-clients.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { browserLogin, insecure, issuerOf, nextHop, passwordLogin, port, redirectUri, t } from '../openid-helpers.js';
import { enableTotp } from '../two-factor-helpers.js';

const evilName = '"><script>alert(1)</script><meta http-equiv="refresh" content="0; url=https://evil.example/">';

describe('SPEC 10 attacked (held)', () => {
  test('admin clients: another org’s client cannot be seen or removed; no CSRF; the name is escaped everywhere', async () => {
    const org = await createTestOrg(t, { policy: { twoFactorStaff: 'required' } });
    const other = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await browser.login(admin.email, admin.password);
    const { app } = await enableTotp(t, browser);
    const foreign = await registerOpenIdClient(t.deps, other, { name: 'Foreign', redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: true, firstParty: true, offlineAccess: false });
    assert.ok(foreign.ok);
    assert.equal((await browser.get(`/admin/clients/${foreign.client.clientId}`)).statusCode, 404);
    t.clock.advanceSeconds(30);
    const removed = await browser.post(`/admin/clients/${foreign.client.clientId}/remove`, { password: admin.password, code: app.code(t) });
    assert.equal(removed.statusCode, 404);
    assert.ok(await findOpenIdClient(t.deps, other, foreign.client.clientId));

    t.clock.advanceSeconds(30);
    const form = { name: evilName, redirectUris: redirectUri, postLogoutRedirectUris: 'http://app.localhost/bye', backchannelLogoutUri: '', kind: 'public', firstParty: 'true', password: admin.password, code: app.code(t) };
    const noToken = await browser.post('/admin/clients', { ...form, _csrf: 'nope' });
    const crossSite = await browser.post('/admin/clients', form, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    assert.ok(noToken.statusCode >= 400 && crossSite.statusCode >= 400, `${noToken.statusCode} ${crossSite.statusCode}`);
    await browser.get('/admin/clients');
    t.clock.advanceSeconds(30);
    const made = await browser.post('/admin/clients', { ...form, code: app.code(t) });
    assert.equal(made.statusCode, 200);
    assert.doesNotMatch(made.body, /<script>alert/);
    const clientId = /<dt>client_id<\/dt><dd><code>([^<]+)<\/code>/.exec(made.body)![1]!;
    assert.doesNotMatch((await browser.get('/admin/clients')).body, /<script>alert/);
    assert.doesNotMatch((await browser.get(`/admin/clients/${clientId}`)).body, /<script>alert/);

    // On the logout page the name is the application's: escaped, and the meta refresh stays Ingang's.
    const user = await createActiveAccount(t, org);
    const ub = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const config = await oidc.discovery(new URL(issuerOf(org)), clientId, undefined, oidc.None(), insecure);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const tokens = await oidc.authorizationCodeGrant(config, await browserLogin(org, url, passwordLogin(user), ub), { pkceCodeVerifier: verifier });
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://app.localhost/bye', state: `"'><x` });
    const confirm = await ub.get(`${end.pathname}${end.search}`);
    assert.equal(confirm.statusCode, 200);
    assert.doesNotMatch(confirm.body, /<script>alert|<meta http-equiv="refresh" content="0; url=https:\/\/evil/);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const back = await ub.post('/oidc/end-session/confirm', { xsrf, logout: 'yes' });
    const hop = new URL(nextHop(back)!);
    assert.equal(`${hop.origin}${hop.pathname}`, 'http://app.localhost/bye');
    assert.equal(hop.searchParams.get('state'), `"'><x`);
    assert.doesNotMatch(back.body, /<x/);
  });

  test('an interaction of another browser cannot be continued, even by the same account', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const made = await registerOpenIdClient(t.deps, org, { name: 'D', redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: true, firstParty: true, offlineAccess: false });
    assert.ok(made.ok);
    const config = await oidc.discovery(new URL(issuerOf(org)), made.client.clientId, undefined, oidc.None(), insecure);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const attacker = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const started = await attacker.get(`${url.pathname}${url.search}`);
    const interaction = String(started.headers.location);
    assert.match(interaction, /^\/oidc\/interaction\//);
    const victim = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await victim.login(user.email, user.password);
    const answer = await victim.get(interaction);
    assert.equal(answer.statusCode, 400);
    assert.equal(nextHop(answer), null);
    // Via the 2FA setup lead too: returnTo to it leads nowhere but that same refusal.
    const lead = await victim.get(`/account/2fa/setup?returnTo=${encodeURIComponent(interaction)}`);
    assert.equal(lead.statusCode, 200);
  });
});
