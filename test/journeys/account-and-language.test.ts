import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAccountByEmail } from '../../src/accounts/accounts.js';
import { noRequestContext } from '../../src/audit/audit.js';
import { createAccount } from '../../src/flows/staff/create-account.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, strongPassword, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('/account', () => {
  test('name and language can be changed; the language then wins over the browser', async () => {
    const org = await createTestOrg(t, { locale: 'en' });
    const user = await createActiveAccount(t, org, { name: 'Old Name' });
    const browser = new TestBrowser(t.app, hostOf(org), { 'accept-language': 'en-GB,en;q=0.9' });
    await browser.login(user.email, user.password);
    const page = await browser.get('/account');
    assert.match(page.body, /value="Old Name"/);
    const bad = await browser.post('/account', { name: '', locale: 'de' });
    assert.equal(bad.statusCode, 200);
    assert.match(bad.body, /Enter your name/);
    assert.match(bad.body, /Choose Nederlands or English/);
    await browser.get('/account');
    const saved = await browser.post('/account', { name: 'New Name', locale: 'nl' });
    assert.equal(saved.statusCode, 303);
    const after = await browser.get('/account?saved=1');
    assert.match(after.body, /<html lang="nl"[ >]/);
    assert.match(after.body, /Je gegevens zijn opgeslagen/);
    assert.match(after.body, /value="New Name"/);
  });

  test('changing the password asks the current one, applies the rules and mails the user', async () => {
    const org = await createTestOrg(t, { name: 'Zonnehuis' });
    const user = await createActiveAccount(t, org, { email: 'jansen@example.org' });
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account/password');
    const wrong = await browser.post('/account/password', { currentPassword: 'not it at all!', password: 'fresh new passphrase', passwordConfirm: 'fresh new passphrase' });
    assert.match(wrong.body, /Your current password is not right/);
    const rules: [string, string, RegExp][] = [
      ['short!', 'short!', /at least 12 characters/],
      ['noSpecialCharacters1', 'noSpecialCharacters1', /not a letter or digit/],
      ['jansen is my name!', 'jansen is my name!', /may not contain your e-mail address/],
      ['Zonnehuis rocks 2026', 'Zonnehuis rocks 2026', /name of this organization/],
      [strongPassword, strongPassword, /other than your current one/],
      ['fresh new passphrase', 'fresh new passphrase!', /do not match/],
      ['x'.repeat(129) + '!', 'x'.repeat(129) + '!', /at most 128 characters/],
    ];
    for (const [password, passwordConfirm, problem] of rules) {
      const refused = await browser.post('/account/password', { currentPassword: user.password, password, passwordConfirm });
      assert.equal(refused.statusCode, 200);
      assert.match(refused.body, problem, password);
      assert.ok(!refused.body.includes(password), 'the password is not echoed');
      assert.match(refused.body, /aria-invalid="true"/);
    }
    const ok = await browser.post('/account/password', { currentPassword: user.password, password: 'fresh new passphrase ünïcode', passwordConfirm: 'fresh new passphrase ünïcode' });
    assert.equal(ok.statusCode, 303);
    await t.jobs.runDue();
    assert.match(t.mail.last(user.email).subject, /password/i);
    // NFKC: the same password typed in another normalization form still works.
    const decomposed = 'fresh new passphrase ünïcode'.normalize('NFD');
    assert.equal((await new TestBrowser(t.app, hostOf(org)).login(user.email, decomposed)).statusCode, 303);
  });
});

describe('/account/activity', () => {
  test('the activity page shows the user’s own events, and no staff addresses', async () => {
    const org = await createTestOrg(t);
    const user = await createActiveAccount(t, org);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    await t.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(org) } });
    const staff = await loggedInBrowser(t, org, helpdesk);
    await staff.get(`/staff/accounts/${user.id}`);
    await t.app.inject({
      method: 'POST',
      url: `/staff/accounts/${user.id}/action`,
      remoteAddress: '10.99.88.77',
      headers: { host: hostOf(org), origin: `http://${hostOf(org)}`, cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: staff.lastCsrf!, action: 'send_reset', reason: 'asked by phone' }).toString(),
    });
    const browser = await loggedInBrowser(t, org, user);
    const page = await browser.get('/account/activity');
    assert.match(page.body, /A staff member sent you a link to reset your password \(by a staff member\)/);
    assert.doesNotMatch(page.body, /10\.99\.88\.77/);
    const staffPage = await staff.get('/account/activity');
    assert.doesNotMatch(staffPage.body, /sent you a link to reset your password/, 'staff see their own security events, not their work on others');
  });
});

