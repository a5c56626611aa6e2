import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** The only reader of the environment. A bad value stops the start with its variable named. */
export interface Config {
  production: boolean;
  port: number;
  listenHost: string;
  dataDir: string;
  databaseUrl: string | undefined;
  baseDomain: string;
  /** How links in e-mails start: scheme and, where not the scheme's default, the port. */
  publicScheme: 'http' | 'https';
  publicPort: number | undefined;
  /**
   * Which proxies in front may name the client in X-Forwarded-For: false (none, the default), a
   * number of hops, or a list of proxy addresses/CIDRs. Never "every hop": the left-most entries
   * are written by the client itself.
   */
  trustProxy: false | number | string[];
  smtpUrl: string | undefined;
  mailFrom: string;
  /** 32 bytes for HMACs (CSRF) and the keys that seal secrets at rest. */
  secretKey: Buffer;
  /** SECRET_KEY was not set and the fixed development key is in use (only where Ingang runs plainly locally). */
  developmentKey: boolean;
  metricsToken: string | undefined;
  logLevel: string;
  /** True when messages go to the dev outbox instead of SMTP. */
  devOutbox: boolean;
  /** How long clients may take and how many connections one address may hold (SECURITY 34). */
  connections: ConnectionLimits;
  /** How many argon2 hashes run at once, and how many may wait (SECURITY 35). */
  argon2: { concurrency: number; maxWaiting: number };
  /** How SMS codes go out (SPEC 8); `none` offers no SMS method at all. */
  sms:
    | { provider: 'dev' }
    | { provider: 'none' }
    | { provider: 'twilio'; accountSid: string; authToken: string; from: string; baseUrl: string | undefined }
    | { provider: 'webhook'; url: string };
}

export interface ConnectionLimits {
  /** The whole request, headers and body, must have arrived within this (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** The headers must have arrived within this (HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** An idle kept-alive connection is closed after this (KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves is closed after this (IDLE_TIMEOUT_MS). */
  idleTimeoutMs: number;
  /** The most open connections of one client address; 0 for no cap (MAX_CONNECTIONS_PER_ADDRESS). */
  maxConnectionsPerAddress: number;
  /** The most open connections in all; 0 for no cap (MAX_CONNECTIONS). Keep it below the open-file limit. */
  maxConnections: number;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function port(env: Env, name: string, fallback: number | undefined): number | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new ConfigError(name, `must be a port number, got "${raw}"`);
  return value;
}

