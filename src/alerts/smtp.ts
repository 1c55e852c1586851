/**
 * A minimal SMTP client (RFC 5321) over node:net / node:tls, enough to hand an alert to the organisation's mail
 * server: EHLO (HELO as a fallback), STARTTLS when the server offers it (required with `?starttls=required`),
 * AUTH PLAIN when a user is given, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT. `smtps://` connects with TLS
 * from the start (port 465). A 4xx answer is a transient failure (retried), a 5xx a permanent one.
 *
 *   smtp://mail.example.org:587?starttls=required    smtp://user:pass@localhost:2525    smtps://mail.example.org
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { UserError } from '../errors.js';

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (smtps://). */
  secure: boolean;
  /** 'opportunistic' (when offered, default), 'required', or 'never'. */
  starttls: 'opportunistic' | 'required' | 'never';
  user?: string;
  password?: string;
  from: string;
  /** Verify the server's certificate (default true; `?tls_verify=off` for a lab server). */
  verify: boolean;
  timeoutMs: number;
}

export class SmtpError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

const EMAIL = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+\.?[^\s@<>(),;:"\\[\]]*$/;

export function isEmailAddress(s: string): boolean {
  return EMAIL.test(s) && s.length <= 254;
}

/** Parse WATCHKEEPER_SMTP_URL and the sender address. */
export function parseSmtpUrl(url: string, from: string): SmtpConfig {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`SMTP URL "${url}" is not a URL (smtp://host:port or smtps://host)`);
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    throw new UserError(`SMTP URL must start with smtp:// or smtps://, got "${u.protocol}"`);
  if (!isEmailAddress(from)) throw new UserError(`SMTP sender "${from}" is not an e-mail address`);
  const secure = u.protocol === 'smtps:';
  const starttls = (u.searchParams.get('starttls') ?? 'opportunistic') as SmtpConfig['starttls'];
  if (!['opportunistic', 'required', 'never'].includes(starttls))
    throw new UserError(`SMTP URL: starttls must be opportunistic, required or never, got "${starttls}"`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    starttls,
    ...(u.username ? { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : {}),
    from,
    verify: u.searchParams.get('tls_verify') !== 'off',
    timeoutMs: 15_000,
  };
}

interface Reply {
  code: number;
  lines: string[];
}

/** Reads SMTP replies (multi-line "250-..." up to "250 ...") from whichever socket is current. */
class ReplyReader {
  private buf = '';
  private lines: string[] = [];
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private ready: Reply[] = [];
  private failed: Error | null = null;

  attach(sock: Socket | TLSSocket): void {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('error', (e: Error) => this.fail(e));
    sock.on('close', () => this.fail(new SmtpError('connection closed by the SMTP server', 421, false)));
  }

  private onData(d: string): void {
    this.buf += d;
    if (this.buf.length > 1_000_000) {
      this.fail(new SmtpError('SMTP reply too long', 500, true));
      return;
    }
    let i = this.buf.indexOf('\n');
    while (i >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      this.lines.push(line);
      if (!/^\d{3}-/.test(line)) {
        const code = Number(line.slice(0, 3));
        const reply = { code: Number.isInteger(code) ? code : 0, lines: this.lines.map((l) => l.slice(4)) };
        this.lines = [];
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = null;
          w.resolve(reply);
        } else this.ready.push(reply);
      }
      i = this.buf.indexOf('\n');
    }
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  /** Forget the reader's state before a TLS upgrade (the plain socket's data stops here). */
  reset(): void {
    this.buf = '';
    this.lines = [];
    this.failed = null;
  }

  next(timeoutMs: number): Promise<Reply> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting = null;
        reject(new SmtpError(`no answer from the SMTP server in ${timeoutMs / 1000} s`, 421, false));
      }, timeoutMs);
      this.waiting = {
        resolve: (x) => {
          clearTimeout(t);
          resolve(x);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
    });
  }
}

/** Header value without line breaks; non-ASCII as an RFC 2047 encoded word. */
function headerValue(v: string): string {
  const flat = v.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Message-ID local part (the delivery id: a receiver can drop a repeat). */
  id: string;
  headers?: Record<string, string>;
}

