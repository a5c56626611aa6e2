/**
 * The operator command line (SPEC 9), run as an operator would: a child process on the embedded
 * database in a fresh DATA_DIR. Each run starts PGlite, so the runs are few and the timeout long.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const timeout = 240_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(dataDir: string, ...args: string[]): Promise<Run> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: root, env: { ...env, DATA_DIR: dataDir, NODE_ENV: 'test' }, timeout: 90_000, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const show = (run: Run) => `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ingang-cli-'));
  dirs.push(dir);
  return dir;
}

let dataDir = '';
before(() => {
  dataDir = freshDir();
});
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('org:create prints the new organization', { timeout }, async () => {
  const run = await cli(dataDir, 'org:create', '--slug', 'acme', '--name', 'Acme Zorg', '--host', 'zorg.acme.test', '--locale', 'en');
  assert.equal(run.code, 0, show(run));
  assert.match(run.stdout, /acme/);
  assert.match(run.stdout, /zorg\.acme\.test/);
});

test('a second organization with the same slug is refused with a clear message', { timeout }, async () => {
  const run = await cli(dataDir, 'org:create', '--slug', 'acme', '--name', 'Other Acme', '--host', 'other.acme.test');
  assert.notEqual(run.code, 0, show(run));
  assert.match(run.stderr, /slug/i, show(run));
  assert.match(run.stderr, /taken|exists|in use|already/i, show(run));
  assert.doesNotMatch(run.stderr, /^\s+at /m, `no stack trace\n${show(run)}`);
});

test('org:list lists the organization, once', { timeout }, async () => {
  const run = await cli(dataDir, 'org:list');
  assert.equal(run.code, 0, show(run));
  const lines = run.stdout.split('\n').filter((line) => /\bacme\b/.test(line));
  assert.equal(lines.length, 1, show(run));
  assert.match(lines[0]!, /Acme Zorg/);
  assert.match(lines[0]!, /zorg\.acme\.test/);
  assert.doesNotMatch(run.stdout, /Other Acme|other\.acme\.test/);
});

test('org:policy --set changes the policy and prints it as JSON', { timeout }, async () => {
  const run = await cli(dataDir, 'org:policy', '--slug', 'acme', '--set', 'selfRegistration=true', '--set', 'passwordMinLength=14');
  assert.equal(run.code, 0, show(run));
  const policy = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.equal(policy.selfRegistration, true);
  assert.equal(policy.passwordMinLength, 14);
  // The rest keeps the defaults of SPEC 1.
  assert.equal(policy.twoFactorStaff, 'required');
  assert.deepEqual(policy.twoFactorMethods, ['totp', 'sms', 'passkey']);
  assert.equal(policy.passkeysRequiredForStaff, false);
  assert.equal(policy.idleMinutes, 60);
});

test('org:policy takes several pairs after one --set, as SPEC 9 writes it; a stray value is refused', { timeout }, async () => {
  const run = await cli(dataDir, 'org:policy', '--slug', 'acme', '--set', 'idleMinutes=45', 'absoluteHours=10');
  assert.equal(run.code, 0, show(run));
  const policy = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.equal(policy.idleMinutes, 45);
  assert.equal(policy.absoluteHours, 10);
  assert.equal(policy.passwordMinLength, 14, 'earlier changes stay');

  const stray = await cli(dataDir, 'org:policy', 'idleMinutes=30', '--slug', 'acme');
  assert.equal(stray.code, 2, show(stray));
  assert.match(stray.stderr, /pairs follow --set/);
  const current = JSON.parse((await cli(dataDir, 'org:policy', '--slug', 'acme')).stdout) as Record<string, unknown>;
  assert.equal(current.idleMinutes, 45, 'nothing changed');
  const restored = await cli(dataDir, 'org:policy', '--slug', 'acme', '--set', 'idleMinutes=60', '--set', 'absoluteHours=12');
  assert.equal(restored.code, 0, show(restored));
});

test('an invalid policy value is refused, names the key, and changes nothing', { timeout }, async () => {
  const refused = await cli(dataDir, 'org:policy', '--slug', 'acme', '--set', 'selfRegistration=false', '--set', 'passwordMinLength=7');
  assert.notEqual(refused.code, 0, show(refused));
  assert.match(refused.stderr, /passwordMinLength/, show(refused));
  assert.doesNotMatch(refused.stdout, /"passwordMinLength": 7/);

  const current = await cli(dataDir, 'org:policy', '--slug', 'acme');
  assert.equal(current.code, 0, show(current));
  const policy = JSON.parse(current.stdout) as Record<string, unknown>;
  assert.equal(policy.passwordMinLength, 14);
  assert.equal(policy.selfRegistration, true, 'the valid pair of the refused change was not applied either');
});

test('org:create names the rule a bad slug broke, without the whole usage', { timeout }, async () => {
  const run = await cli(dataDir, 'org:create', '--slug', 'Bad Slug!', '--name', 'X');
  assert.equal(run.code, 2, show(run));
  assert.match(run.stderr, /invalid_slug: lower-case letters, digits and dashes/, show(run));
  assert.doesNotMatch(run.stderr, /Usage:/, show(run));
});

test('org:brand sets colour and logo; a colour without AA contrast and a scripted SVG are refused with the rule', { timeout }, async () => {
  const logo = join(dataDir, '..', `logo-${process.pid}.svg`);
  writeFileSync(logo, readFileSync(join(root, 'test', 'fixtures', 'zonnehof-logo.svg')));
  const set = await cli(dataDir, 'org:brand', '--slug', 'acme', '--color', '#00664F', '--logo', logo);
  assert.equal(set.code, 0, show(set));
  assert.match(set.stdout, /changed color, logo of acme/);
  const light = await cli(dataDir, 'org:brand', '--slug', 'acme', '--color', '#ffcc00');
  assert.equal(light.code, 2, show(light));
  assert.match(light.stderr, /--color: low_contrast: white text on it has 1\.51:1, WCAG AA needs at least 4\.5:1/, show(light));
  assert.doesNotMatch(light.stderr, /Usage:/);
  const scripted = join(dataDir, '..', `scripted-${process.pid}.svg`);
  writeFileSync(scripted, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  const refused = await cli(dataDir, 'org:brand', '--slug', 'acme', '--logo', scripted);
  assert.equal(refused.code, 2, show(refused));
  assert.match(refused.stderr, /--logo: svg_script: an SVG without scripts/, show(refused));
  const missing = await cli(dataDir, 'org:brand', '--slug', 'acme', '--logo', join(dataDir, 'no-such-file.png'));
  assert.match(missing.stderr, /cannot read --logo .*ENOENT/, show(missing));
  const again = await cli(dataDir, 'org:brand', '--slug', 'acme', '--color', '#00664f');
  assert.match(again.stdout, /nothing changed/, 'the colour is kept as set');
});

test('account:create makes the first admin and prints nothing secret', { timeout }, async () => {
  const run = await cli(dataDir, 'account:create', '--org', 'acme', '--email', 'a@acme.test', '--name', 'A', '--role', 'admin');
  assert.equal(run.code, 0, show(run));
  assert.match(run.stdout, /a@acme\.test/);
  const all = run.stdout + run.stderr;
  assert.doesNotMatch(all, /\/welcome\//, show(run));
  assert.doesNotMatch(all, /[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/, `no token\n${show(run)}`);
  assert.doesNotMatch(all, /https?:\/\//, `no link at all\n${show(run)}`);
});

test('client:create prints client_id and, for a confidential client, client_secret once; client:list never a secret (SPEC 10)', { timeout }, async () => {
  const made = await cli(dataDir, 'client:create', '--org', 'acme', '--name', 'Dagboek', '--redirect-uri', 'https://dagboek.acme.test/cb', '--redirect-uri', 'http://localhost:8080/cb', '--first-party');
  assert.equal(made.code, 0, show(made));
  const id = /^client_id: (\S+)$/m.exec(made.stdout)?.[1];
  const secret = /^client_secret: (\S+)$/m.exec(made.stdout)?.[1];
  assert.ok(id && secret && secret.length >= 43, show(made));
  const publicOne = await cli(dataDir, 'client:create', '--org', 'acme', '--name', 'App', '--redirect-uri', 'https://app.acme.test/cb', '--public');
  assert.doesNotMatch(publicOne.stdout, /client_secret/);
  const listed = await cli(dataDir, 'client:list', '--org', 'acme');
  assert.equal(listed.code, 0, show(listed));
  assert.match(listed.stdout, new RegExp(`^${id}\tDagboek\tconfidential\tfirst-party\t`, 'm'));
  assert.match(listed.stdout, /\tApp\tpublic\t/);
  assert.ok(!listed.stdout.includes(secret), 'the secret is never shown again');
  const removed = await cli(dataDir, 'client:remove', '--org', 'acme', '--id', id);
  assert.equal(removed.code, 0, show(removed));
  assert.doesNotMatch((await cli(dataDir, 'client:list', '--org', 'acme')).stdout, /Dagboek/);
  assert.equal((await cli(dataDir, 'client:remove', '--org', 'acme', '--id', id)).code, 2, 'a second removal names no client');
  const rotated = await cli(dataDir, 'oidc:rotate-keys', '--org', 'acme');
  assert.equal(rotated.code, 0, show(rotated));
  assert.match(rotated.stdout, /new signing key \S+/);
  for (const bad of ['http://dagboek.acme.test/cb', 'https://x.test/cb#frag', 'not a url']) {
    const refused = await cli(dataDir, 'client:create', '--org', 'acme', '--name', 'Bad', '--redirect-uri', bad);
    assert.equal(refused.code, 2, `${bad}: ${show(refused)}`);
    assert.match(refused.stderr, /invalid_redirect_uri/);
  }
});

test('an unknown command exits with code 2 and the usage', { timeout }, async () => {
  const run = await cli(dataDir, 'org:destroy', '--slug', 'acme');
  assert.equal(run.code, 2, show(run));
  const all = run.stdout + run.stderr;
  assert.match(all, /usage/i);
  assert.match(all, /org:create/);
  assert.match(all, /account:create/);
});

function sleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(pid);
  return pid;
}

test('the embedded database serves one process: a live holder stops the command, a dead one is taken over', { timeout }, async () => {
  const busyDir = freshDir();
  const staleDir = freshDir();
  const holder = await sleeper();
  try {
    assert.ok(holder.pid);
    const busyLock = JSON.stringify({ pid: holder.pid, holder: 'server' });
    writeFileSync(join(busyDir, 'ingang.lock'), busyLock);
    const stalePid = await deadPid();
    writeFileSync(join(staleDir, 'ingang.lock'), JSON.stringify({ pid: stalePid, holder: 'server' }));

    const [busy, stale] = await Promise.all([cli(busyDir, 'org:list'), cli(staleDir, 'org:create', '--slug', 'stale', '--name', 'Stale Zorg')]);

    assert.equal(busy.code, 1, show(busy));
    assert.match(busy.stderr, /embedded database/i, show(busy));
    assert.match(busy.stderr, /in use/i, show(busy));
    assert.match(busy.stderr, /DATABASE_URL/, show(busy));
    assert.doesNotMatch(busy.stderr, /^\s+at /m, `no stack trace\n${show(busy)}`);
    // The running server's lock and data are left alone.
    assert.equal(readFileSync(join(busyDir, 'ingang.lock'), 'utf8'), busyLock);
    assert.deepEqual(readdirSync(busyDir), ['ingang.lock']);

    assert.equal(stale.code, 0, show(stale));
    assert.match(stale.stdout, /stale/);
    // The command let go of the lock it took over when it finished.
    const leftover = existsSync(join(staleDir, 'ingang.lock')) ? readFileSync(join(staleDir, 'ingang.lock'), 'utf8') : null;
    assert.ok(leftover === null || !leftover.includes(String(stalePid)), `lock left behind: ${leftover}`);
  } finally {
    holder.kill();
  }
});
