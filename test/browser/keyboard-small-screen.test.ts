// Journey (c), in a real browser: at 320 CSS px wide nothing scrolls sideways, and the login form
// works with the keyboard alone, with a visible focus indicator.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createActiveAccount, createTestOrg } from '../harness.js';
import { browserSkip, checkAccessibility, navigating, horizontalOverflow, useBrowserServer } from './server.js';

const width = 320;

async function assertNoSidewaysScroll(page: Page): Promise<void> {
  const { scrollWidth, viewport } = await horizontalOverflow(page);
  assert.equal(viewport, width);
  assert.ok(scrollWidth <= width, `${new URL(page.url()).pathname} is ${scrollWidth} px wide at a ${width} px viewport: it scrolls sideways`);
}

/** Tabs (at most `limit` times) until the element with this id has focus. */
async function tabTo(page: Page, id: string, limit = 20): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : '';
    });
    seen.push(focused);
    if (focused.endsWith(`#${id}`)) return;
  }
  assert.fail(`#${id} never got focus after ${limit} Tab presses; focus went through: ${seen.join(' → ')}`);
}

/** The focused element's outline, which must show (WCAG 2.4.7). */
async function focusOutline(page: Page): Promise<{ style: string; width: string; color: string; visible: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return { style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor, visible: el.matches(':focus-visible') };
  });
}

async function assertVisibleFocus(page: Page, what: string): Promise<void> {
  const outline = await focusOutline(page);
  assert.ok(outline.visible, `${what} should match :focus-visible after keyboard focus`);
  assert.notEqual(outline.style, 'none', `${what} has no focus outline`);
  assert.ok(parseFloat(outline.width) >= 2, `${what} focus outline is only ${outline.width} wide`);
}

describe('browser: keyboard only, 320 px wide', { skip: browserSkip() }, () => {
  const s = useBrowserServer();

  test('the login form fits 320 px and works with Tab, typing and Enter', { timeout: 120_000 }, async () => {
    const server = s();
    const org = await createTestOrg(server.t, { name: 'Huisartsenpraktijk De Lange Weg en Omstreken' });
    const origin = server.origin(org);
    const client = await createActiveAccount(server.t, org, { role: 'client', name: 'Chris Keyboard', password: 'tabs and enter keys only!' });

    const page = await server.newPage({ viewport: { width, height: 640 } });
    await page.goto(`${origin}/login`);
    await checkAccessibility(page, 'login at 320 px');
    await assertNoSidewaysScroll(page);

    // The first Tab reaches the skip link, which then shows on screen.
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true, 'the first Tab focuses the skip link');
    const box = await skip.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= width, `the focused skip link should be on screen, is at ${JSON.stringify(box)}`);
    await assertVisibleFocus(page, 'the skip link');

    await tabTo(page, 'email');
    await assertVisibleFocus(page, 'the e-mail field');
    await page.keyboard.type(client.email);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'password', 'Tab from the e-mail field goes to the password field');
    await assertVisibleFocus(page, 'the password field');
    await page.keyboard.type(client.password);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/');
    await checkAccessibility(page, 'home at 320 px');
    await assertNoSidewaysScroll(page);
    await assert.doesNotReject(page.getByRole('main').getByText('You are logged in as Chris Keyboard').waitFor());

    // The other pages a client sees fit too.
    for (const path of ['/account', '/account/password', '/help', '/help/passwords']) {
      await page.goto(`${origin}${path}`);
      assert.equal(new URL(page.url()).pathname, path);
      await checkAccessibility(page, `${path} at 320 px`);
      await assertNoSidewaysScroll(page);
    }
  });

  test('the forgot-password form fits 320 px and its error shows, tied to the field', { timeout: 60_000 }, async () => {
    const server = s();
    const org = await createTestOrg(server.t);
    const page = await server.newPage({ viewport: { width, height: 640 } });
    await page.goto(`${server.origin(org)}/password/forgot`);
    await checkAccessibility(page, 'forgot at 320 px');
    await assertNoSidewaysScroll(page);
    await tabTo(page, 'email');
    await page.keyboard.type('not an address');
    await navigating(page, () => page.keyboard.press('Enter'));
    await checkAccessibility(page, 'forgot with error at 320 px');
    await assertNoSidewaysScroll(page);
    assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#email').getAttribute('aria-describedby')) ?? '', /\bemail-error\b/);
    assert.equal(await page.locator('#email').inputValue(), 'not an address', 'the form keeps what was typed');
  });
});
