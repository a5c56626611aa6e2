// The SMTP peer of the browser journeys: the durable outbox delivers to it over real SMTP, and the
// tests wait for the mail it received. See test/browser/README.md.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { parseMessage } from './mime.js';

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), as sent. */
  to: string[];
  /** Decoded Subject header. */
  subject: string;
  /** Decoded text/plain part. */
  text: string;
  raw: string;
  /** Order of arrival, to tell newer mail from older. */
  seq: number;
}

export class SmtpPeer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private seq = 0;
  port = 0;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      closeTimeout: 2_000,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          try {
            const parsed = parseMessage(raw);
            this.received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: parsed.subject, text: parsed.text, raw, seq: ++this.seq });
            callback();
          } catch (error) {
            callback(error as Error);
          }
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The number of messages so far: pass it as `after` to wait only for newer mail. */
  mark(): number {
    return this.seq;
  }

  /** Polls (up to `timeoutMs`) for a message to `to` whose subject matches, arrived after `after`. */
  async waitFor(to: string, subject: RegExp, options: { after?: number; timeoutMs?: number } = {}): Promise<ReceivedMail> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    const after = options.after ?? 0;
    const wanted = to.toLowerCase();
    for (;;) {
      const found = this.received.find((m) => m.seq > after && m.to.some((r) => r.toLowerCase() === wanted) && subject.test(m.subject));
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.received.map((m) => `  #${m.seq} to ${m.to.join(', ')}: ${m.subject}`).join('\n') || '  (none)';
        throw new Error(`no mail to ${to} with subject ${subject} arrived at the SMTP peer within ${options.timeoutMs ?? 10_000} ms; received:\n${seen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The first link in the mail's text that has `pathPrefix` in its path, as a full URL. */
export function linkIn(mail: ReceivedMail, pathPrefix: string): string {
  const escaped = pathPrefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s<>"]+${escaped}[^\\s<>"]*`).exec(mail.text);
  if (!match) throw new Error(`no ${pathPrefix} link in mail "${mail.subject}":\n${mail.text}`);
  return match[0];
}
