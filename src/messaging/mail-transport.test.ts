import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { devTransport, smtpTransport, type OutgoingEmail } from './mail-transport.js';

interface ReceivedMessage {
  raw: string;
  mailFrom: string;
  rcptTo: string[];
}

interface TestSmtpServer {
  url: string;
  received: ReceivedMessage[];
  countConnections(): number;
  close(): Promise<void>;
}

/** A real SMTP server on a free local port, without TLS, that records what it was sent. */
async function startSmtpServer(options: { rejectRecipients?: boolean } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMessage[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onRcptTo(_address, _session, callback) {
      if (!options.rejectRecipients) return callback();
      callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    countConnections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Header block with folded lines unfolded (RFC 5322 §2.2.3), one header per line. */
function readHeaders(raw: string): string[] {
  const headerBlock = raw.split('\r\n\r\n')[0] ?? '';
  return headerBlock.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
}

function findHeader(raw: string, name: string): string | undefined {
  const prefix = `${name.toLowerCase()}:`;
  return readHeaders(raw)
    .find((line) => line.toLowerCase().startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

async function findFreePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const email: OutgoingEmail = {
  to: 'client@example.nl',
  subject: 'Welkom bij De Linde: stel je wachtwoord in',
  text: 'Hallo Anna,\n\nhttps://linde.example.nl/welcome/abc\n',
  html: '<!DOCTYPE html><html lang="nl"><body><p>Hallo Anna</p></body></html>',
  fromName: 'Huisartsenpraktijk De Linde',
};

describe('smtpTransport', () => {
  let server: TestSmtpServer;
  before(async () => {
    server = await startSmtpServer();
  });
  after(() => server.close());

  it('delivers To, From with the org as display name, Subject, and a text and an HTML part', async () => {
    await smtpTransport(server.url, 'Ingang <noreply@ingang.example>').send(email);
    const message = server.received.at(-1)!;
    assert.equal(findHeader(message.raw, 'To'), 'client@example.nl');
    assert.equal(findHeader(message.raw, 'From'), 'Huisartsenpraktijk De Linde <noreply@ingang.example>');
    assert.equal(findHeader(message.raw, 'Subject'), email.subject);
    assert.match(findHeader(message.raw, 'Content-Type') ?? '', /^multipart\/alternative/);
    assert.match(message.raw, /Content-Type: text\/plain; charset=utf-8/);
    assert.match(message.raw, /Content-Type: text\/html; charset=utf-8/);
    assert.equal(message.mailFrom, 'noreply@ingang.example');
    assert.deepEqual(message.rcptTo, ['client@example.nl']);
  });

  it("uses MAIL_FROM's own name when no fromName is given, and accepts a bare MAIL_FROM", async () => {
    await smtpTransport(server.url, '"Ingang" <noreply@ingang.example>').send({ ...email, fromName: undefined });
    assert.equal(findHeader(server.received.at(-1)!.raw, 'From'), 'Ingang <noreply@ingang.example>');
    await smtpTransport(server.url, 'noreply@ingang.example').send({ ...email, fromName: undefined });
    assert.equal(findHeader(server.received.at(-1)!.raw, 'From'), 'noreply@ingang.example');
  });

  it('refuses a recipient with a line break or that is not one plain address, before connecting', async () => {
    const transport = smtpTransport(server.url, 'noreply@ingang.example');
    const connectionsBefore = server.countConnections();
    const badRecipients = [
      'client@example.nl\r\nBcc: evil@x.nl',
      'client@example.nl\n',
      'client@example.nl\0',
      'client@example.nl, evil@x.nl',
      'Evil <evil@x.nl>',
      'not an address',
      'client@',
      '',
    ];
    for (const to of badRecipients) {
      await assert.rejects(transport.send({ ...email, to }), Error, JSON.stringify(to));
    }
    assert.equal(server.countConnections(), connectionsBefore);
  });

  it('keeps an injected Bcc in fromName or subject out of the headers and the envelope', async () => {
    const injection = 'De Linde\r\nBcc: evil@x.nl';
    await smtpTransport(server.url, 'noreply@ingang.example').send({ ...email, fromName: injection, subject: injection });
    const message = server.received.at(-1)!;
    assert.equal(findHeader(message.raw, 'Bcc'), undefined);
    assert.ok(readHeaders(message.raw).every((line) => !/^bcc:/i.test(line)));
    assert.deepEqual(message.rcptTo, ['client@example.nl']);
    assert.match(findHeader(message.raw, 'From') ?? '', /<noreply@ingang\.example>$/);
  });

  it('rejects when the server refuses the recipient', async () => {
    const refusing = await startSmtpServer({ rejectRecipients: true });
    try {
      await assert.rejects(smtpTransport(refusing.url, 'noreply@ingang.example').send(email));
      assert.equal(refusing.received.length, 0);
    } finally {
      await refusing.close();
    }
  });

  it('rejects when nothing listens on the port', async () => {
    const port = await findFreePort();
    const transport = smtpTransport(`smtp://127.0.0.1:${port}?connectionTimeout=1000`, 'noreply@ingang.example');
    await assert.rejects(transport.send(email));
  });

  // nodemailer's own greeting timeout is 30 s: a URL option that were ignored would run into this
  // test's 20 s limit. That limit only catches a hang; it is not a claim about speed.
  it('rejects within the greeting timeout set in the URL when the server never greets', { timeout: 20_000 }, async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const transport = smtpTransport(`smtp://127.0.0.1:${port}?greetingTimeout=200`, 'noreply@ingang.example');
      await assert.rejects(transport.send(email), /greeting/i);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a MAIL_FROM that is not one address when it is created', () => {
    assert.throws(() => smtpTransport(server.url, 'a@example.nl, b@example.nl'));
    assert.throws(() => smtpTransport(server.url, 'Ingang'));
  });
});

describe('devTransport', () => {
  it('logs recipient, subject and text', async () => {
    const entries: { to: string; subject: string; text: string }[] = [];
    await devTransport((entry) => entries.push(entry)).send(email);
    assert.deepEqual(entries, [{ to: email.to, subject: email.subject, text: email.text }]);
  });

  it('refuses what SMTP would refuse, and flattens the subject', async () => {
    const entries: { to: string; subject: string; text: string }[] = [];
    const transport = devTransport((entry) => entries.push(entry));
    await assert.rejects(transport.send({ ...email, to: 'client@example.nl\r\nBcc: evil@x.nl' }));
    await transport.send({ ...email, subject: 'Hallo\r\nBcc: evil@x.nl' });
    assert.deepEqual(entries.map((entry) => entry.subject), ['Hallo Bcc: evil@x.nl']);
  });
});
