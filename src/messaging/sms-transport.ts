import { flattenToOneLine } from './one-line.js';

export interface OutgoingSms {
  /** E.164, e.g. `+31612345678`. */
  to: string;
  message: string;
}

export interface SmsTransport {
  /** Resolves once the provider accepted the message; rejects otherwise. */
  send(sms: OutgoingSms): Promise<void>;
}

/** ITU-T E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const e164 = /^\+[1-9]\d{6,14}$/;

/** Every C0/C1 control character except the line feed; a CR or NUL has no business in an SMS. */
const controlCharacterOtherThanNewline = /[^\P{Cc}\n]/u;

/** Twilio answers in well under a second; a send job must not hang on a provider that stalls. */
const defaultTimeoutMs = 10_000;

/** Only the start of an error body is read: enough for Twilio's JSON, never a flood into memory. */
const maxErrorBodyBytes = 16 * 1024;

export function isE164(phone: string): boolean {
  return e164.test(phone);
}

/**
 * Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource).
 * `from` is a Twilio number in E.164 or an alphanumeric sender id. `baseUrl` is for tests.
 * Errors name the HTTP status and Twilio's error `code` and `message`, never the auth token,
 * the message body (it holds a code) or the recipient's number (personal data in a log).
 */
export function twilioSmsTransport(options: {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl?: string;
  timeoutMs?: number;
}): SmsTransport {
  const { accountSid, authToken, from } = options;
  if (accountSid === '' || /[:/?#\s\p{Cc}]/u.test(accountSid)) throw new Error('Twilio account SID is empty or malformed');
  if (authToken === '' || /[\s\p{Cc}]/u.test(authToken)) throw new Error('Twilio auth token is empty or malformed');
  if (from === '' || /\p{Cc}/u.test(from)) throw new Error('Twilio sender (from) is empty or malformed');
  const baseUrl = checkWebUrl(options.baseUrl ?? 'https://api.twilio.com', 'Twilio base URL').replace(/\/+$/, '');
  const url = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const timeoutMs = checkTimeout(options.timeoutMs);
  return {
    async send(sms) {
      checkSms(sms);
      const response = await post('Twilio', url, timeoutMs, {
        authorization,
        'content-type': 'application/x-www-form-urlencoded',
        body: new URLSearchParams({ To: sms.to, From: from, Body: sms.message }).toString(),
      });
      if (isSuccess(response.status)) return discardBody(response);
      const detail = describeTwilioError(await readStart(response), [authToken, sms.message, sms.to]);
      throw new Error(`Twilio did not accept the SMS: HTTP ${response.status}${detail}`);
    },
  };
}

/**
 * POSTs `{"to": "+31...", "message": "..."}` as JSON to `url`; any 2xx means accepted. A user and
 * password in the URL become a Basic authorization header, since fetch refuses them in the URL.
 * Errors never name the URL: its query may hold the receiver's secret.
 */
export function webhookSmsTransport(options: { url: string; timeoutMs?: number }): SmsTransport {
  const target = new URL(checkWebUrl(options.url, 'SMS webhook URL'));
  const authorization =
    target.username === '' && target.password === ''
      ? undefined
      : `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
  target.username = '';
  target.password = '';
  const url = target.href;
  const timeoutMs = checkTimeout(options.timeoutMs);
  return {
    async send(sms) {
      checkSms(sms);
      const response = await post('SMS webhook', url, timeoutMs, {
        ...(authorization === undefined ? {} : { authorization }),
        'content-type': 'application/json',
        body: JSON.stringify({ to: sms.to, message: sms.message }),
      });
      await discardBody(response);
      if (!isSuccess(response.status)) throw new Error(`SMS webhook did not accept the SMS: HTTP ${response.status}`);
    },
  };
}

/** For development: hands each message to `log` (the dev outbox) after the same checks as the providers. */
export function devSmsTransport(log: (entry: OutgoingSms) => void): SmsTransport {
  return {
    async send(sms) {
      checkSms(sms);
      log({ to: sms.to, message: sms.message });
    },
  };
}

/** The errors name neither the number nor the text: both end up in logs. */
function checkSms(sms: OutgoingSms): void {
  if (!isE164(sms.to)) throw new Error('SMS recipient is not an E.164 phone number (+ and 7 to 15 digits)');
  if (sms.message.trim() === '') throw new Error('SMS message is empty');
  if (controlCharacterOtherThanNewline.test(sms.message)) {
    throw new Error('SMS message contains a control character other than a newline');
  }
}

async function post(
  provider: string,
  url: string,
  timeoutMs: number,
  request: { authorization?: string; 'content-type': string; body: string },
): Promise<Response> {
  const { body, ...headers } = request;
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json' },
      body,
      // A redirect is an answer we did not ask for; never resend the credentials or the code elsewhere.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw describeNetworkError(provider, timeoutMs, error);
  }
}

function describeNetworkError(provider: string, timeoutMs: number, error: unknown): Error {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new Error(`${provider} did not answer within ${timeoutMs} ms`);
  }
  // undici's "fetch failed" keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  return new Error(`${provider} could not be reached${code === '' ? '' : ` (${code})`}`, { cause: error });
}

/** Twilio's error body: `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`. */
function describeTwilioError(body: string, secrets: string[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '';
  }
  if (typeof parsed !== 'object' || parsed === null) return '';
  const code = 'code' in parsed && (typeof parsed.code === 'number' || typeof parsed.code === 'string') ? String(parsed.code) : '';
  const message = 'message' in parsed && typeof parsed.message === 'string' ? redact(parsed.message, secrets) : '';
  return [code === '' ? '' : `, Twilio error ${flattenToOneLine(code).slice(0, 20)}`, message === '' ? '' : `: ${message}`].join('');
}

/** Twilio's message may quote what it was sent ("The 'To' number +316… is not valid"). */
function redact(text: string, secrets: string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.trim() !== '') redacted = redacted.split(secret).join('[redacted]');
  }
  return flattenToOneLine(redacted).slice(0, 300);
}

async function readStart(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxErrorBodyBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off by the timeout or the peer still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, maxErrorBodyBytes);
}

/** An unread body keeps the connection busy; the answer to an accepted message tells us nothing we use. */
async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

function checkWebUrl(url: string, what: string): string {
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  if (protocol !== 'https:' && protocol !== 'http:') throw new Error(`${what} is not an http(s) URL`);
  return url;
}

function checkTimeout(timeoutMs: number | undefined): number {
  const value = timeoutMs ?? defaultTimeoutMs;
  if (!Number.isInteger(value) || value <= 0) throw new Error('SMS timeoutMs must be a positive whole number');
  return value;
}
