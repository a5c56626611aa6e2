// Issue 12's "what people stumbled on", the parts a page's HTML shows (the browser journey
// test/browser/look.test.ts covers focus, widths and looks).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listAuditEvents } from '../../src/audit/audit.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('issue 12: stumbles fixed', () => {
  test('7. an empty login form says per field what is missing, in field order, and tries nothing', async () => {
    const org = await createTestOrg(t, { locale: 'nl' });
    const browser = new TestBrowser(t.app, hostOf(org), { 'accept-language': 'nl' });
    await browser.get('/login');
    const empty = await browser.post('/login', { email: '', password: '' });
    assert.equal(empty.statusCode, 400);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(empty.body)![0];
    assert.match(summary, /<li><a href="#email">Vul je e-mailadres in\.<\/a><\/li><li><a href="#password">Vul je wachtwoord in\.<\/a><\/li>/);
    assert.doesNotMatch(empty.body, /klopt niet/, 'not "e-mail address or password is wrong"');
    const onlyPassword = await browser.post('/login', { email: 'someone@example.org', password: '' });
    assert.match(onlyPassword.body, /id="password-error">Vul je wachtwoord in\./);
    assert.doesNotMatch(onlyPassword.body, /id="email-error"/);
    assert.match(onlyPassword.body, /value="someone@example.org"/, 'what was typed is kept');
    assert.equal((await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'login_failed', limit: 10 })).length, 0, 'nothing was tried');
  });

  test('9. the error summary takes the focus when the page loads', async () => {
    const org = await createTestOrg(t);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/login');
    const empty = await browser.post('/login', { email: '', password: '' });
    assert.match(empty.body, /<div class="error-summary" role="alert" tabindex="-1" id="error-summary" aria-labelledby="error-summary-title" autofocus>/);
  });

  test('8. the recovery codes are numbered; Print is hidden until its script shows it', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await enableTotp(t, browser);
    await browser.get('/account/2fa');
    const fresh = await browser.post('/account/2fa/recovery-codes/new', { password: user.password });
    const page = fresh.headers.location ? await browser.get(fresh.headers.location) : fresh;
    assert.match(page.body, /<ol class="recovery-codes">(<li><code>[^<]+<\/code><\/li>)+<\/ol>/);
    assert.match(page.body, /<button type="button" class="secondary" data-print hidden>/);
    assert.match(page.body, /<script src="\/static\/print\.js\?v=[0-9a-f]+" defer><\/script>/);
  });
});
