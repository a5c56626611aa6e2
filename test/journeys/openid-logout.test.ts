/**
 * SPEC 10: back-channel logout through the job queue, and RP-initiated logout. A test server on
 * a loopback address plays the applications' back-channel endpoints (allowed outside production).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { listAuditEvents } from '../../src/audit/audit.js';
import { registerOpenIdClient } from '../../src/flows/openid-clients.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf, mailedResetLink } from '../harness.js';
import { browserLogin, insecure, issuerOf, nextHop, passwordLogin, port, redirectUri, t } from '../openid-helpers.js';

/** The applications' back-channel endpoints: every logout token posted, by path; `down` answers 503. */
const received: { path: string; token: string }[] = [];
let down = false;
let receiver: Server;
let receiverPort: number;
before(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (down) {
        response.writeHead(503).end();
        return;
      }
      received.push({ path: request.url ?? '', token: new URLSearchParams(body).get('logout_token') ?? '' });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const loggedOutUri = 'http://app.localhost/logged-out';

/** A confidential first-party application whose back-channel endpoint is the test server's `/<name>`. */
async function application(org: Organization, name: string) {
  const made = await registerOpenIdClient(t.deps, org, {
    name,
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [loggedOutUri],
    backchannelLogoutUri: `http://127.0.0.1:${receiverPort}/${name}`,
    public: false,
    firstParty: true,
    offlineAccess: false,
  });
  assert.ok(made.ok && made.secret);
  return { clientId: made.client.clientId, config: await oidc.discovery(new URL(issuerOf(org)), made.client.clientId, made.secret, undefined, insecure) };
}

async function logIn(org: Organization, config: oidc.Configuration, browser: TestBrowser, account: { email: string; password: string }, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
  const callback = await browserLogin(org, url, passwordLogin(account), browser);
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
}

/** What `prompt=none` brings back: a callback with a code, or with an error. */
async function silently(org: Organization, config: oidc.Configuration, browser: TestBrowser): Promise<URL> {
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', prompt: 'none', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
  return browserLogin(org, url, async () => assert.fail('prompt=none shows no login page'), browser);
}

const tokensFor = (name: string) => received.filter((r) => r.path === `/${name}`).map((r) => r.token);

async function verifiedLogoutToken(org: Organization, token: string, clientId: string) {
  assert.equal(decodeProtectedHeader(token).typ, 'logout+jwt');
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuerOf(org)}/oidc/jwks`)), { issuer: issuerOf(org), audience: clientId });
  assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
  assert.equal(payload.nonce, undefined, 'a logout token carries no nonce');
  return payload;
}

async function auditEvents(org: Organization, event: string) {
  return listAuditEvents(t.deps.db, { tenantId: org.tenantId, event, limit: 100 });
}

describe('SPEC 10: back-channel logout', () => {
  test('logout tells every application the login reached, through the queue; the provider session ends with the login', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const diary = await application(org, `diary-${org.slug}`);
    const consult = await application(org, `consult-${org.slug}`);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const first = await logIn(org, diary.config, browser, account);
    // The second application is reached by the same login, without a login page.
    const second = await logIn(org, consult.config, browser, account);
    assert.ok((await silently(org, diary.config, browser)).searchParams.get('code'), 'before the logout, prompt=none is answered from the session');

    await browser.get('/account');
    assert.equal((await browser.post('/logout', {})).statusCode, 303);
    assert.equal(tokensFor(`diary-${org.slug}`).length, 0, 'sent by the queue, not in the request');
    await t.jobs.runDue();
    const [toDiary] = tokensFor(`diary-${org.slug}`);
    const [toConsult] = tokensFor(`consult-${org.slug}`);
    assert.ok(toDiary && toConsult, 'both applications are told');
    const diaryClaims = await verifiedLogoutToken(org, toDiary, diary.clientId);
    assert.equal(diaryClaims.sub, account.id);
    assert.equal(diaryClaims.sid, first.claims()!.sid, 'the sid the application was given in its ID token');
    assert.equal((await verifiedLogoutToken(org, toConsult, consult.clientId)).sid, second.claims()!.sid);
    assert.equal((await auditEvents(org, 'oidc_backchannel_logout_sent')).length, 2);

    assert.equal((await silently(org, diary.config, browser)).searchParams.get('error'), 'login_required', 'the provider session ended with the login');
    await t.jobs.runDue();
    assert.equal(tokensFor(`diary-${org.slug}`).length, 1, 'each application is told once');
  });

  test('a password reset tells the applications, and what the provider gave out stops working', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const diary = await application(org, `diary-${org.slug}`);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const tokens = await logIn(org, diary.config, browser, account);
    await oidc.fetchUserInfo(diary.config, tokens.access_token, account.id);

    const reset = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const link = await mailedResetLink(t, reset, account.email);
    await reset.get(link);
    assert.equal((await reset.post(link, { password: 'fresh reset phrase', passwordConfirm: 'fresh reset phrase' })).statusCode, 303);
    await t.jobs.runDue();
    const [token] = tokensFor(`diary-${org.slug}`);
    assert.ok(token, 'the application is told');
    assert.equal((await verifiedLogoutToken(org, token, diary.clientId)).sub, account.id);
    await assert.rejects(oidc.fetchUserInfo(diary.config, tokens.access_token, account.id), 'the access token of the old login is refused');
  });

  test('an application that is down is told when it is back; each failed try is audited', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const diary = await application(org, `diary-${org.slug}`);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await logIn(org, diary.config, browser, account);
    await browser.get('/account');
    await browser.post('/logout', {});
    down = true;
    try {
      await t.jobs.runDue();
    } finally {
      down = false;
    }
    const failed = await auditEvents(org, 'oidc_backchannel_logout_failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.details.willRetry, true);
    assert.match(String(failed[0]!.details.error), /503/);
    await t.jobs.runDue();
    assert.equal(tokensFor(`diary-${org.slug}`).length, 0, 'not before its pause');
    t.clock.advanceSeconds(31);
    await t.jobs.runDue();
    assert.equal(tokensFor(`diary-${org.slug}`).length, 1, 'told once it is back');
    assert.equal((await auditEvents(org, 'oidc_backchannel_logout_sent')).length, 1);
  });

  test('the idle limit ends the login: the next maintenance pass tells the applications', async () => {
    const org = await createTestOrg(t, { policy: { idleMinutes: 15 } });
    const account = await createActiveAccount(t, org);
    const diary = await application(org, `diary-${org.slug}`);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await logIn(org, diary.config, browser, account);
    await t.jobs.runMaintenance();
    await t.jobs.runDue();
    assert.equal(tokensFor(`diary-${org.slug}`).length, 0, 'a live login is left alone');
    t.clock.advanceMinutes(16);
    await t.jobs.runMaintenance();
    await t.jobs.runDue();
    assert.equal(tokensFor(`diary-${org.slug}`).length, 1);
  });

  test('another account logging in in the same browser gets its own login at the application, never the first one’s', async () => {
    const org = await createTestOrg(t, { policy: { idleMinutes: 15 } });
    const first = await createActiveAccount(t, org);
    const second = await createActiveAccount(t, org);
    const diary = await application(org, `diary-${org.slug}`);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    assert.equal((await logIn(org, diary.config, browser, first)).claims()!.sub, first.id);
    // The first login idles out (no maintenance pass yet); the second person logs in here.
    t.clock.advanceMinutes(16);
    assert.equal((await silently(org, diary.config, browser)).searchParams.get('error'), 'login_required', 'an idle login answers prompt=none no more');
    // No logout: the second person logs in over the idle session, whose provider session still names the first.
    assert.equal((await browser.login(second.email, second.password)).statusCode, 303);
    assert.equal((await logIn(org, diary.config, browser, second)).claims()!.sub, second.id);
  });
});

describe('SPEC 10: RP-initiated logout', () => {
  test('confirmed on Ingang’s own page, it ends the Ingang login, tells the other applications and returns to the registered URI', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const diary = await application(org, `diary-${org.slug}`);
    const consult = await application(org, `consult-${org.slug}`);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    const tokens = await logIn(org, diary.config, browser, account);
    await logIn(org, consult.config, browser, account);

    const unregistered = oidc.buildEndSessionUrl(diary.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' });
    const refused = await browser.get(`${unregistered.pathname}${unregistered.search}`);
    assert.equal(refused.statusCode, 400, 'an unregistered post-logout URI is refused');
    assert.doesNotMatch(String(refused.headers.location ?? ''), /evil/);

    const end = oidc.buildEndSessionUrl(diary.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: loggedOutUri, state: 'st4te' });
    const confirm = await browser.get(`${end.pathname}${end.search}`);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /<title>[^<]*Log out\?/);
    assert.match(confirm.body, new RegExp(`diary-${org.slug} asks you to log out`));
    assert.match(String(confirm.headers['content-security-policy']), /default-src 'none'/, 'under Ingang’s CSP');
    const action = /<form method="post" action="([^"]+)" class="inline">\s*<input type="hidden" name="xsrf"/.exec(confirm.body)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)![1]!;
    const confirmed = await browser.post(new URL(action).pathname, { xsrf, logout: 'yes' });
    assert.equal(confirmed.statusCode, 200, 'a page that sends the browser on: a posted form may not redirect off the origin');
    const back = new URL(nextHop(confirmed)!);
    assert.equal(`${back.origin}${back.pathname}`, loggedOutUri);
    assert.equal(back.searchParams.get('state'), 'st4te');

    const account_ = await browser.get('/account');
    assert.equal(account_.statusCode, 303, 'the Ingang login has ended');
    assert.match(String(account_.headers.location), /^\/login/);
    await t.jobs.runDue();
    assert.equal(tokensFor(`consult-${org.slug}`).length, 1, 'the other application is told');
    assert.equal((await auditEvents(org, 'logged_out')).length, 1);
  });

  test('an ID token of another organization as id_token_hint is refused, and nothing ends', async () => {
    const org = await createTestOrg(t);
    const other = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const stranger = await createActiveAccount(t, other);
    const diary = await application(org, `diary-${org.slug}`);
    const foreign = await application(other, `diary-${other.slug}`);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    await logIn(org, diary.config, browser, account);
    const foreignTokens = await logIn(other, foreign.config, new TestBrowser(t.app, `${hostOf(other)}:${port}`), stranger);
    const end = oidc.buildEndSessionUrl(diary.config, { id_token_hint: foreignTokens.id_token!, post_logout_redirect_uri: loggedOutUri });
    const answer = await browser.get(`${end.pathname}${end.search}`);
    assert.equal(answer.statusCode, 400);
    assert.match(answer.body, /id_token_hint/);
    assert.equal((await browser.get('/account')).statusCode, 200, 'still logged in');
  });
});
