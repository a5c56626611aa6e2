// Journey (a), in a real browser: a professional creates a client, the welcome mail arrives over
// SMTP, the client sets a password (a too-common one first), looks around, logs out, logs in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createActiveAccount, createTestOrg } from '../harness.js';
import { browserSkip, checkAccessibility, navigating, linkIn, useBrowserServer } from './server.js';

describe('browser: welcome → set password → look around → logout → login', { skip: browserSkip() }, () => {
  const s = useBrowserServer();

  async function follow(page: Page, click: () => Promise<void>, path: string | RegExp): Promise<void> {
    await click();
    await page.waitForURL((url) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname + url.search)));
    await checkAccessibility(page);
  }

  test('a professional creates a client, who sets a password through the welcome mail', { timeout: 120_000 }, async () => {
    const server = s();
    const org = await createTestOrg(server.t);
    const origin = server.origin(org);
    const pro = await createActiveAccount(server.t, org, { role: 'professional', name: 'Dr. Pro Fessional', password: 'quiet lantern over 7 hills' });

    // The professional logs in and creates the client.
    const staff = await server.newPage();
    await staff.goto(`${origin}/login`);
    await checkAccessibility(staff, 'login');
    await staff.getByLabel('E-mail address').fill(pro.email);
    await staff.getByLabel('Password', { exact: true }).fill(pro.password);
    await follow(staff, () => staff.getByRole('button', { name: 'Log in' }).click(), '/');
    await assert.doesNotReject(staff.getByRole('main').getByText(/You are logged in as Dr\. Pro Fessional/).waitFor());

    await follow(staff, () => staff.getByRole('main').getByRole('link', { name: 'Manage accounts' }).click(), '/staff/accounts');
    await follow(staff, () => staff.getByRole('link', { name: 'New account' }).click(), '/staff/accounts/new');
    const clientName = 'Anna <de Vries>';
    const clientEmail = `Anna.${org.slug}@Example.org`;
    const mark = server.smtp.mark();
    await staff.getByLabel('Name', { exact: true }).fill(clientName);
    await staff.getByLabel('E-mail address').fill(clientEmail);
    await staff.getByLabel('Role').selectOption('client');
    await follow(staff, () => staff.getByRole('button', { name: 'Create account and send welcome e-mail' }).click(), /^\/staff\/accounts\/[^/]+\?done=created$/);
    assert.equal(await staff.getByRole('heading', { level: 1 }).textContent(), clientName);
    await assert.doesNotReject(staff.getByRole('status').getByText('The account has been created and the welcome e-mail sent.').waitFor());

    // The staff list now shows the client, still invited.
    await follow(staff, () => staff.getByRole('link', { name: 'Back to the accounts' }).click(), '/staff/accounts');
    const row = staff.getByRole('row').filter({ hasText: clientEmail });
    await assert.doesNotReject(row.getByText('Invited (no password yet)').waitFor());

    // The welcome mail went out over SMTP, with a link on the org's own host.
    const mail = await server.smtp.waitFor(clientEmail, /Welcome to/, { after: mark });
    assert.match(mail.subject, new RegExp(org.name));
    const link = linkIn(mail, '/welcome/');
    assert.ok(link.startsWith(`${origin}/welcome/`), `welcome link ${link} should start with ${origin}/welcome/`);

    // The client opens it in a browser of their own.
    const client = await server.newPage();
    await client.goto(link);
    await checkAccessibility(client, 'welcome form');
    assert.equal(await client.getByRole('heading', { level: 1 }).textContent(), 'Set your password');

    // A too-common password is refused, the error is tied to the field and nothing is kept.
    // (password1234 is refused under the default policy for lacking a special character;
    // qwerty123456 is in the top-10,000 list, so its message names that reason.)
    for (const [refused, reason] of [
      ['password1234', /not a letter or digit|used a lot/],
      ['qwerty123456', /used a lot/],
      ['Welkom12345!', /too easy to guess/],
    ] as const) {
      await client.getByLabel('New password', { exact: true }).fill(refused);
      await client.getByLabel('Repeat the new password').fill(refused);
      await navigating(client, () => client.getByRole('button', { name: 'Set password' }).click());
      await checkAccessibility(client, `welcome form refusing ${refused}`);
      assert.match(await client.title(), /^Error: /);
      const password = client.locator('#password');
      assert.equal(await password.getAttribute('aria-invalid'), 'true');
      const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
      assert.ok(describedBy.split(' ').includes('password-error'), `aria-describedby="${describedBy}" should name password-error`);
      assert.match((await client.locator('#password-error').textContent()) ?? '', reason);
      assert.equal(await client.getByRole('alert').getByRole('link', { name: reason }).getAttribute('href'), '#password');
      assert.equal(await client.getByLabel('New password', { exact: true }).inputValue(), '');
      assert.equal(await client.getByLabel('Repeat the new password').inputValue(), '');
      assert.ok(!(await client.content()).includes(refused), `the refused password ${refused} must not come back in the page`);
    }

    // The hint while typing asks the server, so it never calls strong what the form refuses (SPEC 3).
    const clientPassword = 'amber kettle sings 4 owls';
    const hint = client.locator('#password-strength');
    await client.getByLabel('New password', { exact: true }).fill('Welkom12345!');
    await assert.doesNotReject(hint.getByText(/too easy to guess/).waitFor());
    assert.ok(Number(await hint.getAttribute('data-score')) <= 2, 'a refused password is never "good"');
    await client.getByLabel('New password', { exact: true }).fill(clientPassword);
    await assert.doesNotReject(hint.getByText(/^Strength: (good|strong)$/).waitFor());

    // A good password logs the client in and shows their name.
    await client.getByLabel('New password', { exact: true }).fill(clientPassword);
    await client.getByLabel('Repeat the new password').fill(clientPassword);
    await follow(client, () => client.getByRole('button', { name: 'Set password' }).click(), '/');
    await assert.doesNotReject(client.getByRole('main').getByText(`You are logged in as ${clientName}`).waitFor());

    // Around the account and the help pages.
    await follow(client, () => client.getByRole('navigation').getByRole('link', { name: 'My account' }).click(), '/account');
    await follow(client, () => client.getByRole('link', { name: 'Change password' }).click(), '/account/password');
    await follow(client, () => client.getByRole('contentinfo').getByRole('link', { name: 'Help with logging in' }).click(), '/help');
    await follow(client, () => client.getByRole('contentinfo').getByRole('link', { name: 'Tips for a strong password', exact: true }).click(), '/help/passwords');

    // Log out, and log in again with the address in another case.
    await follow(client, () => client.getByRole('navigation').getByRole('button', { name: 'Log out' }).click(), '/login');
    await assert.doesNotReject(client.getByRole('status').getByText('You have been logged out.').waitFor());
    await client.goto(`${origin}/`);
    assert.equal(new URL(client.url()).pathname, '/login', 'after logging out, / asks to log in');
    await checkAccessibility(client, 'login after logout');
    await client.getByLabel('E-mail address').fill(clientEmail.toLowerCase());
    await client.getByLabel('Password', { exact: true }).fill(clientPassword);
    await follow(client, () => client.getByRole('button', { name: 'Log in' }).click(), '/');
    await assert.doesNotReject(client.getByRole('main').getByText(`You are logged in as ${clientName}`).waitFor());

    // The staff list shows the client as active now.
    await staff.reload();
    await checkAccessibility(staff, 'staff list after welcome');
    await assert.doesNotReject(staff.getByRole('row').filter({ hasText: clientEmail }).getByText('Active').waitFor());
  });
});
