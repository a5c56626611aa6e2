import { buildApp } from './app.js';
import { ConfigError, isLocalHostName, loadConfig } from './config.js';
import { systemClock } from './core/clock.js';
import { cryptoRandom } from './core/random.js';
import { DataDirBusyError } from './db/data-dir-lock.js';
import { openDatabase } from './db/open.js';
import { createDemoIfEmpty, demoClientRedirectUri } from './demo.js';
import { createMailTransport, createSmsTransport } from './mail-setup.js';
import { listOrganizations } from './tenants/organizations.js';

/** config → database → migrate → dependencies → app → listen. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { db, release } = await openDatabase(config, 'server');
  let logger: (() => import('fastify').FastifyBaseLogger) = () => {
    throw new Error('logger not ready');
  };
  const mail = createMailTransport(config, () => logger());
  const sms = createSmsTransport(config, () => logger());
  const { app, deps, jobs } = await buildApp({ config, db, clock: systemClock, random: cryptoRandom, mail, sms, logger: true });
  logger = () => app.log;

  // SECURITY 44: the development defaults are for this machine only; an org answering on a public
  // host name says others will reach it (through a proxy or a tunnel), so they are refused.
  if (config.developmentKey || config.devOutbox || config.sms.provider === 'dev') {
    const exposed = (await listOrganizations(db)).flatMap((org) => org.hostnames.filter((host) => !isLocalHostName(host)).map((host) => ({ org: org.slug, host })));
    if (exposed[0]) {
      await release();
      const unset = [config.developmentKey ? 'SECRET_KEY' : null, config.devOutbox ? 'SMTP_URL' : null, config.sms.provider === 'dev' ? 'SMS_PROVIDER' : null].filter(Boolean).join(', ');
      throw new ConfigError(unset, `required: organization "${exposed[0].org}" answers on the public host ${exposed[0].host}, so this server is not plainly local`);
    }
  }
  if (config.developmentKey) {
    app.log.warn('running on the fixed development SECRET_KEY: fine on this machine only; set SECRET_KEY (32+ random characters) anywhere else');
  }
  const demo = await createDemoIfEmpty(deps);
  const demoLink = demo?.welcomeLink;
  jobs.start(config.devOutbox ? 500 : 2000);
  await app.listen({ port: config.port, host: config.listenHost });
  if (demo && demoLink) {
    app.log.info('demo organization created; its welcome link is printed on standard output only');
    process.stdout.write(`\nDemo organization "Demo Zorg" is ready at ${demoLink.replace(/\/welcome\/.*/, '/login')}\nSet the admin's password with this welcome link:\n  ${demoLink}\nMessages appear at ${demoLink.replace(/\/welcome\/.*/, '/dev/outbox')}\nIts OpenID Connect issuer is ${demoLink.replace(/\/welcome\/.*/, '')}, with the first-party client ${demo.clientId} (redirect ${demoClientRedirectUri})\n\n`);
  }

  const stop = async (signal: string) => {
    app.log.info({ signal }, 'stopping');
    await jobs.stop();
    await app.close();
    await release();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirBusyError) {
    process.stderr.write(`Ingang cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(`Ingang cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
