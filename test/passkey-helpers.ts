/** The passkey tests' shared steps over HTTP (SPEC 11), with the software authenticator. */
import assert from 'node:assert/strict';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Organization } from '../src/tenants/organizations.js';
import { TestBrowser } from './browser-client.js';
import { hostOf, type TestApp } from './harness.js';
import type { SoftAuthenticator } from './passkey-authenticator.js';

export const originOf = (org: Organization) => `http://${hostOf(org)}:3000`;
export const unescapeHtml = (text: string) => text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The step-up (password, and code if given) and the ceremony page's options. */
export async function startAdding(browser: TestBrowser, proofs: Record<string, string>, name = 'Pixel 7') {
  await browser.get('/account/passkeys');
  const ceremony = await browser.post('/account/passkeys/new', { name, ...proofs });
  assert.equal(ceremony.statusCode, 200, ceremony.body.slice(0, 300));
  return JSON.parse(unescapeHtml(/data-passkey-register="([^"]+)"/.exec(ceremony.body)![1]!)) as PublicKeyCredentialCreationOptionsJSON;
}

/** Through the pages: the step-up, the ceremony page's options, the authenticator's answer posted back; the answer to that post. */
export async function postNewPasskey(org: Organization, browser: TestBrowser, proofs: Record<string, string>, authenticator: SoftAuthenticator, name = 'Pixel 7', knobs: { userVerified?: boolean } = {}) {
  const options = await startAdding(browser, proofs, name);
  return browser.post('/account/passkeys/new', { name, response: JSON.stringify(authenticator.create(options, originOf(org), knobs)) });
}

export async function addPasskey(org: Organization, browser: TestBrowser, proofs: Record<string, string>, authenticator: SoftAuthenticator, name = 'Pixel 7') {
  const added = await postNewPasskey(org, browser, proofs, authenticator, name);
  assert.equal(added.headers.location, '/account/passkeys?added=1', added.body.slice(0, 300));
}

/** A fresh browser at /login with a login challenge; returns the browser and the options. */
export async function loginCeremony(t: TestApp, org: Organization, browser = new TestBrowser(t.app, hostOf(org))) {
  await browser.get('/login');
  const asked = await browser.post('/login/passkey/options', {});
  assert.equal(asked.statusCode, 200);
  return { browser, options: asked.json() as PublicKeyCredentialRequestOptionsJSON };
}

/** The login page's script: a challenge for this browser, the authenticator's answer, posted. */
export async function passkeyLogin(t: TestApp, org: Organization, authenticator: SoftAuthenticator, browser?: TestBrowser, knobs: { userVerified?: boolean } = {}) {
  const { browser: b, options } = await loginCeremony(t, org, browser);
  const answer = authenticator.get(options, originOf(org), knobs);
  const posted = await b.post('/login/passkey', { response: JSON.stringify(answer), returnTo: '/account' });
  return { browser: b, answer, posted };
}

/**
 * For `browserLogin` (test/openid-helpers.ts): the login page's passkey step at `origin` (the
 * listening server's), a whole login that goes straight on to `returnTo`.
 */
export function passkeyLoginStep(authenticator: SoftAuthenticator, origin: string) {
  return async (browser: TestBrowser, returnTo: string) => {
    await browser.get(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    const asked = (await browser.post('/login/passkey/options', {})).json() as PublicKeyCredentialRequestOptionsJSON;
    const posted = await browser.post('/login/passkey', { response: JSON.stringify(authenticator.get(asked, origin)), returnTo });
    assert.equal(posted.headers.location, returnTo, 'a whole login: on to returnTo');
  };
}
