// Shared setup of the browser journeys: a real Ingang server on a free port, an in-test SMTP peer
// that the durable outbox delivers to over real SMTP (smtp-peer.ts), and Debian's Chromium driven
// by playwright-core, with checks on its pages (page-checks.ts). See test/browser/README.md for
// how and why.
import { after, before } from 'node:test';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { buildApp } from '../../src/app.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { cryptoRandom } from '../../src/core/random.js';
import { smtpTransport } from '../../src/messaging/mail-transport.js';
import type { Organization } from '../../src/tenants/organizations.js';
import { CapturedMail, CapturedSms, jobScope, hostOf, testConfig, testDatabase, withFaults, type TestApp } from '../harness.js';
import { watchPage } from './page-checks.js';
import { SmtpPeer } from './smtp-peer.js';

export { checkAccessibility, horizontalOverflow, navigating, textOutsideItsBox, watchPage, wordsBrokenMidLetter } from './page-checks.js';
export { linkIn, SmtpPeer, type ReceivedMail } from './smtp-peer.js';
export { parseMessage } from './mime.js';

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
  /** Chromium's DevTools port, for Lighthouse. */
  debuggingPort: number;
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

    // A DevTools port besides Playwright's pipe: Lighthouse (lighthouse.ts) audits pages through it.
    const debuggingPort = await freePort();
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs, `--remote-debugging-port=${debuggingPort}`], timeout: 30_000 });
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
      debuggingPort,
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
