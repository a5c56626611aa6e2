/**
 * Attack review 2 (fixed), in Chromium: a page on another site sends the browser to
 * /oidc/end-session; a user logged in to Ingang with no provider session in this browser was
 * logged out without seeing a question (oidc-provider's auto-submitting form). Now Ingang asks.
 * SECURITY 20: logout needs a token; GET never changes state.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { describe, test } from 'node:test';
import { createActiveAccount, createTestOrg, hostOf } from '../harness.js';
import { browserSkip, useBrowserServer } from './server.js';

describe('SPEC 10 attacked (Chromium): logout CSRF through end-session', { skip: browserSkip() }, () => {
  const s = useBrowserServer();
  test('a link on another site does not end the Ingang login', async () => {
    const org = await createTestOrg(s().t);
    const user = await createActiveAccount(s().t, org);
    const target = `${s().origin(org)}/oidc/end-session`;
    const evil: Server = createServer((_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>cats</title><a id="go" href="${target}">cute cats</a>`));
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const page = await (await s().newContext()).newPage();
      await page.goto(`${s().origin(org)}/login`);
      await page.getByLabel('E-mail address').fill(user.email);
      await page.getByLabel('Password', { exact: true }).fill(user.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL((url) => url.host.startsWith(hostOf(org)) && url.pathname !== '/login');
      await page.goto(`${s().origin(org)}/account`);
      assert.equal(new URL(page.url()).pathname, '/account', 'logged in');

      await page.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
      await page.click('#go');
      await page.waitForLoadState('networkidle');
      await page.goto(`${s().origin(org)}/account`);
      assert.equal(new URL(page.url()).pathname, '/account', `a link from another site logged the user out of Ingang (now at ${page.url()})`);
    } finally {
      await new Promise<void>((resolve) => evil.close(() => resolve()));
    }
  });
});
