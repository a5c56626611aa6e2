import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { accountOfAccessToken, endAccessToken, forgetDevicePin, setDevicePin, unlockWithPin } from '../flows/app-unlock.js';
import { linkAppWithQrCode } from '../flows/app-link.js';
import { submitCode } from '../flows/login/code-step.js';
import { submitPassword } from '../flows/login/password-step.js';
import { clientOf } from '../http/request-context.js';
import { failOutcome } from './errors.js';
import { bearerOf, InvalidRequestError, strings } from './input.js';
import { openApiDocument } from './openapi.js';

/**
 * The app API (SPEC 5), one route per row of the table, under `/api/app/v1`. Each parses its
 * body, calls one journey and maps the outcome to JSON.
 */
export function registerApiRoutes(api: FastifyInstance, deps: Deps): void {
  api.get('/openapi.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(openApiDocument));

  api.post('/login/qr', async (request, reply) => {
    const input = strings(request.body, ['token', 'deviceName']);
    const linked = await linkAppWithQrCode(deps, request.org!, clientOf(request), input);
    return linked.ok ? reply.send(linked.login) : failOutcome(reply, linked);
  });

  api.post('/login/password', async (request, reply) => {
    const input = strings(request.body, ['email', 'password', 'deviceName']);
    const result = await submitPassword(deps, request.org!, clientOf(request), { kind: 'app', deviceName: input.deviceName }, input);
    if (!result.ok) return failOutcome(reply, result);
    if (result.next === 'device') return reply.send(result.login);
    return reply.send({ secondFactorRequired: true, challengeId: result.challengeId, methods: result.methods });
  });

  api.post('/login/second-factor', async (request, reply) => {
    const input = strings(request.body, ['challengeId'], ['code', 'recoveryCode']);
    if ((input.code === undefined) === (input.recoveryCode === undefined)) throw new InvalidRequestError('give exactly one of "code" and "recoveryCode"');
    const code = input.recoveryCode !== undefined ? { recoveryCode: input.recoveryCode } : { code: input.code! };
    const result = await submitCode(deps, request.org!, clientOf(request), { kind: 'app', challengeToken: input.challengeId }, code);
    return result.ok ? reply.send(result.login) : failOutcome(reply, result);
  });

  api.post('/pin', async (request, reply) => {
    const input = strings(request.body, ['deviceId', 'deviceSecret', 'pin']);
    const result = await setDevicePin(deps, request.org!, clientOf(request), input);
    return result.ok ? reply.code(204).send() : failOutcome(reply, result);
  });

  api.post('/login/pin', async (request, reply) => {
    const input = strings(request.body, ['deviceId', 'deviceSecret', 'pin']);
    const result = await unlockWithPin(deps, request.org!, clientOf(request), input);
    return result.ok ? reply.send({ accessToken: result.accessToken, expiresInSeconds: result.expiresInSeconds }) : failOutcome(reply, result);
  });

  api.post('/pin/reset', async (request, reply) => {
    const input = strings(request.body, ['deviceId', 'deviceSecret']);
    const result = await forgetDevicePin(deps, request.org!, clientOf(request), input);
    return result.ok ? reply.code(204).send() : failOutcome(reply, result);
  });

  api.get('/me', async (request, reply) => {
    const org = request.org!;
    const found = await accountOfAccessToken(deps, org, clientOf(request), bearerOf(request.headers.authorization));
    if (!found.ok) return failOutcome(reply, found);
    const { account } = found;
    return reply.send({ id: account.id, name: account.name, email: account.email, role: account.role, locale: account.locale ?? org.defaultLocale, organization: { slug: org.slug, name: org.name } });
  });

  api.post('/logout', async (request, reply) => {
    const result = await endAccessToken(deps, request.org!, clientOf(request), bearerOf(request.headers.authorization));
    return result.ok ? reply.code(204).send() : failOutcome(reply, result);
  });
}
