// Journey (b), in a real browser: forgot password end to end, with the mails over SMTP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createActiveAccount, createTestOrg } from '../harness.js';
import { browserSkip, checkAccessibility, navigating, linkIn, useBrowserServer } from './server.js';

describe('browser: forgot password → mail → new password → log in', { skip: browserSkip() }, () => {
  const s = useBrowserServer();

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await navigating(page, () => page.getByRole('button', { name: 'Log in' }).click());
  }

  test('an active client resets a forgotten password through the mailed link', { timeout: 120_000 }, async () => {
    const server = s();
    const org = await createTestOrg(server.t);
    const origin = server.origin(org);
    const oldPassword = 'copper violin at 3 dawns';
    const newPassword = 'seven green herons wade!';
    const client = await createActiveAccount(server.t, org, { role: 'client', name: 'Bram Jansen', password: oldPassword });

    const page = await server.newPage();
    await page.goto(`${origin}/login`);
    await checkAccessibility(page, 'login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL((url) => url.pathname === '/password/forgot');
    await checkAccessibility(page, 'forgot form');

    const mark = server.smtp.mark();
    await page.getByLabel('E-mail address').fill(client.email);
    await navigating(page, () => page.getByRole('button', { name: 'Send the link' }).click());
    await checkAccessibility(page, 'forgot: check your e-mail');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Check your e-mail');

    const resetMail = await server.smtp.waitFor(client.email, /Set a new password/, { after: mark });
    assert.match(resetMail.subject, new RegExp(org.name));
    const link = linkIn(resetMail, '/password/reset/');
    assert.ok(link.startsWith(`${origin}/password/reset/`), `reset link ${link} should start with ${origin}/password/reset/`);

    await page.goto(link);
    await checkAccessibility(page, 'reset form');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Choose a new password');
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await checkAccessibility(page, 'login after reset');
    await assert.doesNotReject(page.getByRole('status').getByText('Your password has been changed. Log in with your new password.').waitFor());

    // The old password no longer works; the error is tied to the e-mail field.
    await logIn(page, client.email, oldPassword);
    assert.equal(new URL(page.url()).pathname, '/login');
    await checkAccessibility(page, 'login refused');
    assert.match((await page.locator('#email-error').textContent()) ?? '', /e-mail address or password is not right/);
    assert.equal(await page.getByLabel('E-mail address').inputValue(), client.email, 'the form keeps the address');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the form keeps no password');

    // The new one does.
    await logIn(page, client.email, newPassword);
    assert.equal(new URL(page.url()).pathname, '/');
    await checkAccessibility(page, 'home');
    await assert.doesNotReject(page.getByRole('main').getByText('You are logged in as Bram Jansen').waitFor());

    // The link was single use.
    await page.goto(link);
    await checkAccessibility(page, 'used reset link');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'This link no longer works');

    // And a "your password was changed" mail went out.
    const changed = await server.smtp.waitFor(client.email, /password .* was changed/, { after: mark });
    assert.match(changed.text, /was just changed/);
  });
});
