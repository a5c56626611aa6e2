/**
 * What the OpenID Connect tests share (SPEC 10): an Ingang listening on a free port, since
 * `openid-client` (a certified relying party) talks to it over real HTTP; `*.localhost` resolved to
 * this machine; a public client; and the user's browser (the test browser over `inject`) from an
 * application's "log in" to its callback. Importing it starts the app for the test file.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before } from 'node:test';
import * as oidc from 'openid-client';
import { Agent, setGlobalDispatcher } from 'undici';
import { registerOpenIdClient } from '../src/flows/openid-clients.js';
import type { Organization } from '../src/tenants/organizations.js';
import { TestBrowser } from './browser-client.js';
import { createTestApp, hostOf, type TestApp } from './harness.js';

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

/** The app of this test file, listening on `port` (set before the first test). */
export let t: TestApp;
export let port: number;
before(async () => {
  port = await freePort();
  t = await createTestApp({ config: { PORT: String(port) }, ...(process.env.OIDC_TEST_LOG ? { logTo: process.stderr } : {}) });
  await t.app.listen({ port, host: '127.0.0.1' });
});
after(async () => t.close());

export const redirectUri = 'http://app.localhost/callback';
export const insecure = { execute: [oidc.allowInsecureRequests] };
export const issuerOf = (org: Organization) => `http://${hostOf(org)}:${port}`;

export async function publicClient(org: Organization, firstParty = true) {
  const made = await registerOpenIdClient(t.deps, org, { name: 'Zorgdagboek', redirectUris: [redirectUri], postLogoutRedirectUris: [], backchannelLogoutUri: null, public: true, firstParty, offlineAccess: false });
  assert.ok(made.ok);
  return made.client.clientId;
}

/**
 * Where an answer sends the browser: its redirect, or, for the page that hands a login back to the
 * application (a refresh, as the redirects after a posted form may not leave the origin), its URL.
 */
export function nextHop(answer: { statusCode: number; headers: Record<string, unknown>; body: string }): string | null {
  if ([302, 303].includes(answer.statusCode)) return String(answer.headers.location);
  const refresh = /<meta http-equiv="refresh" content="0; url=([^"]+)">/.exec(answer.body);
  if (!refresh) return null;
  return refresh[1]!.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[entity]!);
}

/** The user's browser from the application's "log in" to its callback; returns the callback URL. */
export async function browserLogin(org: Organization, authorizationUrl: URL, login: (browser: TestBrowser, returnTo: string) => Promise<void>, browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`)): Promise<URL> {
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
    const next = nextHop(answer);
    assert.ok(next, `${url.pathname}: ${answer.statusCode} ${answer.body.slice(0, 300)}`);
    location = next;
  }
  throw new Error('too many redirects');
}

/** Follows redirects in the browser until a page is shown; gives the page and its path. */
export async function followToPage(org: Organization, browser: TestBrowser, start: URL): Promise<{ page: Awaited<ReturnType<TestBrowser['get']>>; path: string }> {
  let url = start;
  for (let hop = 0; hop < 6; hop++) {
    const page = await browser.get(`${url.pathname}${url.search}`);
    const next = nextHop(page);
    if (page.statusCode === 200 && next === null) return { page, path: url.pathname };
    assert.ok(next, `${url.pathname}: ${page.statusCode}`);
    url = new URL(next, issuerOf(org));
  }
  throw new Error('too many redirects');
}

export function passwordLogin(account: { email: string; password: string }) {
  return async (browser: TestBrowser, returnTo: string) => {
    await browser.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    const posted = await browser.post('/login', { email: account.email, password: account.password, returnTo });
    assert.equal(posted.statusCode, 303);
  };
}

/** From an answer's redirect on to the application's callback, as the browser would go. */
export async function followToCallback(org: Organization, browser: TestBrowser, location: string): Promise<URL> {
  let back = location;
  for (let hop = 0; hop < 4 && !back.startsWith(redirectUri); hop++) back = String(nextHop(await browser.get(back.replace(issuerOf(org), ''))));
  return new URL(back);
}
