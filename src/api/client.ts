/**
 * A typed client of the mobile app API (SPEC 5), for tests and the reference app (tools/app-cli.ts).
 * Only `fetch` and `URL`: it runs in Node and in a browser or app runtime alike.
 *
 * Every call resolves to a result, whatever the HTTP status: `{ ok: true, status, value }` for the
 * success the contract names (exactly that status, and a body of the documented shape), else
 * `{ ok: false, status, error, body }`. Only a network failure rejects (fetch's TypeError).
 * An answer that does not keep the contract (another success status, a malformed body, an HTML
 * page, a redirect) is a failure with `error: 'unexpected_response'`, so tests notice it.
 * Redirects are never followed: they would carry passwords and device secrets to another URL.
 */

export const appApiBasePath = '/api/app/v1';

/** The client's own error code for an answer outside the contract. */
export const unexpectedResponse = 'unexpected_response';

export type Role = 'client' | 'professional' | 'helpdesk' | 'admin';
export type SecondFactorMethod = 'totp' | 'sms' | 'recovery';

/** The account object of a login answer. */
export interface AppAccount {
  id: string;
  name: string;
  email: string;
  role: Role;
}

/** 200 of `/login/qr`, `/login/second-factor`, and of `/login/password` without 2FA. */
export interface DeviceLogin {
  deviceId: string;
  deviceSecret: string;
  pinRequired: true;
  account: AppAccount;
  /** Only after a recovery code: how many unused ones are left. */
  recoveryCodesLeft?: number;
}

/** 200 of `/login/password` when the account has 2FA. */
export interface SecondFactorChallenge {
  secondFactorRequired: true;
  challengeId: string;
  methods: SecondFactorMethod[];
}

/** 200 of `/login/pin`. */
export interface AccessToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** 200 of `/me`. */
export interface Me {
  id: string;
  name: string;
  email: string;
  role: Role;
  locale: 'nl' | 'en';
  organization: { slug: string; name: string };
}

export interface ApiSuccess<T, S extends number = number> {
  ok: true;
  status: S;
  value: T;
  /** Absent; declared so that `result.error` reads without narrowing first. */
  error?: undefined;
}

export interface ApiFailure {
  ok: false;
  status: number;
  /** The API's error code (e.g. `invalid_token`), or `unexpected_response`. */
  error: string;
  /** The parsed JSON body, or the text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** With `invalid_pin`: wrong PINs left before the device is removed. */
  attemptsLeft?: number;
  /** With `rate_limited`: seconds to wait. */
  retryAfterSeconds?: number;
  /** Absent; declared so that `result.value` reads (as undefined) without narrowing first. */
  value?: undefined;
}

export type ApiResult<T, S extends number = number> = ApiSuccess<T, S> | ApiFailure;

export type SecondFactorAnswer = { code: string; recoveryCode?: never } | { recoveryCode: string; code?: never };

export interface IngangAppClientOptions {
  /** The org's origin, e.g. `http://org.localhost:3000` or `https://praktijk.example.nl`. */
  baseUrl: string;
  /** Defaults to the global fetch; tests may pass one that calls `app.inject`. */
  fetch?: typeof fetch;
  /** Sent with every request (e.g. `User-Agent`); the client's own headers win. */
  headers?: Record<string, string>;
}

type Validator<T> = (value: unknown) => value is T;

export function isSecondFactorChallenge(value: DeviceLogin | SecondFactorChallenge): value is SecondFactorChallenge {
  return 'secondFactorRequired' in value;
}

export class IngangAppClient {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;

