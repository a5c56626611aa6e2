// Issue 12, in a real browser: an organization's own look (its colour, logo and favicon, set on
// /admin/branding) on the main pages in Dutch, at 320 and at 1280 px wide. At both widths no page
// scrolls sideways, no text runs out of its box, axe finds nothing; the screenshots of each page
// are written to docs/screenshots/ for the README.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { noRequestContext } from '../../src/audit/audit.js';
import { projectRoot } from '../../src/core/project-root.js';
import { changeOrganizationBranding } from '../../src/flows/staff/branding.js';
import { findOrganizationBySlug } from '../../src/tenants/organizations.js';
import { createActiveAccount, createTestOrg } from '../harness.js';
import { checkLighthouse } from './lighthouse.js';
import { browserSkip, checkAccessibility, horizontalOverflow, navigating, textOutsideItsBox, useBrowserServer, wordsBrokenMidLetter } from './server.js';

const screenshots = join(projectRoot, 'docs', 'screenshots');
const widths = [320, 1280] as const;
const logo = readFileSync(join(projectRoot, 'test', 'fixtures', 'zonnehof-logo.svg'));

/** Checks the page as it is at both widths, writes its screenshots, and has Lighthouse audit it. */
async function shoot(page: Page, name: string, debuggingPort: number): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: width === 320 ? 640 : 900 });
    await checkAccessibility(page, `${name} at ${width} px`);
    const { scrollWidth, viewport } = await horizontalOverflow(page);
    assert.ok(scrollWidth <= viewport, `${name} is ${scrollWidth} px wide at ${viewport} px: it scrolls sideways`);
    assert.deepEqual(await textOutsideItsBox(page), [], `${name} at ${width} px has text wider than its box`);
    assert.deepEqual(await wordsBrokenMidLetter(page), [], `${name} at ${width} px breaks words mid-letter`);
    await page.screenshot({ path: join(screenshots, `${name}-${width}.png`), fullPage: true });
  }
  await checkLighthouse(page, debuggingPort, name);
}

describe('browser: the organization\'s own look, in Dutch, at 320 and 1280 px', { skip: browserSkip() }, () => {
  const s = useBrowserServer();

  test('pages carry the logo, colour and favicon; every main page fits both widths', { timeout: 1_200_000 }, async () => {
    const server = s();
    await mkdir(screenshots, { recursive: true });
    const created = await createTestOrg(server.t, { name: 'Huisartsenpraktijk Zonnehof', locale: 'nl' });
    const branded = await changeOrganizationBranding(server.t.deps, created, { kind: 'operator' }, noRequestContext, { color: '#00664f', logo });
    assert.ok(branded.ok, JSON.stringify(branded));
    const org = (await findOrganizationBySlug(server.t.deps.db, created.slug))!;
    const origin = server.origin(org);
    const admin = await createActiveAccount(server.t, org, { role: 'admin', name: 'Sanne Beheerder', email: `sanne.${org.slug}@example.org`, password: 'rustige lantaarn op 7 heuvels' });
    const client = await createActiveAccount(server.t, org, { role: 'client', name: 'Fatima el Amrani', email: `fatima.${org.slug}@example.org`, password: 'zonnige ochtend aan het meer' });
    const dutch = { locale: 'nl-NL', extraHTTPHeaders: { 'Accept-Language': 'nl' } };

    const page = await server.newPage({ ...dutch, viewport: { width: 1280, height: 900 } });
    await page.goto(`${origin}/login`);
    // The header band: the logo (decorative beside the name), the name, the brand colour.
    const header = page.locator('header.site-header');
    assert.equal(await header.getByRole('link', { name: 'Huisartsenpraktijk Zonnehof' }).count(), 1);
    const logoSrc = await header.locator('img.org-logo').getAttribute('src');
    assert.match(logoSrc ?? '', /^\/brand\/logo\?v=[0-9a-f]{16}$/);
    assert.equal(await header.evaluate((el) => getComputedStyle(el).borderBottomColor), 'rgb(0, 102, 79)');
    assert.equal(await page.getByRole('button', { name: 'Inloggen' }).first().evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(0, 102, 79)');
    const favicon = await page.locator('link[rel=icon]').getAttribute('href');
    const faviconAnswer = await page.evaluate(async (href) => {
      const answer = await fetch(href!);
      return { type: answer.headers.get('content-type'), body: await answer.text() };
    }, favicon);
    assert.equal(faviconAnswer.type, 'image/svg+xml');
    assert.equal(faviconAnswer.body, logo.toString('utf8'), 'without a favicon of its own the logo is the favicon');
    // The font is the NL Design System theme's, served from here.
    assert.match(await page.evaluate(() => getComputedStyle(document.body).fontFamily), /Noto Sans Variable/);
    await shoot(page, 'inloggen', server.debuggingPort);

    // Submitting the empty form: errors per field, the summary first.
    await page.setViewportSize({ width: 1280, height: 900 });
    await navigating(page, () => page.getByRole('button', { name: 'Inloggen' }).first().click());
    // Stumble 9: the focus is on the summary, which names each empty field in the form's order.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary');
    assert.deepEqual(await page.locator('#error-summary li').allTextContents(), ['Vul je e-mailadres in.', 'Vul je wachtwoord in.']);
    await shoot(page, 'inloggen-fouten', server.debuggingPort);

    await page.getByLabel('E-mailadres').fill(client.email);
    await page.getByLabel('Wachtwoord', { exact: true }).fill(client.password);
    await navigating(page, () => page.getByRole('button', { name: 'Inloggen' }).first().click());
    assert.equal(new URL(page.url()).pathname, '/');
    await shoot(page, 'start', server.debuggingPort);
    for (const [path, name] of [['/account', 'mijn-account'], ['/account/2fa', 'tweestapsverificatie'], ['/account/activity', 'activiteit'], ['/account/devices', 'apparaten']] as const) {
      await page.goto(`${origin}${path}`);
      await shoot(page, name, server.debuggingPort);
    }

    // Setting up an authenticator app, as a patient with one phone would see it.
    await page.goto(`${origin}/account/2fa/setup`);
    await page.getByLabel('Met een authenticator-app (aanbevolen)').check();
    await navigating(page, () => page.getByRole('button', { name: 'Verder' }).click());
    assert.equal(new URL(page.url()).pathname, '/account/2fa/setup/totp');
    assert.match((await page.getByRole('link', { name: 'Openen in de authenticator-app' }).getAttribute('href')) ?? '', /^otpauth:\/\/totp\//);
    await shoot(page, 'authenticator-koppelen', server.debuggingPort);

    const staff = await server.newPage({ ...dutch, viewport: { width: 1280, height: 900 } });
    await staff.goto(`${origin}/login`);
    await staff.getByLabel('E-mailadres').fill(admin.email);
    await staff.getByLabel('Wachtwoord', { exact: true }).fill(admin.password);
    await navigating(staff, () => staff.getByRole('button', { name: 'Inloggen' }).first().click());
    await staff.goto(`${origin}/staff/accounts`);
    await shoot(staff, 'accounts-beheren', server.debuggingPort);
    await staff.goto(`${origin}/staff/accounts/${client.id}`);
    await shoot(staff, 'account-van-client', server.debuggingPort);
    await staff.goto(`${origin}/admin/branding`);
    await shoot(staff, 'huisstijl', server.debuggingPort);
    await staff.goto(`${origin}/admin/audit`);
    await shoot(staff, 'auditlog', server.debuggingPort);
  });
});
