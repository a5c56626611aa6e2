/**
 * SECURITY 44, SPEC 9: `npm start` with no settings is a plainly local server — loopback only, plain
 * HTTP — and says in its log that it runs on the development key; anything reachable from elsewhere
 * without SECRET_KEY (or SMTP_URL, SMS_PROVIDER) does not start, naming the variable. Run as an
 * operator would, in a child process on a fresh embedded database.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

function newDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'ingang-start-'));
  dirs.push(dataDir);
  return dataDir;
}

/** Starts the server; resolves with its output once it listens (then stops it) or once it exits. */
function start(env: Record<string, string>, dataDir = newDataDir()): Promise<{ code: number | null; output: string; stdout: string; listening: boolean }> {
  const { DATABASE_URL: _ignored, NODE_ENV: _env, SECRET_KEY: _key, SMTP_URL: _smtp, SMS_PROVIDER: _sms, LISTEN_HOST: _host, PUBLIC_SCHEME: _scheme, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...inherited, DATA_DIR: dataDir, ...env } });
  return new Promise((resolve) => {
    let output = '';
    let stdout = '';
    let stopSoon: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      // Listening: the banner follows on the other stream; stop once it is there (or soon after).
      if (/Server listening/.test(output) && (/Ingang is running/.test(stdout) || !stopSoon)) {
        if (/Ingang is running/.test(stdout)) child.kill('SIGTERM');
        else stopSoon = setTimeout(() => child.kill('SIGTERM'), 3000);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      read(chunk);
    });
    child.stderr.on('data', read);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(stopSoon);
      resolve({ code, output, stdout, listening: /Server listening/.test(output) });
    });
  });
}

test('with no settings: loopback only, and the log says the development key is in use', { timeout: 150_000 }, async () => {
  const port = await freePort();
  const run = await start({ PORT: String(port) });
  assert.ok(run.listening, run.output);
  assert.match(run.output, /127\.0\.0\.1/, 'listens on the loopback address');
  assert.match(run.output, /development SECRET_KEY/);
  assert.match(run.output, new RegExp(`OpenID Connect issuer is http://demo\\.localhost:${port}, with the first-party client [A-Za-z0-9_-]{22} \\(redirect http://localhost:8080/callback\\)`), 'the demo organization has a client to try the provider with');
  // Issue 12 stumble 12: standard output is the banner alone; the JSON log goes to standard error.
  assert.match(run.stdout, /Ingang is running \(development\)/);
  assert.match(run.stdout, new RegExp(`Log in at +http://demo\\.localhost:${port}/login`));
  assert.match(run.stdout, new RegExp(`http://demo\\.localhost:${port}/welcome/\\S+`));
  assert.match(run.stdout, new RegExp(`Outbox +http://demo\\.localhost:${port}/dev/outbox`));
  assert.doesNotMatch(run.stdout, /"level":/, 'no JSON log line among the banner');
});

test('reachable from elsewhere without SECRET_KEY it does not start, and says which variable', { timeout: 150_000 }, async () => {
  const port = await freePort();
  const run = await start({ PORT: String(port), LISTEN_HOST: '0.0.0.0', SMTP_URL: 'smtp://127.0.0.1:1', SMS_PROVIDER: 'none' });
  assert.equal(run.listening, false, run.output);
  assert.equal(run.code, 1);
  assert.match(run.output, /Ingang cannot start: SECRET_KEY: is required unless Ingang runs plainly locally/);
  const https = await start({ PORT: String(port), PUBLIC_SCHEME: 'https' });
  assert.equal(https.code, 1);
  assert.match(https.output, /Ingang cannot start: SMTP_URL: is required unless/, 'no dev outbox behind https');
});

test('an organization on a public host name stops a start on the development defaults', { timeout: 200_000 }, async () => {
  const dataDir = newDataDir();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const created = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'org:create', '--slug', 'zorg', '--name', 'Zorg', '--host', 'zorg.example.nl'], { cwd: root, env: { ...inherited, DATA_DIR: dataDir }, encoding: 'utf8' });
  assert.equal(created.status, 0, created.stderr);
  const port = await freePort();
  const run = await start({ PORT: String(port) }, dataDir);
  assert.equal(run.listening, false, run.output);
  assert.equal(run.code, 1);
  assert.match(run.output, /Ingang cannot start: SECRET_KEY, SMTP_URL, SMS_PROVIDER: required: organization "zorg" answers on the public host zorg\.example\.nl/);
});
