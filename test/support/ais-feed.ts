/**
 * A local live AIS feed for tests: a TCP server that replays NMEA records (a sentence with its time line or tag
 * block; multi-part messages kept whole) at a set rate, with garbage between them, and resumes where a client
 * asks: a client may send `SINCE <epoch ms>` as its first line, and the stream starts at the first record whose
 * feed time is at least that minus `overlapMs` (what commercial streams with a start time do). It can be stopped
 * and started again on the same port mid-stream, as a feed that goes down.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface FeedRecord {
  lines: string[];
  /** The record's feed time (epoch ms). */
  tsMs: number;
}

/** Epoch ms of a `$PGHP,1,yyyy,m,d,h,mi,s,ms,...` line or of a tag block `c:` field; NaN otherwise. */
function lineTime(line: string): number {
  const pg = /^\$PGHP,1,(\d{4}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,2}),(\d{1,3}),/.exec(line);
  if (pg) {
    const [, y, mo, d, h, mi, s, ms] = pg.map(Number) as number[];
    return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
  }
  const tag = /^\\[^\\]*\bc:(\d+)/.exec(line);
  if (tag) {
    const v = Number(tag[1]);
    return v > 1e11 ? v : v * 1000;
  }
  return Number.NaN;
}

/** Group NMEA text into records: each ends with the last part of an AIVDM/AIVDO message. */
export function nmeaRecords(text: string): FeedRecord[] {
  const out: FeedRecord[] = [];
  let cur: string[] = [];
  let t = Number.NaN;
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    cur.push(line);
    const lt = lineTime(line);
    if (!Number.isNaN(lt)) t = lt;
    const m = /!AIVD[MO],(\d),(\d),/.exec(line);
    if (m && m[1] === m[2]) {
      out.push({ lines: cur, tsMs: t });
      cur = [];
    }
  }
  return out;
}

const GARBAGE = [
  Buffer.from('!AIVDM,1,1,,A,this is not armoured,0*00\r\n'),
  Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x0d, 0x0a]),
  Buffer.concat([Buffer.alloc(9000, 0x41), Buffer.from('\n')]),
  Buffer.from('$GPGGA,garbage\r\n\r\n'),
];

export class ReplayFeed {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Record indices sent at least once. */
  readonly sent = new Set<number>();
  /** Highest record index sent. */
  high = -1;
  connections = 0;
  hellos: string[] = [];
  port = 0;

  constructor(
    readonly records: FeedRecord[],
    private readonly opts: { recordsPerS: number; overlapMs: number; garbageEvery?: number },
  ) {}

  /** Start listening (on the same port as before after a stop). */
  async start(): Promise<number> {
    const server = createServer((sock) => this.serve(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const a = server.address();
    this.port = typeof a === 'object' && a ? a.port : this.port;
    return this.port;
  }

  /** Go down: every connection is cut and nobody can connect until start(). */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  /** Every record was sent on some connection. */
  get finished(): boolean {
    return this.sent.size === this.records.length;
  }

  private startIndex(sinceMs: number): number {
    const from = sinceMs - this.opts.overlapMs;
    const i = this.records.findIndex((r) => r.tsMs >= from);
    return i < 0 ? this.records.length : i;
  }

  private serve(sock: Socket): void {
    this.connections++;
    this.sockets.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => this.sockets.delete(sock));
    let hello = '';
    let started = false;
    const begin = (sinceMs: number): void => {
      if (started) return;
      started = true;
      this.pump(sock, this.startIndex(sinceMs));
    };
    sock.on('data', (d: Buffer) => {
      hello += d.toString('latin1');
      const nl = hello.indexOf('\n');
      if (nl >= 0 && !started) {
        const line = hello.slice(0, nl).trim();
        this.hellos.push(line);
        const m = /^SINCE (\d+)$/.exec(line);
        begin(m ? Number(m[1]) : 0);
      }
    });
    // A client that says nothing gets the stream from the start.
    setTimeout(() => begin(0), 300);
  }

  private pump(sock: Socket, from: number): void {
    let i = from;
    const perTick = Math.max(1, Math.round(this.opts.recordsPerS / 50));
    const timer = setInterval(() => {
      if (sock.destroyed) {
        clearInterval(timer);
        return;
      }
      const chunks: Buffer[] = [];
      for (let k = 0; k < perTick && i < this.records.length; k++, i++) {
        chunks.push(Buffer.from(`${this.records[i]!.lines.join('\r\n')}\r\n`, 'latin1'));
        this.sent.add(i);
        if (i > this.high) this.high = i;
        const every = this.opts.garbageEvery ?? 0;
        if (every > 0 && i % every === every - 1) chunks.push(GARBAGE[((i / every) % GARBAGE.length) | 0]!);
      }
      if (chunks.length) sock.write(Buffer.concat(chunks));
      if (i >= this.records.length) clearInterval(timer);
    }, 20);
  }
}
