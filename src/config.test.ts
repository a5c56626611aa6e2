import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, isLoopbackAddress, loadConfig } from './config.js';

const refuses = (env: Record<string, string>, variable: string) =>
  assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${variable}:`), `${JSON.stringify(env)} → ${variable}`);

test('npm start with no settings is plainly local: loopback, plain HTTP, the development key and the dev outbox, said so', () => {
  const config = loadConfig({});
  assert.equal(config.listenHost, '127.0.0.1');
  assert.equal(config.publicScheme, 'http');
  assert.equal(config.developmentKey, true);
  assert.equal(config.devOutbox, true);
  assert.equal(config.sms.provider, 'dev');
});

test('SECURITY 44: reachable from elsewhere, a missing SECRET_KEY, SMTP_URL or SMS_PROVIDER stops the start', () => {
  const complete = { SECRET_KEY: 'k'.repeat(40), SMTP_URL: 'smtp://mail.example:587', SMS_PROVIDER: 'none' };
  const exposures: Record<string, string>[] = [{ PUBLIC_SCHEME: 'https' }, { LISTEN_HOST: '0.0.0.0' }, { LISTEN_HOST: '10.1.2.3' }, { LISTEN_HOST: '::' }];
  for (const exposure of exposures) {
    for (const variable of ['SECRET_KEY', 'SMTP_URL', 'SMS_PROVIDER'] as const) {
      const { [variable]: _left, ...rest } = complete;
      refuses({ ...exposure, ...rest }, variable);
    }
    const config = loadConfig({ ...exposure, ...complete });
    assert.equal(config.developmentKey, false);
    assert.equal(config.devOutbox, false, 'with SMTP there is no dev outbox');
  }
});

test('PUBLIC_SCHEME=https without NODE_ENV (the case the review found) never serves the outbox or uses the public key', () => {
  refuses({ PUBLIC_SCHEME: 'https' }, 'SMTP_URL');
  refuses({ PUBLIC_SCHEME: 'https', SMTP_URL: 'smtp://mail.example' }, 'SECRET_KEY');
});

test('production listens on every interface by default and needs everything configured', () => {
  refuses({ NODE_ENV: 'production', SMTP_URL: 'smtp://m.example', MAIL_FROM: 'a@b.example', SMS_PROVIDER: 'none' }, 'SECRET_KEY');
  const config = loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://m.example', MAIL_FROM: 'a@b.example', SMS_PROVIDER: 'none', SECRET_KEY: 'k'.repeat(40) });
  assert.equal(config.listenHost, '0.0.0.0');
  assert.equal(config.publicScheme, 'https');
});

test('loopback addresses', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) assert.equal(isLoopbackAddress(host), true, host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.org', '127.0.0.1.example.org']) assert.equal(isLoopbackAddress(host), false, host);
});

test('SECURITY 34: connection limits have safe defaults and refuse nonsense', () => {
  const { connections } = loadConfig({});
  assert.deepEqual(connections, { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 20_000, maxConnectionsPerAddress: 64, maxConnections: 4096 });
  assert.equal(loadConfig({ MAX_CONNECTIONS_PER_ADDRESS: '0' }).connections.maxConnectionsPerAddress, 0, '0 turns the cap off (a proxy caps instead)');
  for (const variable of ['REQUEST_TIMEOUT_MS', 'HEADERS_TIMEOUT_MS', 'KEEP_ALIVE_TIMEOUT_MS', 'IDLE_TIMEOUT_MS', 'MAX_CONNECTIONS_PER_ADDRESS', 'MAX_CONNECTIONS']) {
    for (const bad of ['-1', 'soon', '1.5', '99999999']) refuses({ [variable]: bad }, variable);
  }
  refuses({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' }, 'HEADERS_TIMEOUT_MS');
});

test('SECURITY 35: the argon2 queue takes one core fewer than the machine by default, and refuses nonsense', () => {
  const { argon2 } = loadConfig({});
  assert.ok(argon2.concurrency >= 1);
  assert.equal(argon2.maxWaiting, 200);
  assert.deepEqual(loadConfig({ ARGON2_CONCURRENCY: '3', ARGON2_MAX_WAITING: '0' }).argon2, { concurrency: 3, maxWaiting: 0 });
  for (const bad of ['0', '-1', 'all', '1000']) refuses({ ARGON2_CONCURRENCY: bad }, 'ARGON2_CONCURRENCY');
  for (const bad of ['-1', 'lots', '100001']) refuses({ ARGON2_MAX_WAITING: bad }, 'ARGON2_MAX_WAITING');
});

test('SECURITY 44: a proxy in front, or organizations under a real domain, are not plainly local', () => {
  refuses({ TRUST_PROXY: '1' }, 'SMTP_URL');
  refuses({ TRUST_PROXY: '1', SMTP_URL: 'smtp://m.example' }, 'SECRET_KEY');
  refuses({ BASE_DOMAIN: 'zorg.example.nl', SMTP_URL: 'smtp://m.example' }, 'SECRET_KEY');
  assert.equal(loadConfig({ BASE_DOMAIN: 'dev.localhost' }).developmentKey, true);
});
