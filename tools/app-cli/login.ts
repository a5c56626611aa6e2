// Linking this device: with the QR code of /account/app (its PNG image or the URL it holds), or
// with e-mail address, password and the second factor. The credentials go to the state file.
import { isLocalHost, isSecondFactorChallenge, qrTokenFromUrl, type DeviceLogin } from '../../src/api/client.js';
import { apiError, call } from './api-calls.js';
import type { OptionName } from './command-line.js';
import { required, type Context } from './context.js';
import { CliError, UsageError } from './errors.js';
import { decodeQrPng } from './qr-png.js';
import { loadState, saveState } from './state-file.js';

const defaultDeviceName = 'Ingang reference app';

export function deviceNameOf(value: string | undefined): string {
  if (value === undefined) return defaultDeviceName;
  if (value.trim() === '') throw new UsageError('--device-name must not be empty');
  return value;
}

export async function loginQr(context: Context, argument: string, deviceName: string): Promise<void> {
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

export async function loginEmail(context: Context, values: Partial<Record<OptionName, string | boolean>>): Promise<void> {
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
