// Shared setup of the browser journeys: a real Ingang server on a free port, an in-test SMTP peer
// that the durable outbox delivers to over real SMTP, and Debian's Chromium driven by
// playwright-core. See test/browser/README.md for how and why.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { buildApp } from '../../src/app.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { cryptoRandom } from '../../src/core/random.js';
import { smtpTransport } from '../../src/messaging/mail-transport.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { CapturedMail, CapturedSms, jobScope, hostOf, testConfig, testDatabase, withFaults, type TestApp } from '../harness.js';

export const chromiumPath = '/usr/bin/chromium';

/**
 * The `skip` option for a browser suite: a reason when Chromium is missing, else false. With
 * REQUIRE_BROWSER=1 (CI) a missing Chromium is never skipped: `startBrowserServer` then fails.
 */
export function browserSkip(): string | false {
  if (existsSync(chromiumPath)) return false;
  if (process.env.REQUIRE_BROWSER === '1') return false;
  return `Chromium not installed at ${chromiumPath}: browser journeys skipped`;
}

// ---------------------------------------------------------------------------------------------
// The SMTP peer

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), as sent. */
  to: string[];
  /** Decoded Subject header. */
  subject: string;
  /** Decoded text/plain part. */
  text: string;
  raw: string;
  /** Order of arrival, to tell newer mail from older. */
  seq: number;
}

export class SmtpPeer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private seq = 0;
  port = 0;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 2_000,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = parseMessage(raw);
            this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: parsed.subject, text: parsed.text, raw, seq: ++this.seq });
            callback();
          } catch (error) {
            callback(error as Error);
          }
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The number of messages so far: pass it as `after` to wait only for newer mail. */
  mark(): number {
    return this.seq;
  }

  /** Polls (up to `timeoutMs`) for a message to `to` whose subject matches, arrived after `after`. */
  async waitFor(to: string, subject: RegExp, options: { after?: number; timeoutMs?: number } = {}): Promise<ReceivedMail> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    const after = options.after ?? 0;
    const wanted = to.toLowerCase();
    for (;;) {
      const found = this.received.find((m) => m.seq > after && m.to.some((r) => r.toLowerCase() === wanted) && subject.test(m.subject));
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.received.map((m) => `  #${m.seq} to ${m.to.join(', ')}: ${m.subject}`).join('\n') || '  (none)';
        throw new Error(`no mail to ${to} with subject ${subject} arrived at the SMTP peer within ${options.timeoutMs ?? 10_000} ms; received:\n${seen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The first link in the mail's text that has `pathPrefix` in its path, as a full URL. */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
  const escaped = pathPrefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s<>"]+${escaped}[^\\s<>"]*`).exec(mail.text);
  if (!match) throw new Error(`no ${pathPrefix} link in mail "${mail.subject}":\n${mail.text}`);
  return match[0];
}

// A small MIME reader: enough for what nodemailer sends (headers with RFC 2047 words, a
// multipart/alternative body, parts in 7bit, quoted-printable or base64). Not a general parser.

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

function splitPart(raw: string): MimePart {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  // Unfold continuation lines, then split "Name: value".
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function headerParam(value: string, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const char = joined[i]!;
    const hex = joined.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(part: MimePart): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = (headerParam(part.headers.get('content-type') ?? '', 'charset') ?? 'utf-8').toLowerCase();
  const bytes = encoding === 'quoted-printable' ? decodeQuotedPrintable(part.body) : encoding === 'base64' ? Buffer.from(part.body.replace(/\s+/g, ''), 'base64') : Buffer.from(part.body, 'utf8');
  return bytes.toString(charset === 'utf-8' || charset === 'utf8' ? 'utf8' : 'latin1');
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=) in a header value. */
function decodeHeader(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_whole, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

function findTextPart(part: MimePart): MimePart | null {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = headerParam(part.headers.get('content-type') ?? '', 'boundary');
    if (!boundary) return null;
    const sections = part.body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const found = findTextPart(splitPart(section.replace(/^\n/, '')));
      if (found) return found;
    }
    return null;
  }
  return type.startsWith('text/plain') ? part : null;
}

