import { createTransport } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { flattenToOneLine } from './one-line.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Display name of the From address, normally the org's name. */
  fromName?: string;
}

export interface MailTransport {
  /** Resolves once the server accepted the message; rejects otherwise. */
  send(email: OutgoingEmail): Promise<void>;
}

interface Mailbox {
  name: string;
  address: string;
}

/**
 * A plain `local@domain` and nothing else: no display name, no list, no comment, no whitespace
 * or control character, so the value can neither name a second recipient nor break a header.
 */
const plainAddress =
  /^[^\s\p{Cc}@<>()[\]\\,;:"]+@[^\s\p{Cc}@<>()[\]\\,;:".]+(?:\.[^\s\p{Cc}@<>()[\]\\,;:".]+)*$/u;

/** RFC 5321 §4.5.3.1.3: a forward path holds at most 256 octets, brackets included. */
const maxAddressLength = 254;

/** Nodemailer's own defaults (2 min to connect, 10 min idle) would hold a send job far too long. */
const defaultTimeoutsInMilliseconds = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 10_000,
  dnsTimeout: 10_000,
};

/**
 * Sends through SMTP, one connection per message. `smtpUrl` is a nodemailer connection URL:
 * `smtp://user:pass@host:587` upgrades with STARTTLS when the server offers it, `smtps://host:465`
 * starts with TLS. Query parameters are nodemailer options and override the defaults above,
 * e.g. `?requireTLS=true`, `?ignoreTLS=true` for a local test server, `?connectionTimeout=500`,
 * `?tls.rejectUnauthorized=false`. `mailFrom` is `Name <address>` or a bare address.
 */
export function smtpTransport(smtpUrl: string, mailFrom: string): MailTransport {
  const sender = parseSender(mailFrom);
  const transporter = createTransport({
    ...defaultTimeoutsInMilliseconds,
    // Message content is always a string we rendered; never let it name a file or URL to embed.
    disableFileAccess: true,
    disableUrlAccess: true,
    url: smtpUrl,
  });
  return {
    async send(email) {
      const to = checkRecipient(email.to);
      const name = flattenToOneLine(email.fromName ?? '') || sender.name;
      const info = await transporter.sendMail({
        from: name === '' ? sender.address : { name, address: sender.address },
        to,
        // An explicit envelope: the recipients are exactly `to`, whatever the headers say.
        envelope: { from: sender.address, to: [to] },
        subject: flattenToOneLine(email.subject),
        text: email.text,
        html: email.html,
      });
      if (info.rejected.length > 0) throw new Error('SMTP server rejected the recipient');
    },
  };
}

/** For development: hands each message to `log` (the dev outbox) after the same checks as SMTP. */
export function devTransport(log: (entry: { to: string; subject: string; text: string }) => void): MailTransport {
  return {
    async send(email) {
      const to = checkRecipient(email.to);
      log({ to, subject: flattenToOneLine(email.subject), text: email.text });
    },
  };
}

/** The error names no address: it ends up in logs, and the address is personal data. */
function checkRecipient(to: string): string {
  if (/[\r\n\0]/.test(to)) throw new Error('recipient address contains a line break or NUL');
  if (to.length > maxAddressLength || !plainAddress.test(to)) {
    throw new Error('recipient address is not a single plain e-mail address');
  }
  return to;
}

function parseSender(mailFrom: string): Mailbox {
  const mailboxes = addressparser(mailFrom, { flatten: true });
  const mailbox = mailboxes[0];
  if (mailboxes.length !== 1 || mailbox === undefined || !plainAddress.test(mailbox.address)) {
    throw new Error('MAIL_FROM must be one address, as "Name <address>" or a bare address');
  }
  return { name: flattenToOneLine(mailbox.name), address: mailbox.address };
}
