import { buildApp } from './app.js';
import { ConfigError, isLocalHostName, loadConfig } from './config.js';
import { systemClock } from './core/clock.js';
import { cryptoRandom } from './core/random.js';
import { DataDirBusyError } from './db/data-dir-lock.js';
import { openDatabase } from './db/open.js';
import { createDemoIfEmpty, demoClientRedirectUri } from './demo.js';
import { createMailTransport, createSmsTransport } from './mail-setup.js';
import { listOrganizations } from './tenants/organizations.js';
import { publicUrl } from './tenants/public-url.js';

/** config → database → migrate → dependencies → app → listen. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { db, release } = await openDatabase(config, 'server');
  let logger: (() => import('fastify').FastifyBaseLogger) = () => {
    throw new Error('logger not ready');
  };
  const mail = createMailTransport(config, () => logger());
  const sms = createSmsTransport(config, () => logger());
  // Issue 12 stumble 12: in development the JSON log goes to standard error, so standard output
  // holds only the short banner a person reads (the addresses, the welcome link, the outbox).
  const { app, deps, jobs } = await buildApp({ config, db, clock: systemClock, random: cryptoRandom, mail, sms, logger: config.production ? true : process.stderr });
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
  jobs.start(config.devOutbox ? 500 : 2000);
  const addresses = config.production ? [] : (await listOrganizations(db)).slice(0, 5).map((org) => publicUrl(config, org, '/login'));
  await app.listen({ port: config.port, host: config.listenHost });
  if (!config.production) {
    process.stdout.write(developmentBanner({ addresses, demo: demo ? { welcomeLink: demo.welcomeLink, clientId: demo.clientId } : null, outbox: config.devOutbox }));
  }
  if (demo) app.log.info('demo organization created; its welcome link is printed on standard output only');

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

/** What `npm start` shows a developer, in a few plain lines. */
function developmentBanner(facts: { addresses: string[]; demo: { welcomeLink: string; clientId: string } | null; outbox: boolean }): string {
  const origin = (url: string) => new URL(url).origin;
  const lines = ['', '  Ingang is running (development). The log goes to standard error.', ''];
  for (const address of facts.addresses) lines.push(`  Log in at      ${address}`);
  if (facts.demo) {
    const demoOrigin = origin(facts.demo.welcomeLink);
    lines.push('', '  Demo organization "Demo Zorg" is ready. Set its admin\'s password with this welcome link:', `    ${facts.demo.welcomeLink}`, '');
    lines.push(`  Its OpenID Connect issuer is ${demoOrigin}, with the first-party client ${facts.demo.clientId} (redirect ${demoClientRedirectUri})`);
  }
  if (facts.outbox) for (const address of facts.addresses) lines.push(`  Outbox         ${origin(address)}/dev/outbox  (mail and SMS that would have gone out)`);
  return `${lines.join('\n')}\n\n`;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirBusyError) {
    process.stderr.write(`Ingang cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(`Ingang cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