describe('language (SPEC 4)', () => {
  test('a refused password gets its reason and a strength tip in the page’s language', async () => {
    const org = await createTestOrg(t, { locale: 'nl' });
    const user = await createActiveAccount(t, org);
    const browser = await loggedInBrowser(t, org, user);
    await browser.get('/account');
    await browser.post('/account', { name: user.name, locale: 'nl' });
    await browser.get('/account/password');
    const refused = await browser.post('/account/password', { currentPassword: user.password, password: 'qwerty123456', passwordConfirm: 'qwerty123456' });
    assert.match(refused.body, /wordt veel gebruikt/);
    assert.match(refused.body, /Tip: [^<]+</);
    assert.doesNotMatch(refused.body, /qwerty123456/);
  });

  test("the org default, then Accept-Language, then the page's switch decide for anonymous visitors", async () => {
    const org = await createTestOrg(t, { locale: 'nl' });
    const plain = await t.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(org) } });
    assert.match(plain.body, /<html lang="nl"[ >]/);
    assert.match(plain.body, /Inloggen/);
    const english = await t.app.inject({ method: 'GET', url: '/login', headers: { host: hostOf(org), 'accept-language': 'en-US,en;q=0.8' } });
    assert.match(english.body, /<html lang="en"[ >]/);
    const browser = new TestBrowser(t.app, hostOf(org), { 'accept-language': 'en' });
    const switched = await browser.get('/help?lang=nl');
    assert.match(switched.body, /<html lang="nl"[ >]/);
    assert.match((await browser.get('/login')).body, /<html lang="nl"[ >]/, 'the choice sticks');
  });

  test('e-mails go out in the recipient’s language', async () => {
    const org = await createTestOrg(t, { locale: 'en' });
    await createAccount(t.deps, org, null, noRequestContext, { email: 'dutch@example.org', name: 'Dutch', role: 'client', locale: 'nl' });
    await createAccount(t.deps, org, null, noRequestContext, { email: 'english@example.org', name: 'English', role: 'client', locale: '' });
    await t.jobs.runDue();
    assert.match(t.mail.last('dutch@example.org').subject, /Welkom/);
    assert.match(t.mail.last('english@example.org').subject, /Welcome/);
  });
});

describe('self-registration (SPEC 4.2)', () => {
  test('does not exist unless the org allows it', async () => {
    const org = await createTestOrg(t);
    const browser = new TestBrowser(t.app, hostOf(org));
    assert.equal((await browser.get('/register')).statusCode, 404);
    await browser.get('/login');
    assert.equal((await browser.post('/register', { email: 'a@example.org', name: 'A' })).statusCode, 404);
  });

  test('a new address gets a link that works like a welcome link; a known one gets a notice; the answers are equal', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    const existing = await createActiveAccount(t, org, { email: 'known@example.org' });
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/register');
    const fresh = await browser.post('/register', { email: 'fresh@example.org', name: 'Fresh Client' });
    const known = await browser.post('/register', { email: 'known@example.org', name: 'Someone Else' });
    assert.equal(fresh.statusCode, 200);
    const normalize = (body: string) => body.replace(/fresh@example\.org|known@example\.org/g, 'X');
    assert.equal(normalize(fresh.body), normalize(known.body));
    await t.jobs.runDue();
    const notice = t.mail.last('known@example.org');
    assert.match(notice.text, /\/login/);
    assert.match(notice.text, /\/password\/forgot/);
    assert.equal((await findAccountByEmail(t.deps.db, org.tenantId, 'known@example.org'))!.name, existing.name, 'no second account, nothing changed');

    const link = t.mail.linkIn(t.mail.last('fresh@example.org'), '/welcome/');
    await browser.get(link);
    assert.equal((await browser.post(link, { password: strongPassword, passwordConfirm: strongPassword })).statusCode, 303);
    const account = await findAccountByEmail(t.deps.db, org.tenantId, 'fresh@example.org');
    assert.equal(account!.role, 'client');
    assert.equal(account!.state, 'active');
  });
});

describe('SECURITY 26: CR/LF never reaches a mail header', () => {
  test('self-registration refuses a name with a line break', async () => {
    const org = await createTestOrg(t, { policy: { selfRegistration: true } });
    const browser = new TestBrowser(t.app, hostOf(org));
    await browser.get('/register');
    const response = await browser.post('/register', { email: 'crlf@example.org', name: 'Eve\r\nBcc: evil@example.org' });
    assert.match(response.body, /Enter your name/);
    await t.jobs.runDue();
    assert.equal(t.mail.to('crlf@example.org').length, 0);
  });

  test('a name with a line break is refused when staff create an account', async () => {
    const org = await createTestOrg(t);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const browser = await loggedInBrowser(t, org, admin);
    await browser.get('/staff/accounts/new');
    const response = await browser.post('/staff/accounts/new', { email: 'victim@example.org\r\nBcc: evil@example.org', name: 'Evil\r\nBcc: evil@example.org', role: 'client', locale: '' });
    assert.equal(response.statusCode, 200);
    await t.jobs.runDue();
    assert.equal(t.mail.sent.filter((m) => /evil/.test(m.to)).length, 0);
    assert.equal(await findAccountByEmail(t.deps.db, org.tenantId, 'victim@example.org'), null);
  });
});
