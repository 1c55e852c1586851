/**
 * A local SMTP sink for tests (node:net): speaks enough SMTP for a client (EHLO with AUTH PLAIN, AUTH, MAIL FROM,
 * RCPT TO, DATA, RSET, NOOP, QUIT), keeps every accepted message, and answers 451 to MAIL FROM while `failing`
 * is set (a mail server that defers).
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface SunkMail {
  from: string;
  to: string[];
  /** The raw message (dot-stuffing undone). */
  data: string;
  headers: Record<string, string>;
  /** The body, base64-decoded when the message says so. */
  text: string;
  auth: string | null;
}

function parse(data: string): { headers: Record<string, string>; text: string } {
  const split = data.indexOf('\r\n\r\n');
  const head = split >= 0 ? data.slice(0, split) : data;
  const body = split >= 0 ? data.slice(split + 4) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const text =
    headers['content-transfer-encoding']?.toLowerCase() === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : body;
  return { headers, text };
}

export class SmtpSink {
  private server: Server | null = null;
  readonly mails: SunkMail[] = [];
  /** MAIL FROM commands answered 451. */
  deferred = 0;
  failing = false;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((sock) => this.session(sock));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private session(sock: Socket): void {
    sock.on('error', () => undefined);
    let buf = '';
    let inData = false;
    let data: string[] = [];
    let from = '';
    let to: string[] = [];
    let auth: string | null = null;
    const say = (s: string) => sock.write(`${s}\r\n`);
    say('220 sink.test ESMTP ready');
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      let i = buf.indexOf('\r\n');
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const raw = data.join('\r\n');
            this.mails.push({ from, to, data: raw, auth, ...parse(raw) });
            data = [];
            say('250 2.0.0 queued');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
        } else {
          const cmd = line.slice(0, 4).toUpperCase();
          if (cmd === 'EHLO') {
            sock.write('250-sink.test\r\n250-8BITMIME\r\n250 AUTH PLAIN\r\n');
          } else if (cmd === 'HELO') say('250 sink.test');
          else if (cmd === 'AUTH') {
            const tok = line.split(' ')[2] ?? '';
            auth = Buffer.from(tok, 'base64').toString('utf8').split('\u0000').slice(1).join(':');
            say('235 2.7.0 accepted');
          } else if (cmd === 'MAIL') {
            if (this.failing) {
              this.deferred++;
              say('451 4.3.0 try again later');
            } else {
              from = /<([^>]*)>/.exec(line)?.[1] ?? '';
              to = [];
              say('250 2.1.0 ok');
            }
          } else if (cmd === 'RCPT') {
            to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            say('250 2.1.5 ok');
          } else if (cmd === 'DATA') {
            inData = true;
            say('354 end with <CRLF>.<CRLF>');
          } else if (cmd === 'QUIT') {
            say('221 2.0.0 bye');
            sock.end();
          } else if (cmd === 'RSET' || cmd === 'NOOP') say('250 2.0.0 ok');
          else say('502 5.5.2 not implemented');
        }
        i = buf.indexOf('\r\n');
      }
    });
  }
}
