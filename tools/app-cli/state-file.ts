// The state file: the device credentials and the access token of the last unlock (mode 0600).
// Never the PIN, never the password.
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Context } from './context.js';
import { CliError } from './errors.js';

/** What the app stores; `accessToken` only after `unlock`. */
export interface AppState {
  baseUrl: string;
  deviceId?: string;
  deviceSecret?: string;
  accessToken?: string;
  /** ISO time the access token expires, as the server said at unlock. */
  accessTokenExpiresAt?: string;
}

export async function loadState(file: string): Promise<AppState | null> {
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
export async function saveState(file: string, state: AppState): Promise<void> {
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

export async function deviceState(context: Context): Promise<AppState & { deviceId: string; deviceSecret: string }> {
  const state = await loadState(context.stateFile);
  if (state?.deviceId === undefined || state.deviceSecret === undefined) {
    throw new CliError(`no device linked in ${context.stateFile}: log in first (npm run app -- login-qr or login-email)`);
  }
  await warnIfReadableByOthers(context);
  return { ...state, deviceId: state.deviceId, deviceSecret: state.deviceSecret };
}

export async function tokenState(context: Context): Promise<{ state: AppState; accessToken: string }> {
  const state = await loadState(context.stateFile);
  if (state?.accessToken === undefined) throw new CliError(`locked: no access token in ${context.stateFile}; unlock first (npm run app -- unlock)`);
  return { state, accessToken: state.accessToken };
}

export function withoutToken(state: AppState): AppState {
  const { accessToken: _token, accessTokenExpiresAt: _expires, ...rest } = state;
  return rest;
}

async function warnIfReadableByOthers(context: Context): Promise<void> {
  if (process.platform === 'win32') return;
  const mode = (await stat(context.stateFile)).mode & 0o077;
  if (mode !== 0) context.io.err(`warning: ${context.stateFile} holds the device secret and can be read by others: chmod 600 ${context.stateFile}`);
}