/**
 * Only a server that is plainly a development one — not production, plain HTTP, listening on a
 * loopback address (the default of `npm start`), no proxy in front, organizations under
 * `localhost` — may run on the fixed development key and the dev outbox (SECURITY 44). Anything
 * reachable from elsewhere must be configured, or does not start (main.ts also refuses an
 * organization with a public host name on those defaults).
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** `localhost` and the names under it, which resolve to this machine only (RFC 6761). */
export function isLocalHostName(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

const notLocal = 'unless Ingang runs plainly locally (PUBLIC_SCHEME=http, a loopback LISTEN_HOST, no TRUST_PROXY, BASE_DOMAIN localhost, outside production)';

function secretKey(env: Env, plainlyLocal: boolean): { key: Buffer; developmentKey: boolean } {
  const raw = optional(env, 'SECRET_KEY');
  if (raw === undefined) {
    if (!plainlyLocal) throw new ConfigError('SECRET_KEY', `is required ${notLocal}: at least 32 random characters`);
    // Plainly local only: a fixed key, so sessions survive restarts. It is public: never anywhere else.
    return { key: createHash('sha256').update('ingang development key').digest(), developmentKey: true };
  }
  if (raw.length < 32) throw new ConfigError('SECRET_KEY', 'must be at least 32 characters');
  return { key: createHash('sha256').update(raw).digest(), developmentKey: false };
}

function smsConfig(env: Env, plainlyLocal: boolean): Config['sms'] {
  const provider = optional(env, 'SMS_PROVIDER');
  const need = (name: string) => {
    const value = optional(env, name);
    if (value === undefined) throw new ConfigError(name, `is required with SMS_PROVIDER=${provider}`);
    return value;
  };
  switch (provider) {
    case undefined:
      if (!plainlyLocal) throw new ConfigError('SMS_PROVIDER', `is required ${notLocal}: twilio, webhook, or none (no SMS method)`);
      return { provider: 'dev' };
    case 'none':
      return { provider: 'none' };
    case 'twilio':
      return { provider: 'twilio', accountSid: need('TWILIO_ACCOUNT_SID'), authToken: need('TWILIO_AUTH_TOKEN'), from: need('TWILIO_FROM'), baseUrl: optional(env, 'TWILIO_BASE_URL') };
    case 'webhook':
      return { provider: 'webhook', url: need('SMS_WEBHOOK_URL') };
    default:
      throw new ConfigError('SMS_PROVIDER', 'must be twilio, webhook or none');
  }
}

function whole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

function connectionLimits(env: Env): ConnectionLimits {
  const limits = {
    requestTimeoutMs: whole(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    headersTimeoutMs: whole(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    keepAliveTimeoutMs: whole(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
    idleTimeoutMs: whole(env, 'IDLE_TIMEOUT_MS', 20_000, 100, 600_000),
    maxConnectionsPerAddress: whole(env, 'MAX_CONNECTIONS_PER_ADDRESS', 64, 0, 100_000),
    maxConnections: whole(env, 'MAX_CONNECTIONS', 4096, 0, 1_000_000),
  };
  // Node cuts the headers at the sooner of the two; a longer header time would be a lie.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_MS', 'must not be longer than REQUEST_TIMEOUT_MS');
  return limits;
}

function trustProxy(raw: string | undefined): false | number | string[] {
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  // `true` means one reverse proxy directly in front, the common case.
  if (raw === 'true') return 1;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (list.length === 0 || !list.every((entry) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry))) {
    throw new ConfigError('TRUST_PROXY', 'must be false, a number of proxy hops, or a comma-separated list of proxy addresses or CIDR ranges');
  }
  return list;
}

export function loadConfig(env: Env = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const listenPort = port(env, 'PORT', 3000)!;
  const smtpUrl = optional(env, 'SMTP_URL');
  if (smtpUrl !== undefined && !/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('SMTP_URL', 'must start with smtp:// or smtps://');
  const mailFrom = optional(env, 'MAIL_FROM');
  if (production && mailFrom === undefined) throw new ConfigError('MAIL_FROM', 'is required in production');
  const schemeRaw = optional(env, 'PUBLIC_SCHEME') ?? (production ? 'https' : 'http');
  if (schemeRaw !== 'http' && schemeRaw !== 'https') throw new ConfigError('PUBLIC_SCHEME', 'must be http or https');
  const baseDomain = (optional(env, 'BASE_DOMAIN') ?? 'localhost').toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9.-]+$/.test(baseDomain)) throw new ConfigError('BASE_DOMAIN', 'must be a host name');
  // Development listens on this machine only; production on every interface (behind its proxy).
  const listenHost = optional(env, 'LISTEN_HOST') ?? (production ? '0.0.0.0' : '127.0.0.1');
  const proxies = trustProxy(optional(env, 'TRUST_PROXY'));
  // A proxy in front, or orgs under a real domain, mean others reach this server: not plainly local.
  const plainlyLocal = !production && schemeRaw === 'http' && isLoopbackAddress(listenHost) && proxies === false && isLocalHostName(baseDomain);
  if (!plainlyLocal && smtpUrl === undefined) throw new ConfigError('SMTP_URL', `is required ${notLocal}: the dev outbox serves plainly local servers only`);
  const key = secretKey(env, plainlyLocal);
  return {
    production,
    port: listenPort,
    listenHost,
    dataDir: resolve(optional(env, 'DATA_DIR') ?? 'data'),
    databaseUrl: optional(env, 'DATABASE_URL'),
    baseDomain,
    publicScheme: schemeRaw,
    publicPort: port(env, 'PUBLIC_PORT', production ? undefined : listenPort),
    trustProxy: proxies,
    smtpUrl,
    mailFrom: mailFrom ?? 'Ingang <no-reply@localhost>',
    secretKey: key.key,
    developmentKey: key.developmentKey,
    metricsToken: optional(env, 'METRICS_TOKEN'),
    logLevel: optional(env, 'LOG_LEVEL') ?? 'info',
    devOutbox: smtpUrl === undefined,
    connections: connectionLimits(env),
    argon2: {
      // By default one core fewer than the machine has, so logins cannot take every core.
      concurrency: whole(env, 'ARGON2_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 256),
      maxWaiting: whole(env, 'ARGON2_MAX_WAITING', 200, 0, 100_000),
    },
    sms: smsConfig(env, plainlyLocal),
  };
}
