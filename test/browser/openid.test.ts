// The OpenID Connect provider in a real browser (SPEC 10): a relying application (a small server
// of this test, with openid-client) sends Chromium to Ingang's login with a second factor and gets
// it back with the user's name; its "log out" is confirmed on Ingang's page, ends the Ingang login
// and reaches the application's back-channel endpoint through the job queue.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { Agent, setGlobalDispatcher } from 'undici';
import { registerOpenIdClient } from '../../src/flows/openid-clients.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';
import { browserSkip, checkAccessibility, useBrowserServer } from './server.js';

// `*.localhost` names this machine (RFC 6761); Node's resolver does not know it (Chromium does).
setGlobalDispatcher(new Agent({ connect: { lookup: (_host, _options, done) => done(null, [{ address: '127.0.0.1', family: 4 }]) } }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

/** The relying application: "log in", its callback showing the user's name, "log out", and its back-channel endpoint. */
class RelyingApp {
  server: Server;
  port = 0;
  config: oidc.Configuration | null = null;
  verifier = '';
  state = '';
  idToken = '';
  logoutTokens: string[] = [];

  constructor() {
    this.server = createServer((request, response) => {
      this.handle(request.url ?? '/', request).then(
        (answer) => response.writeHead(answer.status, answer.headers).end(answer.body ?? ''),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    });
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  private async handle(url: string, request: import('node:http').IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body?: string }> {
    const config = this.config!;
    const path = url.split('?')[0];
    if (path === '/login') {
      this.verifier = oidc.randomPKCECodeVerifier();
      this.state = oidc.randomState();
      const to = oidc.buildAuthorizationUrl(config, { redirect_uri: `${this.origin}/callback`, scope: 'openid profile', state: this.state, acr_values: 'urn:ingang:acr:2fa', code_challenge: await oidc.calculatePKCECodeChallenge(this.verifier), code_challenge_method: 'S256' });
      return { status: 302, headers: { location: to.href } };
    }
    if (path === '/callback') {
      const tokens = await oidc.authorizationCodeGrant(config, new URL(url, this.origin), { pkceCodeVerifier: this.verifier, expectedState: this.state });
      this.idToken = tokens.id_token!;
      const claims = tokens.claims()!;
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page('Diary', `<p id="hello">Hello, ${escape(String(info.name))}</p><p id="acr">${escape(String(claims.acr))}</p><p><a href="/logout">Log out of the diary</a></p>`) };
    }
    if (path === '/logout') {
      const to = oidc.buildEndSessionUrl(config, { id_token_hint: this.idToken, post_logout_redirect_uri: `${this.origin}/logged-out` });
      return { status: 302, headers: { location: to.href } };
    }
    if (path === '/logged-out') return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page('Diary', '<p id="bye">You are logged out of the diary.</p>') };
    if (path === '/backchannel' && request.method === 'POST') {
      let body = '';
      for await (const chunk of request) body += String(chunk);
      this.logoutTokens.push(new URLSearchParams(body).get('logout_token') ?? '');
      return { status: 200, headers: {} };
    }
    return { status: 404, headers: {} };
  }
}

describe('browser: an application logs in through Ingang (SPEC 10)', { skip: browserSkip() }, () => {
  const s = useBrowserServer();

  async function userWithTotp(org: Organization) {
    const user = await createActiveAccount(s().t, org, { name: 'Fenna de Vries' });
    const setup = new TestBrowser(s().t.app, `${hostOf(org)}:${s().port}`);
    await setup.login(user.email, user.password);
    const { app } = await enableTotp(s().t, setup);
    return { user, app, setUpInStep: Math.floor(Date.now() / 30_000) };
  }

  test('the application’s “log in” → Ingang’s password and code → back, with the name; its “log out” ends the Ingang login and reaches its back-channel', async () => {
    const org = await createTestOrg(s().t);
    const relying = new RelyingApp();
    await relying.start();
    try {
      const made = await registerOpenIdClient(s().t.deps, org, {
        name: 'Diary',
        redirectUris: [`${relying.origin}/callback`],
        postLogoutRedirectUris: [`${relying.origin}/logged-out`],
        backchannelLogoutUri: `${relying.origin}/backchannel`,
        public: false,
        firstParty: true,
        offlineAccess: false,
      });
      assert.ok(made.ok && made.secret);
      relying.config = await oidc.discovery(new URL(s().origin(org)), made.client.clientId, made.secret, undefined, { execute: [oidc.allowInsecureRequests] });
      const { user, app, setUpInStep } = await userWithTotp(org);

      const browser = await s().newPage();
      await browser.goto(`${relying.origin}/login`);
      await browser.waitForURL((url) => url.pathname === '/login' && url.host.startsWith(hostOf(org)));
      await checkAccessibility(browser, 'Ingang login for the application');
      await browser.getByLabel('E-mail address').fill(user.email);
      await browser.getByLabel('Password', { exact: true }).fill(user.password);
      await browser.getByRole('button', { name: 'Log in' }).click();
      await browser.waitForURL((url) => url.pathname === '/login/code');
      await checkAccessibility(browser, 'code step');
      // The setup's code was accepted once; the login takes a code of a later time step.
      while (Math.floor(Date.now() / 30_000) <= setUpInStep) await sleep(500);
      await browser.getByLabel('Code', { exact: true }).fill(app.code(s().t));
      await browser.getByRole('button', { name: 'Confirm' }).click();
      await browser.waitForURL((url) => url.origin === relying.origin && url.pathname === '/callback');
      assert.equal(await browser.locator('#hello').textContent(), 'Hello, Fenna de Vries');
      assert.equal(await browser.locator('#acr').textContent(), 'urn:ingang:acr:2fa');

      await browser.getByRole('link', { name: 'Log out of the diary' }).click();
      await browser.waitForURL((url) => url.pathname === '/oidc/end-session');
      await checkAccessibility(browser, 'logout confirmation');
      assert.equal(await browser.getByRole('heading', { level: 1 }).textContent(), 'Log out?');
      await browser.getByRole('button', { name: 'Yes, log out' }).click();
      await browser.waitForURL((url) => url.origin === relying.origin && url.pathname === '/logged-out');
      for (let tries = 0; relying.logoutTokens.length === 0 && tries < 100; tries++) await sleep(100);
      assert.equal(relying.logoutTokens.length, 1, 'the back-channel logout arrived through the queue');
      // The Ingang login has ended with it: its account page asks for a login.
      await browser.goto(`${s().origin(org)}/account`);
      await browser.waitForURL((url) => url.pathname === '/login');
    } finally {
      await new Promise<void>((resolve) => relying.server.close(() => resolve()));
    }
  });
});
