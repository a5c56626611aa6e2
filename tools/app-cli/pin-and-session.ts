// The linked device: its PIN (set, unlock, forgot), and the access token of the last unlock (me, logout).
import { call, deviceFailure, tokenFailure } from './api-calls.js';
import { required, type Context } from './context.js';
import { UsageError } from './errors.js';
import { deviceState, saveState, tokenState, withoutToken } from './state-file.js';

export async function setPin(context: Context, pinOption: string | undefined): Promise<void> {
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

export async function unlock(context: Context, pinOption: string | undefined): Promise<void> {
  const state = await deviceState(context);
  const pin = pinOption ?? (await required(context, 'PIN: ', true, 'no PIN: give --pin or type it on stdin'));
  const result = await call(context, state.baseUrl, (client) => client.loginWithPin(state.deviceId, state.deviceSecret, pin));
  if (!result.ok) throw await deviceFailure(context, state, result);
  const { accessToken, expiresInSeconds } = result.value;
  const expiresAt = new Date(context.now().getTime() + expiresInSeconds * 1000).toISOString();
  await saveState(context.stateFile, { ...state, accessToken, accessTokenExpiresAt: expiresAt });
  context.io.out(`unlocked, access token valid ${expiresInSeconds} s`);
}

export async function showMe(context: Context): Promise<void> {
  const { state, accessToken } = await tokenState(context);
  const result = await call(context, state.baseUrl, (client) => client.me(accessToken));
  if (!result.ok) throw await tokenFailure(context, state, result);
  context.io.out(JSON.stringify(result.value, null, 2));
}

export async function logout(context: Context): Promise<void> {
  const { state, accessToken } = await tokenState(context);
  const result = await call(context, state.baseUrl, (client) => client.logout(accessToken));
  if (!result.ok) throw await tokenFailure(context, state, result);
  await saveState(context.stateFile, withoutToken(state));
  context.io.out('logged out; the device stays linked: unlock again with the PIN');
}

export async function resetPin(context: Context): Promise<void> {
  const state = await deviceState(context);
  const result = await call(context, state.baseUrl, (client) => client.resetPin(state.deviceId, state.deviceSecret));
  if (!result.ok) throw await deviceFailure(context, state, result);
  await saveState(context.stateFile, { baseUrl: state.baseUrl });
  context.io.out('device removed and its credentials deleted; log in again (login-qr or login-email), then set a new PIN');
}
