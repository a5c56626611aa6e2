import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, strongPassword, type TestApp } from '../harness.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('welcome → set password → logged in → logout → login', () => {
  test('a professional creates a client who sets a password through the welcome link', async () => {
    const org = await createTestOrg(t);
    const pro = await createActiveAccount(t, org, { role: 'professional' });
    const staff = new TestBrowser(t.app, hostOf(org));
    assert.equal((await staff.login(pro.email, pro.password)).statusCode, 303);
    await staff.get('/staff/accounts/new');
    const created = await staff.post('/staff/accounts/new', { email: 'Client.One@Example.org', name: 'Client <One>', role: 'client', locale: 'nl' });
    assert.equal(created.statusCode, 303, created.body);
    await t.jobs.runDue();
    const mail = t.mail.last('Client.One@Example.org');
    assert.match(mail.subject, new RegExp(org.name));
    const link = t.mail.linkIn(mail, '/welcome/');
    assert.match(mail.text, new RegExp(`http://${org.slug}\\.localhost:3000/welcome/`));

    const client = new TestBrowser(t.app, hostOf(org));
    const page = await client.get(link);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="password"/);
    const set = await client.post(link, { password: strongPassword, passwordConfirm: strongPassword });
    assert.equal(set.statusCode, 303, set.body);
    assert.equal(set.headers.location, '/');
    const home = await client.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Client &lt;One&gt;/);

    const out = await client.post('/logout', {});
    assert.equal(out.statusCode, 303);
    assert.equal((await client.get('/')).statusCode, 303);

    const again = await client.login('client.one@example.org', strongPassword);
    assert.equal(again.statusCode, 303, again.body);
    assert.equal((await client.get('/')).statusCode, 200);
  });
});
