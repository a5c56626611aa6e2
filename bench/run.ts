/**
 * `npm run bench`: what the login path costs on this machine. Numbers, not assertions: machines
 * are noisy, so tests never assert a time. Runs on the embedded database (or DATABASE_URL).
 */
import { performance } from 'node:perf_hooks';
import { hashPassword, verifyPassword } from '../src/factors/password/hashing.js';
import { checkNewPassword } from '../src/factors/password/rules.js';
import { estimateStrength } from '../src/factors/password/strength.js';
import { TestBrowser } from '../test/browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf } from '../test/harness.js';

function summarize(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`${name.padEnd(48)} n=${String(samples.length).padStart(4)}  p50 ${at(0.5).padStart(7)} ms  p95 ${at(0.95).padStart(7)} ms`);
}

async function measure(name: string, runs: number, fn: () => Promise<unknown>): Promise<void> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  summarize(name, samples);
}

const hash = await hashPassword('bench passphrase here');
await measure('argon2id hash (m=19 MiB, t=2, p=1)', 20, () => hashPassword('bench passphrase here'));
await measure('argon2id verify', 20, () => verifyPassword(hash, 'bench passphrase here'));
await measure('password rules incl. blocklist (no hash)', 200, () =>
  checkNewPassword({ policy: { passwordMinLength: 12, passwordRequireSpecial: true }, context: { email: 'a@b.nl', orgName: 'Org', orgSlug: 'org' }, password: 'a fine pass phrase', passwordConfirm: 'a fine pass phrase', currentPasswordHash: null }),
);

await measure('strength estimate, 11,000 characters (cut to 40)', 20, async () => estimateStrength('p@ssw0rd!1$'.repeat(1000), []));
await measure('strength estimate, crafted l33t input (cut to 40)', 20, async () => estimateStrength('4@3!1|0$5$7+'.repeat(17), []));

const t = await createTestApp();
const org = await createTestOrg(t);
const user = await createActiveAccount(t, org);
const lockedOut = await createActiveAccount(t, org); // its failures lock it, not `user`
const browser = new TestBrowser(t.app, hostOf(org));
await browser.get('/login');
await measure('GET /login (anonymous, renders form)', 100, () => browser.get('/login'));
// SECURITY 1: these two should cost about the same (the tests count the argon2 work instead).
await measure('POST /login, unknown address (dummy hash)', 20, () => browser.post('/login', { email: 'nobody@example.org', password: 'wrong password!' }, {}, '10.0.0.1'));
await measure('POST /login, known address, wrong password', 20, () => browser.post('/login', { email: lockedOut.email, password: 'wrong password!' }, {}, '10.0.0.2'));
await measure('POST /login, success (hash + session rotate)', 20, async () => {
  const b = new TestBrowser(t.app, hostOf(org));
  await b.get('/login');
  await b.post('/login', { email: user.email, password: user.password });
});
const loggedIn = new TestBrowser(t.app, hostOf(org));
await loggedIn.login(user.email, user.password);
await measure('GET /account (authenticated)', 100, () => loggedIn.get('/account'));
await measure('POST /password/forgot (queues a job)', 50, () => browser.post('/password/forgot', { email: user.email }));
await t.close();
console.log(`\ndatabase: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)'}; node ${process.version}`);
process.exit(0);