/** The RFC 5322 message: text/plain UTF-8, base64 body (any character, lines of 76). */
export function formatMessage(cfg: Pick<SmtpConfig, 'from'>, m: MailMessage, date = new Date()): string {
  const body = Buffer.from(m.text.replace(/\r?\n/g, '\r\n'), 'utf8')
    .toString('base64')
    .replace(/.{1,76}/g, '$&\r\n');
  const domain = cfg.from.split('@')[1] ?? 'watchkeeper.invalid';
  const headers: Record<string, string> = {
    From: cfg.from,
    To: m.to,
    Subject: headerValue(m.subject),
    Date: date.toUTCString().replace('GMT', '+0000'),
    'Message-ID': `<${m.id.replace(/[^A-Za-z0-9._-]/g, '')}@${domain}>`,
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Transfer-Encoding': 'base64',
    'Auto-Submitted': 'auto-generated',
    ...Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, headerValue(v)])),
  };
  return `${Object.entries(headers)
    .map(([k, v]) => `${k.replace(/[^A-Za-z0-9-]/g, '')}: ${v}`)
    .join('\r\n')}\r\n\r\n${body}`;
}

/** Send one message; resolves with the server's final answer to DATA. */
export async function sendMail(cfg: SmtpConfig, m: MailMessage): Promise<string> {
  if (!isEmailAddress(m.to)) throw new SmtpError(`"${m.to}" is not an e-mail address`, 501, true);
  const reader = new ReplyReader();
  let sock: Socket | TLSSocket = cfg.secure
    ? tlsConnect({ host: cfg.host, port: cfg.port, servername: cfg.host, rejectUnauthorized: cfg.verify })
    : netConnect({ host: cfg.host, port: cfg.port });
  sock.setTimeout(cfg.timeoutMs, () => sock.destroy(new SmtpError('SMTP connection timed out', 421, false)));
  reader.attach(sock);
  const expect = async (ok: number[], what: string): Promise<Reply> => {
    const r = await reader.next(cfg.timeoutMs);
    if (!ok.includes(r.code)) {
      throw new SmtpError(`SMTP ${what}: ${r.code} ${r.lines.join(' ')}`.trim(), r.code, r.code >= 500);
    }
    return r;
  };
  const send = (line: string): void => {
    sock.write(`${line}\r\n`);
  };
  try {
    await expect([220], 'greeting');
    const me = hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'watchkeeper';
    const ehlo = async (): Promise<Set<string>> => {
      send(`EHLO ${me}`);
      const r = await reader.next(cfg.timeoutMs);
      if (r.code === 250) return new Set(r.lines.slice(1).map((l) => l.toUpperCase()));
      send(`HELO ${me}`);
      await expect([250], 'HELO');
      return new Set();
    };
    let ext = await ehlo();
    const secure = cfg.secure;
    if (!secure && cfg.starttls !== 'never' && ext.has('STARTTLS')) {
      send('STARTTLS');
      await expect([220], 'STARTTLS');
      reader.reset();
      const plain = sock;
      plain.removeAllListeners('data');
      plain.removeAllListeners('close');
      plain.removeAllListeners('error');
      sock = tlsConnect({ socket: plain, servername: cfg.host, rejectUnauthorized: cfg.verify });
      reader.attach(sock);
      await new Promise<void>((resolve, reject) => {
        (sock as TLSSocket).once('secureConnect', () => resolve());
        sock.once('error', reject);
      });
      ext = await ehlo();
    } else if (!secure && cfg.starttls === 'required') {
      throw new SmtpError('the SMTP server does not offer STARTTLS (starttls=required)', 530, true);
    }
    if (cfg.user !== undefined) {
      const auth = [...ext].find((e) => e.startsWith('AUTH'));
      if (auth && !auth.split(/[\s=]+/).includes('PLAIN'))
        throw new SmtpError(`the SMTP server does not offer AUTH PLAIN (${auth})`, 504, true);
      const token = Buffer.from(`\u0000${cfg.user}\u0000${cfg.password ?? ''}`, 'utf8').toString('base64');
      send(`AUTH PLAIN ${token}`);
      await expect([235], 'AUTH');
    }
    send(`MAIL FROM:<${cfg.from}>`);
    await expect([250], 'MAIL FROM');
    send(`RCPT TO:<${m.to}>`);
    await expect([250, 251], 'RCPT TO');
    send('DATA');
    await expect([354], 'DATA');
    const data = formatMessage(cfg, m)
      .split('\r\n')
      .map((l) => (l.startsWith('.') ? `.${l}` : l))
      .join('\r\n');
    sock.write(`${data}${data.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
    const done = await expect([250], 'message');
    send('QUIT');
    await reader.next(2000).catch(() => undefined);
    return `${done.code} ${done.lines.join(' ')}`;
  } finally {
    sock.destroy();
  }
}

/** A Message-ID-safe random id (tests, ad-hoc mails). */
export function randomMessageId(): string {
  return randomBytes(12).toString('hex');
}
