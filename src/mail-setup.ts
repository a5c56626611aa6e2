import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { devTransport, smtpTransport, type MailTransport } from './messaging/mail-transport.js';
import { devSmsTransport, twilioSmsTransport, webhookSmsTransport, type SmsTransport } from './messaging/sms-transport.js';

/** SMTP when SMTP_URL is set; otherwise the dev outbox, which logs each message (SPEC 8). */
export function createMailTransport(config: Config, log: () => FastifyBaseLogger): MailTransport {
  if (config.smtpUrl) return smtpTransport(config.smtpUrl, config.mailFrom);
  return devTransport((entry) => log().info({ outbox: entry }, `dev outbox: mail to ${entry.to}: ${entry.subject}`));
}

/** SMS through Twilio or a webhook; in development to the log (SPEC 8). */
export function createSmsTransport(config: Config, log: () => FastifyBaseLogger): SmsTransport | null {
  switch (config.sms.provider) {
    case 'none':
      return null;
    case 'twilio':
      return twilioSmsTransport({ accountSid: config.sms.accountSid, authToken: config.sms.authToken, from: config.sms.from, baseUrl: config.sms.baseUrl });
    case 'webhook':
      return webhookSmsTransport({ url: config.sms.url });
    case 'dev':
      return devSmsTransport((entry) => log().info({ outbox: { to: entry.to, message: entry.message } }, `dev outbox: SMS to ${entry.to}`));
  }
}