export function parseMessage(raw: string): { subject: string; text: string } {
  const message = splitPart(raw);
  const textPart = findTextPart(message);
  return { subject: decodeHeader(message.headers.get('subject') ?? ''), text: textPart ? decodeBody(textPart).replace(/\n$/, '') : '' };
}

// ---------------------------------------------------------------------------------------------
// The server

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A clock for the harness helpers that always reads real time, like the server's systemClock. */
class RealTimeClock extends ManualClock {
  override now(): Date {
    return new Date();
  }
}

export interface BrowserServer {
  port: number;
  /** For the harness helpers (createTestOrg, createActiveAccount); its app is the listening one. */
  t: TestApp;
  smtp: SmtpPeer;
  browser: Browser;
  /** `http://<slug>.localhost:<port>` */
  origin(org: Organization): string;
  /** A fresh browser context (own cookies) asking for English pages; closed by `close()`. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A new page in a fresh context, watched for CSP violations and script errors. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Starts everything; if a step fails, what was started is stopped again before the error is
 * thrown, so a failing `before` leaves no process behind. Call `close()` in an `after` hook.
 */
export async function startBrowserServer(): Promise<BrowserServer> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const runCleanups = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'closing the browser test server failed');
  };
  try {
    if (!existsSync(chromiumPath)) {
      throw new Error(`REQUIRE_BROWSER=1 but Chromium is not installed at ${chromiumPath} (Debian: apt-get install chromium)`);
    }
    const smtp = new SmtpPeer();
    await smtp.start();
    cleanups.push(() => smtp.stop());

    const port = await freePort();
    const config = testConfig({ PORT: String(port), PUBLIC_PORT: String(port), SMTP_URL: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true` });
    const db = await testDatabase();
    cleanups.push(() => db.close());
    const sms = new CapturedSms();
    const { app, deps, jobs } = await buildApp({ config, db, clock: systemClock, random: cryptoRandom, mail: smtpTransport(config.smtpUrl!, config.mailFrom), sms, jobScope, logger: false });
    cleanups.push(() => app.close());
    await app.listen({ port, host: '127.0.0.1' });
    jobs.start(100);
    cleanups.push(() => jobs.stop());

    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 30_000 });
    cleanups.push(() => browser.close());

    const t: TestApp = { app, deps, jobs, clock: new RealTimeClock(), mail: new CapturedMail(), sms, db: withFaults(db), close: () => app.close() };
    const newContext = async (options: BrowserContextOptions = {}) => {
      const context = await browser.newContext({ locale: 'en-GB', ...options, extraHTTPHeaders: { 'Accept-Language': 'en', ...options.extraHTTPHeaders } });
      context.setDefaultTimeout(10_000);
      context.setDefaultNavigationTimeout(15_000);
      return context;
    };
    return {
      port,
      t,
      smtp,
      browser,
      origin: (org) => `http://${hostOf(org)}:${port}`,
      newContext,
      newPage: async (options) => watchPage(await (await newContext(options)).newPage()),
      close: runCleanups,
    };
  } catch (error) {
    await runCleanups().catch(() => undefined);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Checks on pages

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
 * Starts one server (with its SMTP peer and Chromium) for the enclosing `describe`, and stops it
 * after, also when a test fails. Returns a getter for the tests.
 */
export function useBrowserServer(): () => BrowserServer {
  let server: BrowserServer | undefined;
  before(async () => {
    server = await startBrowserServer();
  }, { timeout: 90_000 });
  after(async () => {
    await server?.close();
  }, { timeout: 30_000 });
  return () => {
    if (!server) throw new Error('the browser server did not start');
    return server;
  };
}
