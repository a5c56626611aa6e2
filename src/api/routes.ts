import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../audit/audit.js';
import { clientIpKey, hitRateLimit, isRateLimited, refundRateLimit } from '../core/rate-limit.js';
import type { Deps } from '../deps.js';
import { accessTokenSeconds, checkDevicePin, checkPinShape, findAccessToken, findDevice, issueAccessToken, removeDevice, revokeAccessToken, setDevicePin } from '../flows/app-devices.js';
import { loginSecondFactor, loginWithPassword, loginWithQr } from '../flows/app-login.js';
import type { Organization } from '../tenants/organizations.js';
import { clientOf } from '../web/context.js';
import { appApiMaxStringLength, openApiDocument } from './openapi.js';

export const apiPrefix = '/api/app/v1';

/** A bad request body: the answer is 400 `invalid_request` with a clear message. */
export class InvalidRequestError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** The named fields of a JSON body, each a string without NUL (SECURITY 24); anything else is refused. */
function strings<K extends string>(body: unknown, required: readonly K[], optional: readonly K[] = []): Record<K, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  const known: readonly string[] = [...required, ...optional];
  const unknown = Object.keys(fields).find((name) => !known.includes(name));
  if (unknown !== undefined) throw new InvalidRequestError(`unknown field "${unknown.slice(0, 40)}"`);
  const out = {} as Record<K, string>;
  for (const name of [...required, ...optional]) {
    const value = fields[name];
    if (value === undefined && optional.includes(name)) continue;
    if (typeof value !== 'string') throw new InvalidRequestError(`"${name}" must be a string`);
    if (value.includes('\u0000')) throw new InvalidRequestError(`"${name}" contains a NUL character`);
    if (value.length > appApiMaxStringLength) throw new InvalidRequestError(`"${name}" is longer than ${appApiMaxStringLength} characters`);
    out[name] = value;
  }
  return out;
}

function fail(reply: FastifyReply, status: number, error: string, extra: Record<string, unknown> = {}) {
  return reply.code(status).send({ error, ...extra });
}

/** Guessing tokens, device secrets or challenges is throttled per client network (SECURITY 9). */
const guessesPerIp = { limit: 20, windowSeconds: 600 };

/**
 * One-use credentials (QR tokens, login challenges): each request is counted as a guess before
 * anything is looked up, so a parallel burst gets no more lookups than the budget (SECURITY 9);
 * a right one takes its count back with `refundGuess`. The seconds to wait when over it, else null.
 */
async function countGuess(deps: Deps, org: Organization, request: FastifyRequest): Promise<number | null> {
  const state = await hitRateLimit(deps.db, org.tenantId, guessKey(request), guessesPerIp, deps.clock.now());
  return state.allowed ? null : state.retryAfterSeconds;
}

async function refundGuess(deps: Deps, org: Organization, request: FastifyRequest): Promise<void> {
  await refundRateLimit(deps.db, org.tenantId, guessKey(request));
}

/**
 * Credentials an app uses on every call (device secrets, access tokens): checked against the
 * budget first and counted only when wrong, so many parallel right calls from one network (a
 * clinic behind one address) are never throttled. A parallel burst of wrong ones can overshoot
 * the budget by the requests in flight, which is harmless against 256-bit secrets.
 */
async function guessBlocked(deps: Deps, org: Organization, request: FastifyRequest): Promise<number | null> {
  const state = await isRateLimited(deps.db, org.tenantId, guessKey(request), guessesPerIp, deps.clock.now());
  return state.allowed ? null : state.retryAfterSeconds;
}

async function countMiss(deps: Deps, org: Organization, request: FastifyRequest): Promise<void> {
  await hitRateLimit(deps.db, org.tenantId, guessKey(request), guessesPerIp, deps.clock.now());
}

const guessKey = (request: FastifyRequest) => `api_guess:${clientIpKey(request.ip)}`;

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

