import { randomBytes } from 'node:crypto';
/**
 * The reference app on the command line (SPEC 5): `npm run app -- <command> [options]`.
 * It keeps the device credentials in a JSON state file (mode 0600): base URL, device id and
 * secret, and the short-lived access token of the last unlock. Never the PIN, never the password.
 * Exit codes: 0 done, 1 the API (or the network, or the state) said no, 2 usage error.
 */
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { createInterface, type Interface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { IngangAppClient, isLocalHost, isSecondFactorChallenge, qrTokenFromUrl, type ApiFailure, type ApiResult, type DeviceLogin } from '../src/api/client.js';

const usage = `Usage: npm run app -- <command> [options]   (every command takes --state FILE, default ./.ingang-app.json)
  login-qr <png-file-or-url> [--device-name NAME]
      Link this device with the QR code of /account/app: a PNG image of it, or the URL it holds
      (https://<org host>/app/login#<token>).
  login-email --base-url URL --email E [--password P] [--code C | --recovery-code R] [--device-name NAME]
      Link this device with e-mail address and password (read from stdin when not given), and the
      second factor when the account has one (--code, --recovery-code, or a line from stdin).
  set-pin [--pin 12345]        Set the PIN of the linked device (read from stdin when not given).
  unlock [--pin 12345]         Unlock with the PIN; keeps the access token in the state file.
  me                           Show the account, with the access token of the last unlock.
  logout                       End the access token.
  reset-pin                    Forgot the PIN: removes this device; log in again afterwards.`;

const defaultStateFile = './.ingang-app.json';
const defaultDeviceName = 'Ingang reference app';

const options = {
  state: { type: 'string' },
  'device-name': { type: 'string' },
  'base-url': { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  code: { type: 'string' },
  'recovery-code': { type: 'string' },
  pin: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof options;
type Command = 'login-qr' | 'login-email' | 'set-pin' | 'unlock' | 'me' | 'logout' | 'reset-pin';

const commandOptions: Record<Command, { options: OptionName[]; positionals: string[] }> = {
  'login-qr': { options: ['device-name'], positionals: ['png-file-or-url'] },
  'login-email': { options: ['base-url', 'email', 'password', 'code', 'recovery-code', 'device-name'], positionals: [] },
  'set-pin': { options: ['pin'], positionals: [] },
  unlock: { options: ['pin'], positionals: [] },
  me: { options: [], positionals: [] },
  logout: { options: [], positionals: [] },
  'reset-pin': { options: [], positionals: [] },
};

/** The command line is wrong: exit 2, with the usage when the command itself is missing or unknown. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}
/** The API, the network or the state said no: exit 1. */
class CliError extends Error {}

/** What the app stores; `accessToken` only after `unlock`. */
interface AppState {
  baseUrl: string;
  deviceId?: string;
  deviceSecret?: string;
  accessToken?: string;
  /** ISO time the access token expires, as the server said at unlock. */
  accessTokenExpiresAt?: string;
}

/** Where secrets and codes come from when they are not options: a hidden prompt on a terminal, else lines of stdin. */
export interface LineSource {
  read(prompt: string, options: { hidden: boolean }): Promise<string | null>;
  close(): void;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Default: the global fetch, reaching `<name>.localhost` hosts on the loopback address. */
  fetch?: typeof fetch;
  /** Default: stdin. */
  input?: LineSource;
  now?: () => Date;
}

// ---------------------------------------------------------------------------------------------
// Commands

export async function runAppCli(argv: string[], io: CliIo): Promise<number> {
  const input = io.input ?? stdinLines();
  try {
    await run(argv, io, input);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.showUsage ? `${error.message}\n\n${usage}` : `${error.message}\n(npm run app -- --help lists the commands)`);
      return 2;
    }
    if (error instanceof CliError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  } finally {
    input.close();
  }
}

async function run(argv: string[], io: CliIo, input: LineSource): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [commandName, ...rest] = positionals;
  if (values.help || commandName === 'help') {
    io.out(usage);
    return;
  }
  if (commandName === undefined) throw new UsageError('no command given', true);
  if (!isCommand(commandName)) throw new UsageError(`unknown command: ${commandName}`, true);
  const spec = commandOptions[commandName];
  for (const name of Object.keys(values) as OptionName[]) {
    if (name !== 'state' && name !== 'help' && !spec.options.includes(name)) throw new UsageError(`--${name} is not an option of ${commandName}`);
  }
  if (rest.length !== spec.positionals.length) {
    throw new UsageError(spec.positionals.length === 0 ? `${commandName} takes no arguments` : `${commandName} needs <${spec.positionals.join('> <')}>`);
  }
  const stateFile = values.state ?? defaultStateFile;
  if (stateFile.trim() === '') throw new UsageError('--state needs a file name');
  const context: Context = { io, input, stateFile, now: io.now ?? (() => new Date()) };

  switch (commandName) {
    case 'login-qr':
      return loginQr(context, rest[0]!, deviceNameOf(values['device-name']));
    case 'login-email':
      return loginEmail(context, values);
    case 'set-pin':
      return setPin(context, values.pin);
    case 'unlock':
      return unlock(context, values.pin);
    case 'me':
      return showMe(context);
    case 'logout':
      return logout(context);
    case 'reset-pin':
      return resetPin(context);
  }
}

interface Context {
  io: CliIo;
  input: LineSource;
  stateFile: string;
  now: () => Date;
}

function isCommand(name: string): name is Command {
  return Object.hasOwn(commandOptions, name);
}

function deviceNameOf(value: string | undefined): string {
  if (value === undefined) return defaultDeviceName;
  if (value.trim() === '') throw new UsageError('--device-name must not be empty');
  return value;
}

async function loginQr(context: Context, argument: string, deviceName: string): Promise<void> {
  let url: string;
  if (/^https?:\/\//i.test(argument)) {
    url = argument;
    if (qrTokenFromUrl(url) === null) throw new UsageError(`not an app login link (https://<org host>/app/login#<token>): ${argument}`);
  } else {
    url = await decodeQrPng(argument);
    if (qrTokenFromUrl(url) === null) throw new CliError(`the QR code in ${argument} does not hold an app login link; it holds: ${url.slice(0, 200)}`);
  }
  const token = qrTokenFromUrl(url)!;
  const baseUrl = new URL(url.trim()).origin;
  const result = await call(context, baseUrl, (client) => client.loginWithQr(token, deviceName));
  if (!result.ok) {
    throw apiError(result, result.error === 'invalid_token' ? 'The QR code is valid 2 minutes and works once: show a new one on /account/app.' : undefined);
  }
  await linked(context, baseUrl, result.value);
}

async function loginEmail(context: Context, values: Partial<Record<OptionName, string | boolean>>): Promise<void> {
  const state = await loadState(context.stateFile);
  const baseUrlOption = stringOption(values, 'base-url') ?? state?.baseUrl;
  if (baseUrlOption === undefined) throw new UsageError('--base-url is required (e.g. http://demo.localhost:3000)');
  const baseUrl = originOf(baseUrlOption);
  const email = stringOption(values, 'email');
  if (email === undefined || email.trim() === '') throw new UsageError('--email is required');
  const code = stringOption(values, 'code');
  const recoveryCode = stringOption(values, 'recovery-code');
  if (code !== undefined && recoveryCode !== undefined) throw new UsageError('give --code or --recovery-code, not both');
  const deviceName = deviceNameOf(stringOption(values, 'device-name'));
  const password = stringOption(values, 'password') ?? (await required(context, 'Password: ', true, 'no password: give --password or type it on stdin'));

  const first = await call(context, baseUrl, (client) => client.loginWithPassword(email, password, deviceName));
  if (!first.ok) throw apiError(first);
  if (!isSecondFactorChallenge(first.value)) {
    await linked(context, baseUrl, first.value);
    return;
  }
  const challenge = first.value;
  let answer: { code: string } | { recoveryCode: string };
  if (code !== undefined) answer = { code };
  else if (recoveryCode !== undefined) answer = { recoveryCode };
  else {
    // Six digits are a code (authenticator app or SMS); anything else is taken as a recovery code.
    const typed = (await required(context, `Code (${challenge.methods.join(', ')}): `, false, 'a second factor is required: give --code or --recovery-code, or type it on stdin')).trim();
    answer = /^[0-9]{6}$/.test(typed) ? { code: typed } : { recoveryCode: typed };
  }
  const second = await call(context, baseUrl, (client) => client.loginSecondFactor(challenge.challengeId, answer));
  if (!second.ok) throw apiError(second, second.error === 'challenge_expired' ? 'Log in again.' : undefined);
  if (second.value.recoveryCodesLeft !== undefined) {
    context.io.err(`You used a recovery code; ${second.value.recoveryCodesLeft} left. Make new ones on /account/2fa when you run low.`);
  }
  await linked(context, baseUrl, second.value);
}

async function linked(context: Context, baseUrl: string, login: DeviceLogin): Promise<void> {
  const before = await loadState(context.stateFile).catch(() => null);
  if (before?.deviceId !== undefined && before.deviceSecret !== undefined) {
    // The old device would stay linked, its secret lost: remove it on the server first.
    const oldDeviceId = before.deviceId;
    const oldSecret = before.deviceSecret;
    const removed = await call(context, before.baseUrl, (client) => client.resetPin(oldDeviceId, oldSecret)).catch(() => null);
    context.io.err(`(replaced the device ${oldDeviceId} stored in ${context.stateFile}${removed?.ok ? '; it was removed on the server' : ''})`);
  }
  await saveState(context.stateFile, { baseUrl, deviceId: login.deviceId, deviceSecret: login.deviceSecret });
  const { account } = login;
  context.io.out(`linked to ${account.name} <${account.email}> (${account.role}) at ${baseUrl}`);
  context.io.out(`device ${login.deviceId}, credentials saved in ${context.stateFile}`);
  context.io.out('set a PIN next: npm run app -- set-pin');
}

async function setPin(context: Context, pinOption: string | undefined): Promise<void> {
  const state = await deviceState(context);
  let pin = pinOption;
  if (pin === undefined) {
    pin = await required(context, 'New PIN (5 digits): ', true, 'no PIN: give --pin or type it on stdin');
    if (process.stdin.isTTY && context.io.input === undefined) {
      const again = await required(context, 'Repeat the PIN: ', true, 'no PIN repeated');
      if (again !== pin) throw new UsageError('the two PINs differ');
    }
  }
  const result = await call(context, state.baseUrl, (client) => client.setPin(state.deviceId, state.deviceSecret, pin));
  if (!result.ok) throw await deviceFailure(context, state, result);
  context.io.out('PIN set; unlock with: npm run app -- unlock');
}

async function unlock(context: Context, pinOption: string | undefined): Promise<void> {
  const state = await deviceState(context);
  const pin = pinOption ?? (await required(context, 'PIN: ', true, 'no PIN: give --pin or type it on stdin'));
  const result = await call(context, state.baseUrl, (client) => client.loginWithPin(state.deviceId, state.deviceSecret, pin));
  if (!result.ok) throw await deviceFailure(context, state, result);
  const { accessToken, expiresInSeconds } = result.value;
  const expiresAt = new Date(context.now().getTime() + expiresInSeconds * 1000).toISOString();
  await saveState(context.stateFile, { ...state, accessToken, accessTokenExpiresAt: expiresAt });
  context.io.out(`unlocked, access token valid ${expiresInSeconds} s`);
}

async function showMe(context: Context): Promise<void> {
  const { state, accessToken } = await tokenState(context);
  const result = await call(context, state.baseUrl, (client) => client.me(accessToken));
  if (!result.ok) throw await tokenFailure(context, state, result);
  context.io.out(JSON.stringify(result.value, null, 2));
}

async function logout(context: Context): Promise<void> {
  const { state, accessToken } = await tokenState(context);
  const result = await call(context, state.baseUrl, (client) => client.logout(accessToken));
  if (!result.ok) throw await tokenFailure(context, state, result);
  await saveState(context.stateFile, withoutToken(state));
  context.io.out('logged out; the device stays linked: unlock again with the PIN');
}

async function resetPin(context: Context): Promise<void> {
  const state = await deviceState(context);
  const result = await call(context, state.baseUrl, (client) => client.resetPin(state.deviceId, state.deviceSecret));
  if (!result.ok) throw await deviceFailure(context, state, result);
  await saveState(context.stateFile, { baseUrl: state.baseUrl });
  context.io.out('device removed and its credentials deleted; log in again (login-qr or login-email), then set a new PIN');
}

// ---------------------------------------------------------------------------------------------
// API calls and their failures

async function call<T, S extends number>(context: Context, baseUrl: string, send: (client: IngangAppClient) => Promise<ApiResult<T, S>>): Promise<ApiResult<T, S>> {
  const client = new IngangAppClient({ baseUrl, fetch: context.io.fetch ?? loopbackAwareFetch, headers: { 'user-agent': 'IngangReferenceApp/1 (CLI)' } });
  try {
    return await send(client);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const detail = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
    throw new CliError(`cannot reach ${baseUrl}: ${detail}`);
  }
}

function apiError(failure: ApiFailure, hint?: string): CliError {
  const extras: string[] = [];
  if (failure.attemptsLeft !== undefined) extras.push(`${failure.attemptsLeft} attempt${failure.attemptsLeft === 1 ? '' : 's'} left`);
  if (failure.retryAfterSeconds !== undefined) extras.push(`retry after ${failure.retryAfterSeconds} s`);
  if (failure.error === 'unexpected_response') extras.push(`HTTP ${failure.status}`);
  const line = `error: ${failure.error}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
  return new CliError(hint ? `${line}\n${hint}` : line);
}

/** `device_revoked` and `invalid_device`: the stored credentials no longer work, so they go. */
async function deviceFailure(context: Context, state: AppState, failure: ApiFailure): Promise<CliError> {
  if (failure.error === 'device_revoked' || failure.error === 'invalid_device') {
    await saveState(context.stateFile, { baseUrl: state.baseUrl });
    return apiError(failure, 'This device is no longer linked; its credentials were deleted. Log in again (login-qr or login-email).');
  }
  if (failure.error === 'invalid_pin') return apiError(failure, 'Forgot the PIN? npm run app -- reset-pin');
  return apiError(failure);
}

async function tokenFailure(context: Context, state: AppState, failure: ApiFailure): Promise<CliError> {
  if (failure.error !== 'invalid_token') return apiError(failure);
  await saveState(context.stateFile, withoutToken(state));
  return apiError(failure, 'The access token no longer works: unlock again with npm run app -- unlock');
}

// ---------------------------------------------------------------------------------------------
// State file

async function loadState(file: string): Promise<AppState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read the state file ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError(`the state file ${file} is not JSON; remove it and log in again`);
  }
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const optional = (key: keyof AppState) => (typeof record[key] === 'string' ? { [key]: record[key] } : {});
  if (typeof record.baseUrl !== 'string') throw new CliError(`the state file ${file} has no baseUrl; remove it and log in again`);
  return { baseUrl: record.baseUrl, ...optional('deviceId'), ...optional('deviceSecret'), ...optional('accessToken'), ...optional('accessTokenExpiresAt') };
}

/** Written whole to a temporary file with mode 0600, then renamed over the old one. */
async function saveState(file: string, state: AppState): Promise<void> {
  // An unpredictable name, created exclusively: nobody can plant a link there to catch the secret.
  const temporary = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new CliError(`cannot write the state file ${file}: ${(error as Error).message}`);
  }
}

async function deviceState(context: Context): Promise<AppState & { deviceId: string; deviceSecret: string }> {
  const state = await loadState(context.stateFile);
  if (state?.deviceId === undefined || state.deviceSecret === undefined) {
    throw new CliError(`no device linked in ${context.stateFile}: log in first (npm run app -- login-qr or login-email)`);
  }
  await warnIfReadableByOthers(context);
  return { ...state, deviceId: state.deviceId, deviceSecret: state.deviceSecret };
}

async function tokenState(context: Context): Promise<{ state: AppState; accessToken: string }> {
  const state = await loadState(context.stateFile);
  if (state?.accessToken === undefined) throw new CliError(`locked: no access token in ${context.stateFile}; unlock first (npm run app -- unlock)`);
  return { state, accessToken: state.accessToken };
}

function withoutToken(state: AppState): AppState {
  const { accessToken: _token, accessTokenExpiresAt: _expires, ...rest } = state;
  return rest;
}

async function warnIfReadableByOthers(context: Context): Promise<void> {
  if (process.platform === 'win32') return;
  const mode = (await stat(context.stateFile)).mode & 0o077;
  if (mode !== 0) context.io.err(`warning: ${context.stateFile} holds the device secret and can be read by others: chmod 600 ${context.stateFile}`);
}

// ---------------------------------------------------------------------------------------------
// Options and input

function stringOption(values: Partial<Record<OptionName, string | boolean>>, name: OptionName): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function originOf(url: string): string {
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`--base-url must be an http(s) URL, got ${url}`);
  // Passwords, device secrets and PINs never travel in clear text beyond this machine.
  if (protocol === 'http:' && !isLocalHost(new URL(url).hostname)) throw new UsageError(`--base-url must use https (plain http only for localhost), got ${url}`);
  return new URL(url).origin;
}

async function required(context: Context, prompt: string, hidden: boolean, missing: string): Promise<string> {
  const line = await context.input.read(prompt, { hidden });
  if (line === null || line === '') throw new UsageError(missing);
  return line;
}

/** A hidden (or echoed) prompt on a terminal; else one line of stdin per read. */
function stdinLines(): LineSource {
  let lines: Interface | undefined;
  const queue: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const startPiped = () => {
    lines = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    });
    lines.on('close', () => {
      ended = true;
      for (const waiter of waiting.splice(0)) waiter(null);
    });
  };
  return {
    read(prompt, { hidden }) {
      if (process.stdin.isTTY) return readTerminal(prompt, hidden);
      if (!lines) startPiped();
      if (queue.length > 0) return Promise.resolve(queue.shift()!);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      lines?.close();
    },
  };
}

/** Reads one line in raw mode; echoes nothing when hidden, the characters otherwise. Ctrl-C exits 130. */
function readTerminal(prompt: string, hidden: boolean): Promise<string | null> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let value = '';
    const finish = (result: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      for (const character of chunk.toString()) {
        if (character === '\r' || character === '\n') return finish(value);
        if (character === '\u0003') {
          finish(null);
          process.exit(130);
        }
        if (character === '\u0004') {
          if (value === '') return finish(null);
          continue;
        }
        if (character === '\u007f' || character === '\b') {
          if (value !== '') {
            value = [...value].slice(0, -1).join('');
            if (!hidden) process.stderr.write('\b \b');
          }
          continue;
        }
        if (character === '\u001b') return; // an escape sequence (arrow keys): ignore the rest of it
        if (character < ' ') continue;
        value += character;
        if (!hidden) process.stderr.write(character);
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

// ---------------------------------------------------------------------------------------------
// Network and QR images

/**
 * `<slug>.localhost` names (the development hosts, SPEC 1) are loopback by definition (RFC 6761),
 * but the system resolver often does not know them, and fetch cannot set a Host header. So those
 * requests go to 127.0.0.1 through node:http with the Host header of the URL; all others use fetch.
 */
const loopbackAwareFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!host.endsWith('.localhost')) return fetch(input, init);
  return loopbackRequest(url, init ?? {});
};

function loopbackRequest(url: URL, init: RequestInit): Promise<Response> {
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => (headers[key] = value));
  headers.host = url.host;
  const body = typeof init.body === 'string' ? init.body : undefined;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      { host: '127.0.0.1', port: url.port || (url.protocol === 'https:' ? 443 : 80), path: `${url.pathname}${url.search}`, method: init.method ?? 'GET', headers, servername: url.hostname },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
        response.on('end', () => {
          const status = response.statusCode ?? 502;
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(key, item);
          }
          const text = status === 204 || status === 304 ? null : Buffer.concat(chunks).toString('utf8');
          resolve(new Response(text, { status, headers: responseHeaders }));
        });
      },
    );
    request.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
    request.end(body);
  });
}

// Both are CommonJS: jsqr's module.exports is the function (its types declare only a default
// export, which NodeNext would make `.default`), and pngjs (5.x, a dependency of qrcode) ships no
// types, so they are loaded with require, typed by hand where needed.
const require = createRequire(import.meta.url);
interface DecodedPng {
  width: number;
  height: number;
  data: Buffer;
}

/** The text of the QR code in a PNG file: PNG → RGBA pixels → jsQR. */
async function decodeQrPng(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) throw new CliError(`${file} is not a PNG image (give the PNG of the QR code, or the URL it holds)`);
  const jsQR = require('jsqr') as typeof import('jsqr').default;
  const { PNG } = require('pngjs') as { PNG: { sync: { read(buffer: Buffer): DecodedPng } } };
  let png: DecodedPng;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new CliError(`cannot decode the PNG image ${file}: ${(error as Error).message}`);
  }
  const pixels = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  const found = jsQR(pixels, png.width, png.height, { inversionAttempts: 'attemptBoth' });
  if (!found) throw new CliError(`no QR code found in ${file}`);
  return found.data;
}

// ---------------------------------------------------------------------------------------------

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  process.exitCode = await runAppCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