  constructor(options: IngangAppClientOptions) {
    const protocol = URL.canParse(options.baseUrl) ? new URL(options.baseUrl).protocol : '';
    if (protocol !== 'http:' && protocol !== 'https:') throw new TypeError(`baseUrl is not an http(s) URL: ${options.baseUrl}`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#headers = { ...options.headers };
  }

  loginWithQr(token: string, deviceName: string): Promise<ApiResult<DeviceLogin, 200>> {
    return this.#call('POST', '/login/qr', { body: { token, deviceName } }, 200, isDeviceLogin);
  }

  loginWithPassword(email: string, password: string, deviceName: string): Promise<ApiResult<DeviceLogin | SecondFactorChallenge, 200>> {
    const isEither = (value: unknown): value is DeviceLogin | SecondFactorChallenge => isDeviceLogin(value) || isChallenge(value);
    return this.#call('POST', '/login/password', { body: { email, password, deviceName } }, 200, isEither);
  }

  loginSecondFactor(challengeId: string, answer: SecondFactorAnswer): Promise<ApiResult<DeviceLogin, 200>> {
    const body = answer.code !== undefined ? { challengeId, code: answer.code } : { challengeId, recoveryCode: answer.recoveryCode };
    return this.#call('POST', '/login/second-factor', { body }, 200, isDeviceLogin);
  }

  setPin(deviceId: string, deviceSecret: string, pin: string): Promise<ApiResult<undefined, 204>> {
    return this.#call('POST', '/pin', { body: { deviceId, deviceSecret, pin } }, 204, isUndefined);
  }

  loginWithPin(deviceId: string, deviceSecret: string, pin: string): Promise<ApiResult<AccessToken, 200>> {
    return this.#call('POST', '/login/pin', { body: { deviceId, deviceSecret, pin } }, 200, isAccessToken);
  }

  resetPin(deviceId: string, deviceSecret: string): Promise<ApiResult<undefined, 204>> {
    return this.#call('POST', '/pin/reset', { body: { deviceId, deviceSecret } }, 204, isUndefined);
  }

  me(accessToken: string): Promise<ApiResult<Me, 200>> {
    return this.#call('GET', '/me', { accessToken }, 200, isMe);
  }

  logout(accessToken: string): Promise<ApiResult<undefined, 204>> {
    return this.#call('POST', '/logout', { accessToken }, 204, isUndefined);
  }

  async #call<T, S extends 200 | 204>(
    method: 'GET' | 'POST',
    path: string,
    request: { body?: Record<string, string | undefined>; accessToken?: string },
    successStatus: S,
    isValue: Validator<T>,
  ): Promise<ApiResult<T, S>> {
    const headers: Record<string, string> = { ...this.#headers, accept: 'application/json' };
    // No Content-Type without a body: a JSON content type with an empty body is itself a bad request.
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.accessToken !== undefined) headers.authorization = `Bearer ${request.accessToken}`;
    const init: RequestInit = { method, headers, redirect: 'manual' };
    if (request.body !== undefined) init.body = JSON.stringify(request.body);

    const response = await this.#fetch(`${this.baseUrl}${appApiBasePath}${path}`, init);
    const body = parseBody(await response.text());
    const status = response.status;

    if (status === successStatus) {
      const value = successStatus === 204 ? undefined : body;
      if (isValue(value)) return { ok: true, status: successStatus, value };
      return { ok: false, status, error: unexpectedResponse, body };
    }
    return failureOf(status, body);
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function failureOf(status: number, body: unknown): ApiFailure {
  const isError = status >= 400 && isRecord(body) && typeof body.error === 'string' && body.error !== '';
  if (!isError) return { ok: false, status, error: unexpectedResponse, body };
  const failure: ApiFailure = { ok: false, status, error: body.error as string, body };
  if (isCount(body.attemptsLeft)) failure.attemptsLeft = body.attemptsLeft;
  if (isCount(body.retryAfterSeconds)) failure.retryAfterSeconds = body.retryAfterSeconds;
  return failure;
}

/**
 * The token of an app login link `https://<org host>/app/login#<token>` (`http:` too, for
 * development), or null for anything else: another path, a query, user info, an empty or
 * oddly encoded token. The link's origin is the base URL to send the token to.
 */
/** Plain http only where nothing crosses a network: this machine (development). */
export function isLocalHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '127.0.0.1' || hostname === '[::1]';
}

export function qrTokenFromUrl(url: string): string | null {
  const text = url.trim();
  if (!URL.canParse(text)) return null;
  const parsed = new URL(text);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLocalHost(parsed.hostname))) return null;
  if (parsed.username !== '' || parsed.password !== '' || parsed.pathname !== '/app/login' || parsed.search !== '') return null;
  const token = parsed.hash.slice(1);
  return /^[A-Za-z0-9._~-]{1,512}$/.test(token) ? token : null;
}

// Shape checks of the success bodies: extra fields are allowed, missing or mistyped ones are not.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isUndefined = (value: unknown): value is undefined => value === undefined;
const roles: readonly unknown[] = ['client', 'professional', 'helpdesk', 'admin'] satisfies Role[];
const methods: readonly unknown[] = ['totp', 'sms', 'recovery'] satisfies SecondFactorMethod[];

function isAccount(value: unknown): value is AppAccount {
  return isRecord(value) && isString(value.id) && isString(value.name) && isString(value.email) && roles.includes(value.role);
}

function isDeviceLogin(value: unknown): value is DeviceLogin {
  return (
    isRecord(value) &&
    isString(value.deviceId) &&
    isString(value.deviceSecret) &&
    value.pinRequired === true &&
    isAccount(value.account) &&
    (value.recoveryCodesLeft === undefined || (typeof value.recoveryCodesLeft === 'number' && Number.isInteger(value.recoveryCodesLeft) && value.recoveryCodesLeft >= 0))
  );
}

function isChallenge(value: unknown): value is SecondFactorChallenge {
  return (
    isRecord(value) &&
    value.secondFactorRequired === true &&
    isString(value.challengeId) &&
    Array.isArray(value.methods) &&
    value.methods.length > 0 &&
    value.methods.every((method) => methods.includes(method))
  );
}

function isAccessToken(value: unknown): value is AccessToken {
  return isRecord(value) && isString(value.accessToken) && value.accessToken !== '' && isCount(value.expiresInSeconds) && value.expiresInSeconds > 0;
}

function isMe(value: unknown): value is Me {
  return (
    isAccount(value) &&
    isRecord(value) &&
    (value.locale === 'nl' || value.locale === 'en') &&
    isRecord(value.organization) &&
    isString(value.organization.slug) &&
    isString(value.organization.name)
  );
}
