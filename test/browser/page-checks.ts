// Checks on the pages of the browser journeys: axe-core, CSP violations and script errors, reflow,
// and waiting for a navigation. See test/browser/README.md.
import assert from 'node:assert/strict';
import axe from 'axe-core';
import type { Page } from 'playwright-core';

const pageProblems = new WeakMap<Page, string[]>();

/** Records Content-Security-Policy violations and uncaught script errors of a page. */
export function watchPage(page: Page): Page {
  const problems: string[] = [];
  pageProblems.set(page, problems);
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
  return page;
}

const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string; summary: string }[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is now and asserts zero
 * violations; also that the page had no CSP violation or script error so far. Axe is injected
 * with page.evaluate: DevTools-protocol evaluation is not subject to the page's CSP, so the
 * pages are tested under their real, strict CSP (bypassCSP would hide CSP breakage).
 */
export async function checkAccessibility(page: Page, label = ''): Promise<void> {
  await page.waitForLoadState('load');
  const where = `${label ? `${label} ` : ''}${new URL(page.url()).pathname}`;
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axe.source);
  const violations = await page.evaluate(async (tags): Promise<Violation[]> => {
    const runner = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const result = await runner.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' '), summary: n.failureSummary ?? '' })),
    }));
  }, wcagTags);
  const report = violations
    .map((v) => `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n  ${v.helpUrl}\n${v.nodes.map((n) => `    at ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`).join('\n')}`)
    .join('\n');
  assert.equal(violations.length, 0, `axe-core found ${violations.length} WCAG violation(s) on ${where}:\n${report}`);
  const problems = pageProblems.get(page) ?? [];
  assert.deepEqual(problems, [], `CSP violations or script errors on ${where}:\n${problems.join('\n')}`);
}

/** Whether the page scrolls sideways (WCAG 1.4.10 reflow: nothing wider than the viewport). */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
  return page.evaluate(() => ({ scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), viewport: window.innerWidth }));
}

/**
 * Does `action` (a click, an Enter) and waits until the new document it causes has loaded. Use
 * it where the answer may come back at the same URL (a form with errors): waitForLoadState
 * would see the old page's state and return at once.
 */
export async function navigating(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load', { timeout: 15_000 });
  await action();
  await loaded;
}

/**
 * Elements whose text runs out of their box (wider content than the box, not a scroll box of its
 * own), or taller than its box: at 320 px nothing may be cut off, pushed outside or overlap. Lists up to ten, as `tag.class: text`.
 */
export async function textOutsideItsBox(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      if (found.length >= 10) break;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.position === 'absolute' || el.closest('.table-scroll, .visually-hidden, .skip-link')) continue;
      if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) continue;
      const wider = el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
      // A box of fixed height whose text runs out below it overlaps what follows.
      const taller = el.scrollHeight > el.clientHeight + 2 && el.clientHeight > 0 && style.overflowY === 'visible' && el.tagName !== 'HTML' && el.tagName !== 'BODY';
      if (wider || taller) {
        found.push(`${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).replace(/\s+/g, '.')}` : ''}: ${(el.textContent ?? '').trim().slice(0, 60)}`);
      }
    }
    return found;
  });
}

/**
 * Words the browser broke mid-letter over two lines (issue 12: "no word is ever broken
 * mid-letter"). A word with a soft hyphen or a hyphen may break there; addresses and paths (with
 * `@` or `/`), code and hidden text are left out. Lists up to ten.
 */
export async function wordsBrokenMidLetter(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode() && broken.length < 10) {
      const node = walker.currentNode as Text;
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style, pre, code, .visually-hidden, .skip-link') || getComputedStyle(parent).display === 'none') continue;
      const word = /\S+/g;
      let match: RegExpExecArray | null;
      while ((match = word.exec(node.data)) !== null) {
        if (match[0].length < 4 || /[@/\u00ad-]/.test(match[0])) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
    return broken;
  });
}
