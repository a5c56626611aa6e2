import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { apiPrefix, isApiPath, registerApiSurface } from './api/plugin.js';
import type { Config } from './config.js';
import type { Clock } from './core/clock.js';
import type { RandomSource } from './core/random.js';
import type { Db } from './db/db.js';
import type { Deps } from './deps.js';
import { limitPasswordHashing } from './factors/password/hashing.js';
import { backchannelLogoutJobHandler, backchannelLogoutJobKind, endTimedOutOpenIdLogins } from './flows/openid-logout.js';
import { passwordResetJobHandler, passwordResetJobKind } from './flows/password-reset.js';
import { registrationJobHandler, registrationJobKind } from './flows/registration.js';
import { maxBodyBytes, registerBodyParsers } from './http/body-parsers.js';
import { capConnectionsPerAddress, timeoutOptions } from './http/connection-limits.js';
import { ambiguousHost } from './http/host-headers.js';
import { setSecurityHeaders } from './http/security-headers.js';
import { createJobWorker, type JobWorker } from './jobs/worker.js';
import type { MailTransport } from './messaging/mail-transport.js';
import { emailJobHandler, emailJobKind } from './messaging/outbox.js';
import type { SmsTransport } from './messaging/sms-transport.js';
import { registerOpenIdSurface } from './openid/plugin.js';
import { countRequest, registerOperationsSurface } from './operations.js';
import { findOrganizationByHost, findOrganizationByTenantId, type Organization } from './tenants/organizations.js';
import { errorPage, unknownHostPage } from './web/plain-page.js';
import { registerWebSurface } from './web/plugin.js';

declare module 'fastify' {
  interface FastifyRequest {
    org: Organization | null;
  }
}

export interface AppOptions {
  config: Config;
  db: Db;
  clock: Clock;
  random: RandomSource;
  mail: MailTransport;
  sms: SmsTransport | null;
  /** The organizations this instance's job worker serves; all when absent. */
  jobScope?: () => readonly string[];
  /** false in tests; otherwise pino JSON lines, to standard output or the given stream. */
  logger: boolean | NodeJS.WritableStream;
}

export interface BuiltApp {
  app: FastifyInstance;
  deps: Deps;
  jobs: JobWorker;
}

/** Paths that answer on any host, also one that is no organization's (SPEC 9). */
const hostlessPaths = new Set(['/healthz', '/readyz', '/metrics']);

/** Tokens in paths never reach the logs. */
function redactUrl(url: string): string {
  return url.replace(/\/(welcome|password\/reset)\/[^/?#]+/g, '/$1/[redacted]');
}

/** The path of a request URI, also of one in absolute form (`http://host/path?query`). */
function pathOf(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split('?')[0] ?? '';
}

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/**
 * Builds the app and never listens (server.ts, here main.ts, does): the HTTP server with its
 * logger, the tenant of each request, the headers of every answer, and the three surfaces — the
 * browser's pages (web/, staff/), the app API (api/) and the operations endpoints — plus the job
 * worker that delivers what the journeys queue.
 */
export async function buildApp(options: AppOptions): Promise<BuiltApp> {
  const { config } = options;
  limitPasswordHashing(config.argon2);
  const app = Fastify({
    logger: options.logger
      ? {
          level: config.logLevel,
          ...(options.logger === true ? {} : { stream: options.logger }),
          redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
          serializers: {
            req: (req: FastifyRequest) => ({ method: req.method, url: redactUrl(req.url), host: req.headers.host, remoteAddress: req.ip }),
          },
        }
      : false,
    // A hop count trusts exactly that many proxies next to us (proxy-addr semantics).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: maxBodyBytes,
    ...timeoutOptions(config.connections),
    requestIdHeader: false,
    genReqId: () => options.random.uuid(),
    // A path that is no valid URL (`/%zz`) is refused before routing: in the words of its surface.
    frameworkErrors: (_error, request, reply: FastifyReply) => {
      // No route, so no hook runs: the headers of every answer are set here.
      setSecurityHeaders(config, reply);
      if (isApiPath(request.url)) return reply.code(400).send({ error: 'invalid_request', message: 'the request path is not a valid URL' });
      return reply.code(400).type('text/html; charset=utf-8').send(errorPage(400, 'The request path is not a valid URL.'));
    },
  });
  const deps: Deps = { config, db: options.db, clock: options.clock, random: options.random, mail: options.mail, sms: options.sms, log: app.log };
  const findOrg = (tenantId: string) => findOrganizationByTenantId(deps.db, tenantId);
  const jobs = createJobWorker(
    deps.db,
    deps.clock,
    app.log,
    {
      [emailJobKind]: emailJobHandler(deps),
      [passwordResetJobKind]: passwordResetJobHandler(deps, findOrg),
      [registrationJobKind]: registrationJobHandler(deps, findOrg),
      [backchannelLogoutJobKind]: backchannelLogoutJobHandler(deps, findOrg),
    },
    // Logins ended by their idle or absolute limit tell their applications (SPEC 10).
    { scope: options.jobScope, secretKey: config.secretKey, maintenanceSteps: { openIdLoginsEnded: (only) => endTimedOutOpenIdLogins(deps, findOrg, only) }, ownLane: [backchannelLogoutJobKind] },
  );

  // SECURITY 34: a flood from many addresses fills the process's open files before any per-address
  // cap; past MAX_CONNECTIONS new connections are closed at once, so the process stays up and
  // serves again as soon as the timeouts have cleared the flood.
  if (config.connections.maxConnections > 0) app.server.maxConnections = config.connections.maxConnections;
  // Behind a proxy every connection is the proxy's: the cap there is the proxy's job (README).
  if (config.trustProxy === false && config.connections.maxConnectionsPerAddress > 0) {
    capConnectionsPerAddress(app.server, config.connections.maxConnectionsPerAddress, app.log);
  }

  app.decorateRequest('org', null);
  registerBodyParsers(app);

  app.addHook('onSend', async (request, reply, payload) => {
    setSecurityHeaders(config, reply);
    reply.header('x-request-id', String(request.id));
    countRequest(reply.statusCode);
    return payload;
  });

  // The organization comes from the Host header alone; an unknown host gets a 404 and nothing else runs.
  app.addHook('onRequest', async (request, reply) => {
    // SECURITY 46: a request that names two hosts is refused before any tenant is chosen.
    const path = pathOf(request.url);
    const ambiguity = ambiguousHost(request.raw.rawHeaders, request.raw.url ?? '');
    if (ambiguity) {
      if (isApiPath(path)) return reply.code(400).send({ error: 'invalid_request', message: ambiguity });
      return reply.code(400).type('text/html; charset=utf-8').send(errorPage(400, ambiguity));
    }
    if (hostlessPaths.has(path)) return;
    request.org = await findOrganizationByHost(deps.db, request.headers.host, config.baseDomain);
    if (request.org) return;
    if (isApiPath(path)) return reply.code(404).send({ error: 'not_found' });
    return reply.code(404).type('text/html; charset=utf-8').send(unknownHostPage());
  });

  await app.register(async (web) => registerWebSurface(web, deps));
  await app.register(async (api) => registerApiSurface(api, deps), { prefix: apiPrefix });
  await app.register(async (operations) => registerOperationsSurface(operations, deps));
  await app.register(async (openid) => registerOpenIdSurface(openid, deps));
  return { app, deps, jobs };
}
