import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Clock } from './core/clock.js';
import type { RandomSource } from './core/random.js';
import type { Db } from './db/db.js';
import type { MailTransport } from './messaging/mail-transport.js';
import type { SmsTransport } from './messaging/sms-transport.js';

/** Everything the flows need from outside, passed explicitly (tests give their own clock, mail and random). */
export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  random: RandomSource;
  mail: MailTransport;
  /** Null where SMS_PROVIDER=none: no SMS method is offered. */
  sms: SmsTransport | null;
  log: FastifyBaseLogger;
}
