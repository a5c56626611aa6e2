// Issue 12's "what people stumbled on", the parts a page's HTML shows (the browser journey
// test/browser/look.test.ts covers focus, widths and looks).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listAuditEvents } from '../../src/audit/audit.js';
import { TestBrowser } from '../browser-client.js';
import { noRequestContext } from '../../src/audit/audit.js';
import { createAccount } from '../../src/flows/staff/create-account.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, invitedAccount, loggedInBrowser, strongPassword, type TestApp } from '../harness.js';
import { appClient } from '../app-helpers.js';
import { enableTotp, TestAuthenticator } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('issue 12: stumbles fixed', () => {
  test('1. the activity page speaks Dutch in sentences, one row per login, with the device, in the org\'s time zone', async () => {
    const org = await createTestOrg(t, { locale: 'nl', policy: { timeZone: 'America/Curacao' } });
    const user = await createActiveAccount(t, org);
    const phone = { 'user-agent': 'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36', 'accept-language': 'nl' };
    const setup = new TestBrowser(t.app, hostOf(org), phone);
    await setup.login(user.email, user.password);
    const { app } = await enableTotp(t, setup);
    // A later login with password and code: two audit rows, one line on the page.
    const browser = new TestBrowser(t.app, hostOf(org), phone);
    await browser.login(user.email, user.password);
    await browser.submit('/login/code', '/login/code', { code: app.code(t, 1) });
    const stranger = new TestBrowser(t.app, hostOf(org), { ...phone, 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/128.0' });
    await stranger.login(user.email, 'not the password at all');
    // Attack review: someone with the password but not the code is not "you logged in".
    const thief = new TestBrowser(t.app, hostOf(org), { ...phone, 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' });
    await thief.login(user.email, user.password);
    const page = await browser.get('/account/activity');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Iemand probeerde in te loggen met een verkeerd wachtwoord op Firefox \(Windows\)/);
    assert.match(page.body, /Je hebt tweestapsverificatie met een authenticator-app aangezet/);
    assert.match(page.body, /Iemand vulde je juiste wachtwoord in op Safari \(macOS\), maar niet de code\. Was jij dat niet\? Wijzig dan meteen je wachtwoord\./);
    assert.doesNotMatch(page.body, /Je bent ingelogd op Safari/);
    assert.doesNotMatch(page.body, /totp enabled|login_failed|login failed/, 'no raw event names');
    const logins = page.body.match(/Je bent ingelogd op Chrome \(Android\)/g) ?? [];
    assert.equal(logins.length, 2, 'two logins (the first with the password alone, the second with password and code), each one line');
    // Times in the org's zone: Curaçao is UTC−4 all year.
    const shown = /<time datetime="([^"]+)">([^<]+)<\/time>/.exec(page.body)!;
    const expected = new Intl.DateTimeFormat('nl-NL', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Curacao' }).format(new Date(shown[1]!));
    assert.equal(shown[2], expected);
  });

  test('5. the audit page names events and outcomes in Dutch, with local times; the CSV keeps the ids', async () => {
    const org = await createTestOrg(t, { locale: 'nl' });
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const client = await createActiveAccount(t, org);
    await new TestBrowser(t.app, hostOf(org)).login(client.email, 'not the password at all');
    const browser = new TestBrowser(t.app, hostOf(org), { 'accept-language': 'nl' });
    await browser.login(admin.email, admin.password);
    const page = await browser.get('/admin/audit');
    assert.match(page.body, /<td data-label="Gebeurtenis">Inloggen mislukt<br>mislukt<\/td>/);
    assert.match(page.body, /<option value="login_failed">Inloggen mislukt<\/option>/);
    assert.match(page.body, /<th scope="col">Tijd<\/th>/);
    assert.doesNotMatch(page.body, /<td[^>]*>[^<]*\d{4}-\d{2}-\d{2}T/, 'no ISO times in the table');
    const csv = await browser.get('/admin/audit.csv');
    assert.match(csv.body, /login_failed/);
    assert.match(csv.body, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  test('10. the language staff set for an account is used from the welcome link on, also after a refused password', async () => {
    const org = await createTestOrg(t, { locale: 'en' });
    const email = `nl-${org.slug}@example.org`;
    const created = await createAccount(t.deps, org, null, noRequestContext, { email, name: 'Sem', role: 'client', locale: 'nl' });
    assert.ok(created.ok);
    await t.jobs.runDue();
    const link = t.mail.linkIn(t.mail.last(email), '/welcome/');
    const browser = new TestBrowser(t.app, hostOf(org), { 'accept-language': 'en' });
    const page = await browser.get(link);
    assert.match(page.body, /<html lang="nl"/, 'Dutch, as staff chose, though the browser asks English');
    const refused = await browser.post(link, { password: 'password1234', passwordConfirm: 'password1234' });
    assert.match(refused.body, /<html lang="nl"/);
    assert.equal((await browser.get(`${link}?lang=en`)).body.match(/<html lang="(\w+)"/)![1], 'en', 'the visitor\'s own switch still wins');
  });

  test('11. after the welcome link a client sees what to do next: two-step verification (optional here), the app, help', async () => {
    const org = await createTestOrg(t);
    const email = `new-${org.slug}@example.org`;
    const { link } = await invitedAccount(t, org, email);
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get(link);
    const done = await browser.post(link, { password: strongPassword, passwordConfirm: strongPassword });
    assert.equal(done.headers.location, '/');
    const home = await browser.get('/');
    assert.match(home.body, /<h2>What you can do now<\/h2>/);
    assert.match(home.body, /<a href="\/account\/2fa\/setup">Turn on two-step verification<\/a>/);
    assert.match(home.body, /<a href="\/account\/app">Link the app<\/a>/);
    assert.match(home.body, /<a href="\/help">/);
    await enableTotp(t, browser);
    assert.doesNotMatch((await browser.get('/')).body, /Turn on two-step verification/, 'not once it is on');
  });

  test('6. a staff account page: each action its own form and reason; cutting off access stands apart and asks to confirm', async () => {
    const org = await createTestOrg(t);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const client = await createActiveAccount(t, org);
    const staff = await loggedInBrowser(t, org, helpdesk);
    const page = await staff.get(`/staff/accounts/${client.id}`);
    const forms = page.body.match(/<form method="post" action="\/staff\/accounts\/[^"]+\/action"[^>]*>[\s\S]*?<\/form>/g) ?? [];
    const actionOf = (form: string) => /name="action" value="([a-z_]+)"/.exec(form)![1];
    assert.deepEqual(forms.map(actionOf), ['send_reset', 'deactivate'], 'the everyday actions first, the one that cuts off last');
    assert.match(forms[1]!, /class="staff-action staff-action--danger"/);
    assert.match(forms[1]!, /<button type="submit" id="submit-deactivate" class="danger">/);
    assert.match(forms[0]!, /id="reason-send_reset"/);
    assert.match(page.body, /<h2>Cutting off access<\/h2>/);

    const unconfirmed = await staff.post(`/staff/accounts/${client.id}/action`, { action: 'deactivate', reason: 'left the practice' });
    assert.equal(unconfirmed.statusCode, 400);
    assert.match(unconfirmed.body, /id="confirm-deactivate-error">Tick the box/);
    assert.doesNotMatch(unconfirmed.body, /id="reason-deactivate-error"/, 'the reason was given');
    assert.match((await staff.get(`/staff/accounts/${client.id}`)).body, /Active/, 'nothing changed');
    const confirmed = await staff.post(`/staff/accounts/${client.id}/action`, { action: 'deactivate', reason: 'left the practice', confirm: 'yes' });
    assert.equal(confirmed.headers.location, `/staff/accounts/${client.id}?done=deactivate`);

    // The new-account form speaks to staff about the person, not to "you".
    await staff.get('/staff/accounts/new');
    const noName = await staff.post('/staff/accounts/new', { email: `x-${org.slug}@example.org`, name: '', role: 'client', locale: '' });
    assert.match(noName.body, /id="name-error">Enter the name \(at most 200 characters\)\./);
  });

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

  test('1. attack review: a device name chosen by whoever linked the app is shown as text, not as a replacement pattern or a direction override', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const app = appClient(t, org);
    const login = await app.loginWithPassword(user.email, user.password, "$` \u202Eenoh\u202C $' $& phone");
    assert.ok(login.ok, JSON.stringify(login));
    const browser = await loggedInBrowser(t, org, user);
    const page = await browser.get('/account/activity');
    assert.match(page.body, /The app was linked on \$` enoh \$&#39; \$&amp; phone/);
    assert.doesNotMatch(page.body, /\u202E/);
  });

  test('2. authenticator setup works on one phone: an otpauth link, what the app is, the key in fours; a wrong code says to try the newest', async () => {
    const org = await createTestOrg(t, { locale: 'nl' });
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/2fa/setup');
    await browser.post('/account/2fa/setup', { method: 'totp', phone: '' });
    const page = await browser.get('/account/2fa/setup/totp');
    const link = /<a class="button secondary" href="(otpauth:\/\/totp\/[^"]+)">Openen in de authenticator-app<\/a>/.exec(page.body);
    assert.ok(link, 'an "open in authenticator app" link');
    const uri = new URL(link[1]!.replace(/&amp;/g, '&'));
    const grouped = /<code class="secret">([A-Z2-7]{4}(?: [A-Z2-7]{1,4})+)<\/code>/.exec(page.body)![1]!;
    assert.equal(uri.searchParams.get('secret'), grouped.replace(/ /g, ''), 'the same secret as the QR code and the key');
    assert.match(page.body, /<h2 id="what-is-an-authenticator">Wat is een authenticator-app\?<\/h2>/);
    assert.match(page.body, /App Store of Google Play/);
    const wrong = await browser.post('/account/2fa/setup/totp', { code: '000000' === new TestAuthenticator(grouped.replace(/ /g, '')).code(t) ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 200);
    assert.match(wrong.body, /id="code-error">Die code is niet goed\. Probeer de nieuwste code die de app nu laat zien\./);
    assert.doesNotMatch(wrong.body, /al gebruikt/);
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
