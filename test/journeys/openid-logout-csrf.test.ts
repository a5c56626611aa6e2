/**
 * Attack review 2 (fixed): GET /oidc/end-session from another site, for a browser logged in to Ingang but
 * holding no provider session (the user never used an application, or its provider session ended).
 * oidc-provider answered with its own auto-submitting form (logout=yes, xsrf), its inline script
 * allowed by the sha it added to Ingang's CSP, and the confirm ended the Ingang login. Now Ingang's
 * own question is shown, under its own CSP. SECURITY 20: GET never changes state.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { port, t } from '../openid-helpers.js';

describe('SPEC 10 attacked: logout CSRF through end-session', () => {
  test('a cross-site GET /oidc/end-session shows no auto-submitting logout form and the login survives', async () => {
    const org = await createTestOrg(t);
    const account = await createActiveAccount(t, org);
    const browser = new TestBrowser(t.app, `${hostOf(org)}:${port}`);
    assert.equal((await browser.login(account.email, account.password)).statusCode, 303);
    assert.equal((await browser.get('/account')).statusCode, 200);

    // The attacker's page links (top-level GET, SameSite=Lax cookies go along) to end-session.
    const page = await browser.get('/oidc/end-session', { 'sec-fetch-site': 'cross-site' });
    const csp = String(page.headers["content-security-policy"]);
    const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page.body);
    if (form && /name="logout" value="yes"/.test(form[2]!) && /'sha256-/.test(csp)) {
      // What the browser does: the inline script (allowed by its sha) submits the form at once.
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(form[2]!)![1]!;
      await browser.post(new URL(form[1]!).pathname, { xsrf, logout: 'yes' });
    }
    assert.equal((await browser.get('/account')).statusCode, 200, 'the Ingang login must survive a cross-site link');
    assert.doesNotMatch(page.body, /document\.forms\[0\]\.submit\(\)/, 'no auto-submitting logout page');
    assert.doesNotMatch(csp, /'sha256-/, 'Ingang’s CSP, no inline script allowed');
    assert.match(page.body, /<title>Log out\?/, 'Ingang’s own question instead');
  });
});
