import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A minimal SMTP server (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that
 * keeps every message it accepts, so tests can prove real mail leaves the SMTP transport.
 * No TLS and no AUTH are offered, so nodemailer talks plain SMTP to it.
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message: headers, blank line, body (dot-unstuffed, CRLF line ends). */
  data: string;
  /** Header names in lower case; folded lines unfolded. */
  headers: Record<string, string>;
  /** The text body, transfer encoding undone. */
  body: string;
}

export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  /** While true, every RCPT TO is refused with 550 (a mailbox that does not accept mail). */
  rejectRecipients: boolean;
  close(): Promise<void>;
}

function parseMessage(data: string): Pick<ReceivedMail, 'headers' | 'body'> {
  const split = data.indexOf('\r\n\r\n');
  const head = split >= 0 ? data.slice(0, split) : data;
  const body = split >= 0 ? data.slice(split + 4) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: decodeBody(body, headers['content-transfer-encoding']) };
}

/** Undoes the transfer encoding nodemailer picked for the text part. */
function decodeBody(body: string, encoding: string | undefined): string {
  switch (encoding?.toLowerCase()) {
    case 'quoted-printable': {
      const unwrapped = body.replace(/=\r\n/g, '').replace(/%/g, '%25');
      return decodeURIComponent(unwrapped.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => `%${hex}`));
    }
    case 'base64':
      return Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const sockets = new Set<net.Socket>();
  const sink: SmtpSink = {
    url: '',
    messages: [],
    rejectRecipients: false,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    let from = '';
    let to: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);

    const command = (line: string) => {
      const verb = line.slice(0, 4).toUpperCase();
      switch (verb) {
        case 'EHLO':
          return reply('250-sink.local greets you\r\n250 8BITMIME');
        case 'HELO':
          return reply('250 sink.local');
        case 'MAIL':
          from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          to = [];
          return reply('250 OK');
        case 'RCPT':
          if (sink.rejectRecipients) return reply('550 5.1.1 Mailbox unavailable');
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          return reply('250 OK');
        case 'DATA':
          if (to.length === 0) return reply('503 5.5.1 No valid recipients');
          inData = true;
          data = [];
          return reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          from = '';
          to = [];
          return reply('250 OK');
        case 'NOOP':
          return reply('250 OK');
        case 'QUIT':
          reply('221 Bye');
          return socket.end();
        default:
          return reply('502 5.5.2 Command not implemented');
      }
    };

    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let eol: number;
      while ((eol = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const raw = data.join('\r\n');
            sink.messages.push({ from, to, data: raw, ...parseMessage(raw) });
            reply('250 2.0.0 Queued');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
        } else {
          command(line);
        }
      }
    });
    reply('220 sink.local ESMTP test sink');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  sink.url = `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sink;
}
