import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { devTransport, smtpTransport, type MailTransport } from './messaging/mail-transport.js';

/** SMTP when SMTP_URL is set; otherwise the dev outbox, which logs each message (SPEC 8). */
export function createMailTransport(config: Config, log: () => FastifyBaseLogger): MailTransport {
  if (config.smtpUrl) return smtpTransport(config.smtpUrl, config.mailFrom);
  return devTransport((entry) => log().info({ outbox: entry }, `dev outbox: mail to ${entry.to}: ${entry.subject}`));
}
