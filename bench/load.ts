/**
 * `npm run bench` (second half): the abuse cases of SECURITY 34 and 35 as a load check. The app
 * listens on loopback with its production limits; an attacker on 127.0.0.1 runs each case while a
 * bystander on 127.0.0.2 asks /healthz and logs in, and the bystander's times are printed. Numbers
 * to read, not assertions (the tests assert the behaviour; machines are noisy).
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, invitedAccount } from '../test/harness.js';

const t = await createTestApp({ config: { METRICS_TOKEN: 'bench' } });
const org = await createTestOrg(t);
const host = hostOf(org);
const user = await createActiveAccount(t, org);
await t.app.listen({ port: 0, host: '127.0.0.1' });
const port = (t.app.server.address() as { port: number }).port;

interface Answer {
  status: number;
  body: string;
  cookies: string[];
}

function send(method: string, path: string, options: { localAddress?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, localAddress: options.localAddress, agent: false, headers: { host, connection: 'close', ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookies: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A form post the way a browser sends it: the page first, for its cookie and CSRF token. */
async function postForm(path: string, fields: Record<string, string>, localAddress: string): Promise<Answer> {
  const page = await send('GET', path, { localAddress });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const body = new URLSearchParams({ _csrf: csrf, ...fields }).toString();
  return send('POST', path, { localAddress, body, headers: { cookie: page.cookies.join('; '), origin: `http://${host}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } });
}

const percentile = (samples: number[], q: number) => [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;

/** What a bystander on another address sees meanwhile: /healthz 40 times, 5 logins. */
async function bystander(label: string): Promise<void> {
  const health: number[] = [];
  let healthFailed = 0;
  for (let i = 0; i < 40; i++) {
    const start = performance.now();
    const answer = await send('GET', '/healthz', { localAddress: '127.0.0.2' }).catch(() => null);
    if (answer?.status !== 200) healthFailed += 1;
    health.push(performance.now() - start);
  }
  const logins: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const answer = await postForm('/login', { email: user.email, password: user.password }, '127.0.0.2');
    statuses.add(answer.status);
    logins.push(performance.now() - start);
  }
  console.log(
    `${label.padEnd(52)} /healthz p50 ${percentile(health, 0.5).toFixed(1).padStart(6)} ms  p95 ${percentile(health, 0.95).toFixed(1).padStart(7)} ms  failed ${healthFailed}   login p50 ${percentile(logins, 0.5).toFixed(0).padStart(5)} ms (status ${[...statuses].join(',')})`,
  );
}

await bystander('no load');

// SECURITY 34: 300 connections whose bodies trickle in, one byte a second.
const slow: Socket[] = [];
for (let i = 0; i < 300; i++) {
  const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
  socket.on('error', () => {});
  socket.write(`POST /login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n`);
  slow.push(socket);
}
const trickle = setInterval(() => slow.forEach((s) => s.destroyed || s.write('x')), 1000);
await new Promise((resolve) => setTimeout(resolve, 500));
await bystander(`300 slow connections (${slow.filter((s) => !s.destroyed).length} left open by the cap)`);
clearInterval(trickle);
slow.forEach((s) => s.destroy());

// SECURITY 35: four clients posting crafted 200-character passwords through a right welcome link.
const { link } = await invitedAccount(t, org, 'bench-cpu@example.org');
const crafted = '4@3!1|0$5$7+'.repeat(17);
let stop = false;
const refusedStatuses = new Map<number, number>();
const attackers = Array.from({ length: 4 }, async () => {
  while (!stop) {
    const answer = await postForm(link, { password: crafted, passwordConfirm: crafted }, '127.0.0.1').catch(() => null);
    if (answer) refusedStatuses.set(answer.status, (refusedStatuses.get(answer.status) ?? 0) + 1);
  }
});
await bystander('4 clients posting crafted passwords to a link');
stop = true;
await Promise.all(attackers);
console.log(`${''.padEnd(52)} (their answers: ${[...refusedStatuses].map(([s, n]) => `${n}× ${s}`).join(', ')})`);

// SECURITY 35: a burst of 60 logins at once from 60 addresses (127.0.1.x), to unknown addresses (the
// same argon2 work as a known one, without locking the bystander's account): argon2 waits its turn.
stop = false;
const burst = Array.from({ length: 60 }, (_, i) => postForm('/login', { email: `nobody${i}@example.org`, password: `wrong password ${i}` }, `127.0.1.${i + 1}`).catch(() => null));
await bystander('60 logins at once (argon2 queue)');
const burstAnswers = await Promise.all(burst);
const byStatus = new Map<number, number>();
for (const answer of burstAnswers) byStatus.set(answer?.status ?? 0, (byStatus.get(answer?.status ?? 0) ?? 0) + 1);
console.log(`${''.padEnd(52)} (the burst: ${[...byStatus].map(([s, n]) => `${n}× ${s}`).join(', ')})`);

const metrics = await send('GET', '/metrics', { localAddress: '127.0.0.2', headers: { authorization: 'Bearer bench' } });
console.log(`\n${metrics.body.split('\n').filter((l) => /^ingang_(argon2|connections)/.test(l)).join('\n')}`);
console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite (embedded)'}; node ${process.version}`);
await t.close();
process.exit(0);
