import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { TestBrowser } from './browser-client.js';
import { createSmsTransport } from '../src/mail-setup.js';
import { loadConfig, type Config } from '../src/config.js';
import { ManualClock } from '../src/core/clock.js';
import { cryptoRandom } from '../src/core/random.js';
import { DatabaseUnavailableError, type Db } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import { postgresDb } from '../src/db/postgres.js';
import type { Deps } from '../src/deps.js';
import { setAccountPassword, type Account } from '../src/accounts/accounts.js';
import { noRequestContext } from '../src/audit/audit.js';
import { hashPassword } from '../src/factors/password/hashing.js';
import { createAccount } from '../src/flows/staff/create-account.js';
import type { JobWorker } from '../src/jobs/worker.js';
import type { MailTransport, OutgoingEmail } from '../src/messaging/mail-transport.js';
import type { OutgoingSms, SmsTransport } from '../src/messaging/sms-transport.js';
import { createOrganization, findOrganizationBySlug, savePolicy, type Organization } from '../src/tenants/organizations.js';
import type { Policy } from '../src/tenants/policy.js';

export const usingPostgres = Boolean(process.env.DATABASE_URL);

let sharedDb: Promise<Db> | undefined;

/**
 * The organizations this test process made. Its job workers serve only these: with PostgreSQL,
 * test files run in parallel on one database and must not deliver each other's mail.
 */
export const tenantsOfThisProcess = new Set<string>();
export const jobScope = () => [...tenantsOfThisProcess];

/** One migrated database per test process; tests isolate by each making their own organization. */
export function testDatabase(): Promise<Db> {
  sharedDb ??= (async () => {
    const db = process.env.DATABASE_URL ? postgresDb(process.env.DATABASE_URL, 4) : await openPglite(undefined);
    await migrate(db);
    return db;
  })();
  return sharedDb;
}

/** A Db whose connection can be cut and restored, to test what happens when the database goes away. */
export interface FaultyDb extends Db {
  down: boolean;
}

export function withFaults(db: Db): FaultyDb {
  const faulty: FaultyDb = {
    kind: db.kind,
    down: false,
    async query(sql, params) {
      if (faulty.down) throw new DatabaseUnavailableError(new Error('connection refused (test)'));
      return db.query(sql, params);
    },
    async exec(sql) {
      if (faulty.down) throw new DatabaseUnavailableError(new Error('connection refused (test)'));
      return db.exec(sql);
    },
    transaction(fn) {
      if (faulty.down) return Promise.reject(new DatabaseUnavailableError(new Error('connection refused (test)')));
      return db.transaction((tx) =>
        fn({
          query: (sql, params) => (faulty.down ? Promise.reject(new DatabaseUnavailableError(new Error('down'))) : tx.query(sql, params)),
          exec: (sql) => tx.exec(sql),
        }),
      );
    },
    close: () => Promise.resolve(),
  };
  return faulty;
}

/** Captures mail instead of sending it; can be told to fail like a provider that is down. */
export class CapturedMail implements MailTransport {
  sent: OutgoingEmail[] = [];
  failing = false;
  async send(email: OutgoingEmail): Promise<void> {
    if (this.failing) throw new Error('SMTP provider unavailable (test)');
    this.sent.push(email);
  }
  to(address: string): OutgoingEmail[] {
    return this.sent.filter((m) => m.to.toLowerCase() === address.toLowerCase());
  }
  last(address: string): OutgoingEmail {
    const list = this.to(address);
    const mail = list[list.length - 1];
    if (!mail) throw new Error(`no mail to ${address}; sent: ${this.sent.map((m) => m.to).join(', ')}`);
    return mail;
  }
  linkIn(mail: OutgoingEmail, pathPrefix: string): string {
    const match = mail.text.match(new RegExp(`https?://[^\\s]+${pathPrefix.replace(/\//g, '\\/')}[^\\s]*`));
    if (!match) throw new Error(`no ${pathPrefix} link in mail: ${mail.text}`);
    return new URL(match[0]).pathname;
  }
}

/** Captures SMS like CapturedMail captures e-mail. */
export class CapturedSms implements SmsTransport {
  sent: OutgoingSms[] = [];
  failing = false;
  private held: { entered: () => void; released: Promise<void> } | null = null;
  async send(sms: OutgoingSms): Promise<void> {
    const held = this.held;
    if (held) {
      held.entered();
      await held.released;
    }
    if (this.failing) throw new Error('SMS provider unavailable (test)');
    this.sent.push(sms);
  }
  /** A slow provider: the next sends wait until `release`; `entered` resolves once one is waiting. */
  hold(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { entered, released };
    return {
      entered: enteredPromise,
      release: () => {
        this.held = null;
        release();
      },
    };
  }
  lastCode(to: string): string {
    const message = [...this.sent].reverse().find((m) => m.to === to);
    const code = message && /\b(\d{6})\b/.exec(message.message)?.[1];
    if (!code) throw new Error(`no SMS code to ${to}`);
    return code;
  }
}

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  jobs: JobWorker;
  clock: ManualClock;
  mail: CapturedMail;
  sms: CapturedSms;
  db: FaultyDb;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', PORT: '3000', ...overrides });
}

