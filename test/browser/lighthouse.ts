// Lighthouse (the npm package, driving the journeys' own Debian Chromium over its DevTools port;
// it never downloads a browser) on a page a journey visits, as a phone and as a desktop: issue 12
// asks accessibility 100 and best practices 100. See test/browser/README.md.
import assert from 'node:assert/strict';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import type { Page } from 'playwright-core';

const categories = ['accessibility', 'best-practices'] as const;

interface Failure {
  id: string;
  title: string;
}

/**
 * Runs Lighthouse on the page's URL in a new tab of the same Chromium (`debuggingPort`), with the
 * page's cookies, so a logged-in page is audited logged in; asserts a score of 100 in both
 * categories for both form factors, naming every audit that cost points.
 */
export async function checkLighthouse(page: Page, debuggingPort: number, label: string): Promise<void> {
  // For a quick local look at the layout only; CI never sets it.
  if (process.env.SKIP_LIGHTHOUSE === '1' && process.env.CI !== 'true') return;
  const url = page.url();
  const cookies = (await page.context().cookies(url)).map((c) => `${c.name}=${c.value}`).join('; ');
  const extraHeaders = { ...(cookies ? { Cookie: cookies } : {}), 'Accept-Language': (await page.evaluate(() => document.documentElement.lang)) || 'en' };
  for (const formFactor of ['mobile', 'desktop'] as const) {
    const flags = { port: debuggingPort, output: 'json' as const, logLevel: 'error' as const, onlyCategories: [...categories], extraHeaders, disableStorageReset: true, throttlingMethod: 'provided' as const, disableFullPageScreenshot: true, skipAboutBlank: true };
    const result = await lighthouse(url, flags, formFactor === 'desktop' ? desktopConfig : undefined);
    assert.ok(result, `Lighthouse gave no result for ${label}`);
    const { lhr } = result;
    assert.equal(lhr.runtimeError, undefined, `Lighthouse failed on ${label} (${formFactor}): ${JSON.stringify(lhr.runtimeError)}`);
    for (const category of categories) {
      const score = lhr.categories[category]?.score ?? 0;
      const failures: Failure[] = (lhr.categories[category]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0 && lhr.audits[ref.id]?.score !== null && (lhr.audits[ref.id]?.score ?? 1) < 1)
        .map((ref) => ({ id: ref.id, title: lhr.audits[ref.id]!.title }));
      assert.equal(Math.round(score * 100), 100, `Lighthouse ${category} on ${label} (${formFactor}) is ${Math.round(score * 100)}: ${failures.map((f) => `${f.id} (${f.title})`).join('; ')}`);
    }
  }
}