/** The app API (SPEC 5), one route per row of the table. */
export function registerApiRoutes(app: FastifyInstance, deps: Deps): void {
  const org = (request: FastifyRequest) => request.org!;

  /**
   * The device the body names, or null once the answer is sent: 429 while this network is
   * throttled for guessing, else 401 (a wrong id or secret counts as a guess). A removed device
   * answers `device_revoked` where the table says so, `invalid_device` elsewhere.
   */
  const deviceOf = async (request: FastifyRequest, reply: FastifyReply, input: { deviceId: string; deviceSecret: string }, removed: 'invalid_device' | 'device_revoked') => {
    const retry = await guessBlocked(deps, org(request), request);
    if (retry) {
      fail(reply, 429, 'rate_limited', { retryAfterSeconds: retry });
      return null;
    }
    const found = await findDevice(deps.db, org(request).tenantId, input.deviceId, input.deviceSecret);
    if (found.kind === 'ok') return found;
    if (found.kind === 'removed' && removed === 'device_revoked') {
      fail(reply, 401, 'device_revoked');
      return null;
    }
    await countMiss(deps, org(request), request);
    fail(reply, 401, 'invalid_device');
    return null;
  };

  /** The account behind the bearer token; unknown tokens count as guesses (SECURITY 9). */
  const bearerAccount = async (request: FastifyRequest) => {
    if (await guessBlocked(deps, org(request), request)) return 'throttled' as const;
    const found = await findAccessToken(deps.db, org(request).tenantId, bearer(request), deps.clock.now());
    if (!found) await countMiss(deps, org(request), request);
    return found;
  };

  app.get(`${apiPrefix}/openapi.json`, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(openApiDocument));

  app.post(`${apiPrefix}/login/qr`, async (request, reply) => {
    const input = strings(request.body, ['token', 'deviceName']);
    const retry = await countGuess(deps, org(request), request);
    if (retry) return fail(reply, 429, 'rate_limited', { retryAfterSeconds: retry });
    const login = await loginWithQr(deps, org(request), clientOf(request), input);
    if (!login) return fail(reply, 401, 'invalid_token');
    await refundGuess(deps, org(request), request);
    return reply.send(login);
  });

  app.post(`${apiPrefix}/login/password`, async (request, reply) => {
    const input = strings(request.body, ['email', 'password', 'deviceName']);
    const result = await loginWithPassword(deps, org(request), clientOf(request), input);
    switch (result.kind) {
      case 'device':
        return reply.send(result.login);
      case 'second_factor':
        return reply.send({ secondFactorRequired: true, challengeId: result.challengeId, methods: result.methods });
      case 'rate_limited':
        return fail(reply, 429, 'rate_limited', { retryAfterSeconds: result.retryAfterSeconds });
      case 'error':
        return fail(reply, result.error === 'two_factor_setup_required' ? 403 : 401, result.error);
    }
  });

  app.post(`${apiPrefix}/login/second-factor`, async (request, reply) => {
    const input = strings(request.body, ['challengeId'], ['code', 'recoveryCode']);
    if ((input.code === undefined) === (input.recoveryCode === undefined)) throw new InvalidRequestError('give exactly one of "code" and "recoveryCode"');
    const retry = await countGuess(deps, org(request), request);
    if (retry) return fail(reply, 429, 'rate_limited', { retryAfterSeconds: retry });
    const code = input.recoveryCode !== undefined ? { recoveryCode: input.recoveryCode } : { code: input.code! };
    const result = await loginSecondFactor(deps, org(request), clientOf(request), { challengeId: input.challengeId, ...code });
    // An unknown (or ended) challenge counts as a guess at one; a wrong code has its own budget (SPEC 4.5).
    if (result.kind !== 'error' || result.error !== 'challenge_expired') await refundGuess(deps, org(request), request);
    if (result.kind === 'device') return reply.send(result.login);
    if (result.kind === 'rate_limited') return fail(reply, 429, 'rate_limited', { retryAfterSeconds: result.retryAfterSeconds });
    return fail(reply, 401, result.error);
  });

  app.post(`${apiPrefix}/pin`, async (request, reply) => {
    const input = strings(request.body, ['deviceId', 'deviceSecret', 'pin']);
    const shape = checkPinShape(input.pin);
    if (shape) return fail(reply, 400, shape);
    const found = await deviceOf(request, reply, input, 'invalid_device');
    if (!found) return reply;
    if (found.pinHash !== null || !(await setDevicePin(deps.db, found.device, input.pin))) return fail(reply, 409, 'pin_already_set');
    await recordAudit(deps.db, deps.clock.now(), clientOf(request), { tenantId: org(request).tenantId, event: 'pin_set', outcome: 'success', actorAccountId: found.device.accountId, subjectAccountId: found.device.accountId, details: { deviceId: found.device.id } });
    return reply.code(204).send();
  });

  app.post(`${apiPrefix}/login/pin`, async (request, reply) => {
    const input = strings(request.body, ['deviceId', 'deviceSecret', 'pin']);
    const found = await deviceOf(request, reply, input, 'device_revoked');
    if (!found) return reply;
    // Until a PIN is set the device can do nothing but set it (SPEC 5).
    if (found.pinHash === null) return fail(reply, 409, 'pin_not_set');
    const check = await checkDevicePin(deps, found.device, found.pinHash, input.pin);
    const tenantId = org(request).tenantId;
    const accountId = found.device.accountId;
    if (!check.ok) {
      if (check.error === 'device_revoked' && !check.removedNow) return fail(reply, 401, 'device_revoked');
      // Every wrong PIN is a `pin_failed` (SPEC 7); the fifth also removes the device.
      const failed = { tenantId, outcome: 'failure' as const, actorAccountId: accountId, subjectAccountId: accountId };
      await recordAudit(deps.db, deps.clock.now(), clientOf(request), { ...failed, event: 'pin_failed', details: { deviceId: found.device.id, attemptsLeft: check.error === 'device_revoked' ? 0 : check.attemptsLeft } });
      if (check.error === 'device_revoked') {
        await recordAudit(deps.db, deps.clock.now(), clientOf(request), { ...failed, event: 'app_device_removed', details: { deviceId: found.device.id, reason: 'pin_failures' } });
      }
      return check.error === 'device_revoked' ? fail(reply, 401, 'device_revoked') : fail(reply, 401, 'invalid_pin', { attemptsLeft: check.attemptsLeft });
    }
    const accessToken = await issueAccessToken(deps.db, deps, found.device);
    await recordAudit(deps.db, deps.clock.now(), clientOf(request), { tenantId, event: 'app_login_succeeded', outcome: 'success', actorAccountId: accountId, subjectAccountId: accountId, details: { deviceId: found.device.id } });
    return reply.send({ accessToken, expiresInSeconds: accessTokenSeconds });
  });

  app.post(`${apiPrefix}/pin/reset`, async (request, reply) => {
    const input = strings(request.body, ['deviceId', 'deviceSecret']);
    const found = await deviceOf(request, reply, input, 'invalid_device');
    if (!found) return reply;
    await removeDevice(deps.db, org(request).tenantId, found.device.id, 'pin_reset', deps.clock.now());
    await recordAudit(deps.db, deps.clock.now(), clientOf(request), { tenantId: org(request).tenantId, event: 'app_device_removed', outcome: 'success', actorAccountId: found.device.accountId, subjectAccountId: found.device.accountId, details: { deviceId: found.device.id, reason: 'pin_reset' } });
    return reply.code(204).send();
  });

  app.get(`${apiPrefix}/me`, async (request, reply) => {
    const found = await bearerAccount(request);
    if (found === 'throttled') return fail(reply, 429, 'rate_limited', { retryAfterSeconds: guessesPerIp.windowSeconds });
    if (!found) return fail(reply, 401, 'invalid_token');
    const { account } = found;
    return reply.send({ id: account.id, name: account.name, email: account.email, role: account.role, locale: account.locale ?? org(request).defaultLocale, organization: { slug: org(request).slug, name: org(request).name } });
  });

  app.post(`${apiPrefix}/logout`, async (request, reply) => {
    const found = await bearerAccount(request);
    if (found === 'throttled') return fail(reply, 429, 'rate_limited', { retryAfterSeconds: guessesPerIp.windowSeconds });
    if (!found) return fail(reply, 401, 'invalid_token');
    await revokeAccessToken(deps.db, org(request).tenantId, found.tokenId, deps.clock.now());
    await recordAudit(deps.db, deps.clock.now(), clientOf(request), { tenantId: org(request).tenantId, event: 'app_logged_out', outcome: 'success', actorAccountId: found.account.id, subjectAccountId: found.account.id });
    return reply.code(204).send();
  });
}