/** `realSms`: send SMS through the transport SMS_PROVIDER configures (e.g. a test webhook), not the capture. */
/** `logTo`: the app's log lines (pino JSON) go to this stream, for tests of what is logged. */
export async function createTestApp(options: { config?: Record<string, string>; realSms?: boolean; clockStart?: Date; logTo?: NodeJS.WritableStream } = {}): Promise<TestApp> {
  const db = withFaults(await testDatabase());
  const clock = new ManualClock(options.clockStart ?? new Date());
  const mail = new CapturedMail();
  const sms = new CapturedSms();
  const config = testConfig(options.config);
  const smsTransport = options.realSms ? createSmsTransport(config, () => app.log) : sms;
  const { app, deps, jobs } = await buildApp({ config, db, clock, random: cryptoRandom, mail, sms: smsTransport, jobScope, logger: options.logTo ?? false });
  await app.ready();
  return { app, deps, jobs, clock, mail, sms, db, close: () => app.close() };
}

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export async function createTestOrg(t: TestApp, options: { policy?: Partial<Policy>; name?: string; hostnames?: string[]; locale?: 'nl' | 'en' } = {}): Promise<Organization> {
  const slug = uniqueSlug();
  const created = await createOrganization(t.deps.db, t.deps, {
    slug,
    name: options.name ?? `Praktijk ${slug}`,
    hostnames: options.hostnames ?? [],
    defaultLocale: options.locale ?? 'en',
  });
  if (!created.ok) throw new Error(created.error);
  tenantsOfThisProcess.add(created.organization.tenantId);
  // Tests of other things should not have to set up two-step verification for every staff
  // member: a test org makes it optional for staff unless the test says otherwise.
  await savePolicy(t.deps.db, created.organization.tenantId, { ...created.organization.policy, twoFactorStaff: 'optional', ...options.policy });
  return (await findOrganizationBySlug(t.deps.db, slug))!;
}

export const strongPassword = 'correct horse battery staple';

/** An account that has set its password (as if through its welcome link). */
export async function createActiveAccount(
  t: TestApp,
  org: Organization,
  options: { role?: Account['role']; email?: string; name?: string; password?: string } = {},
): Promise<Account & { password: string }> {
  const email = options.email ?? `${uniqueSlug('u')}@example.org`;
  const created = await createAccount(t.deps, org, null, noRequestContext, { email, name: options.name ?? 'Test Person', role: options.role ?? 'client', locale: '' });
  if (!created.ok) throw new Error(JSON.stringify(created.problems));
  const password = options.password ?? strongPassword;
  await setAccountPassword(t.deps.db, org.tenantId, created.account.id, await hashPassword(password), t.clock.now());
  await t.jobs.runDue();
  t.mail.sent = t.mail.sent.filter((m) => m.to !== email);
  return { ...created.account, state: 'active', password };
}

export function hostOf(org: Organization): string {
  return `${org.slug}.localhost`;
}

/** An invited account, made without a staff member, and the welcome link its mail carries. */
export async function invitedAccount(t: TestApp, org: Organization, email: string, role: Account['role'] = 'client'): Promise<{ account: Account; link: string }> {
  const created = await createAccount(t.deps, org, null, noRequestContext, { email, name: 'Invited Person', role, locale: 'en' });
  if (!created.ok) throw new Error(`cannot create ${email}: ${JSON.stringify(created.problems)}`);
  await t.jobs.runDue();
  return { account: created.account, link: t.mail.linkIn(t.mail.last(email), '/welcome/') };
}

/** Asks a reset link on the forgot-password page in this browser, and returns the link the mail carries. */
export async function mailedResetLink(t: TestApp, browser: TestBrowser, email: string): Promise<string> {
  await browser.submit('/password/forgot', '/password/forgot', { email });
  await t.jobs.runDue();
  return t.mail.linkIn(t.mail.last(email), '/password/reset/');
}

/** A browser of this org that has passed the password step (what comes next is the test's). */
export async function loggedInBrowser(t: TestApp, org: Organization, account: { email: string; password: string }): Promise<TestBrowser> {
  const browser = new TestBrowser(t.app, hostOf(org));
  await browser.login(account.email, account.password);
  return browser;
}
