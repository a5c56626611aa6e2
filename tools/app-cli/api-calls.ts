// API calls and their failures: one client per call, a network fault as a CLI error, and the
// error codes that make stored credentials or the access token go.
import { IngangAppClient, type ApiFailure, type ApiResult } from '../../src/api/client.js';
import type { Context } from './context.js';
import { CliError } from './errors.js';
import { loopbackAwareFetch } from './loopback-fetch.js';
import { saveState, withoutToken, type AppState } from './state-file.js';

export async function call<T, S extends number>(context: Context, baseUrl: string, send: (client: IngangAppClient) => Promise<ApiResult<T, S>>): Promise<ApiResult<T, S>> {
  const client = new IngangAppClient({ baseUrl, fetch: context.io.fetch ?? loopbackAwareFetch, headers: { 'user-agent': 'IngangReferenceApp/1 (CLI)' } });
  try {
    return await send(client);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const detail = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
    throw new CliError(`cannot reach ${baseUrl}: ${detail}`);
  }
}

export function apiError(failure: ApiFailure, hint?: string): CliError {
  const extras: string[] = [];
  if (failure.attemptsLeft !== undefined) extras.push(`${failure.attemptsLeft} attempt${failure.attemptsLeft === 1 ? '' : 's'} left`);
  if (failure.retryAfterSeconds !== undefined) extras.push(`retry after ${failure.retryAfterSeconds} s`);
  if (failure.error === 'unexpected_response') extras.push(`HTTP ${failure.status}`);
  const line = `error: ${failure.error}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`;
  return new CliError(hint ? `${line}\n${hint}` : line);
}

/** `device_revoked` and `invalid_device`: the stored credentials no longer work, so they go. */
export async function deviceFailure(context: Context, state: AppState, failure: ApiFailure): Promise<CliError> {
  if (failure.error === 'device_revoked' || failure.error === 'invalid_device') {
    await saveState(context.stateFile, { baseUrl: state.baseUrl });
    return apiError(failure, 'This device is no longer linked; its credentials were deleted. Log in again (login-qr or login-email).');
  }
  if (failure.error === 'invalid_pin') return apiError(failure, 'Forgot the PIN? npm run app -- reset-pin');
  return apiError(failure);
}

export async function tokenFailure(context: Context, state: AppState, failure: ApiFailure): Promise<CliError> {
  if (failure.error !== 'invalid_token') return apiError(failure);
  await saveState(context.stateFile, withoutToken(state));
  return apiError(failure, 'The access token no longer works: unlock again with npm run app -- unlock');
}
