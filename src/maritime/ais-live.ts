/**
 * Live AIS: an NMEA stream from a TCP server (client with reconnect and exponential backoff) or UDP datagrams,
 * decoded as it arrives and written to the store in batches. Each batch is one transaction and one entry in the
 * imports log (`ais-live`), so the maritime detectors pick new data up like any import. Messages without a time
 * of their own get the receive time.
 *
 * A TCP feed that stays connected but sends nothing for `idleTimeoutMs` (default 60 s) is dropped and reconnected,
 * as is one whose peer vanished (TCP keepalive probes after `keepAliveMs` of silence): a feed never hangs silently.
 *
 * For the monitoring worker (src/monitor/feed.ts) a batch can also drop the positions and static rows the store
 * already holds (`dedupe`: the position key mmsi, ts, lat, lon, msg_type, as imports use), run a hook inside its
 * transaction (`onCommit`: the durable feed cursor), send a greeting line on each TCP connect (`hello`: a login
 * or a resume request built from that cursor) and reconnect when a batch cannot be written, so a feed that replays
 * from the cursor makes up for the lost batch.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import { type AisCounters, NmeaAisDecoder } from './ais/nmea.js';
import { POSITION_COLUMNS } from './store/position-buffer.js';
import {
  createPositionStage,
  dropKnownStatics,
  insertNewPositions,
  insertPositions,
  insertStatics,
  mergeIdentities,
  newPositionImportKey,
  recordPositionImport,
  vesselStatements,
} from './store/repository.js';
import { AisRowBuilder, type IdentityRow, type PositionBuffer, type StaticRow } from './store/rows.js';

export interface LiveSource {
  tcp?: { host: string; port: number };
  udpPort?: number;
}

export interface LiveReport {
  /** Seconds since start. */
  uptimeS: number;
  connected: boolean;
  reconnects: number;
  /** TCP connections closed because they brought no data for the idle timeout. */
  idleTimeouts: number;
  bytes: number;
  messages: number;
  positions: number;
  batches: number;
  /** Messages / positions per second over the last report interval. */
  messagesPerS: number;
  positionsPerS: number;
  counters: AisCounters;
}

export interface LiveOptions extends LiveSource {
  store: Store;
  /** Write a batch at least this often (ms). */
  flushMs?: number;
  /** Call onReport this often (ms). */
  reportMs?: number;
  onReport?: (r: LiveReport) => void;
  /** Backoff bounds for TCP reconnects (ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A TCP connection that brings no data for this long is closed and reconnected (ms; default 60,000; 0: never). */
  idleTimeoutMs?: number;
  /** TCP keepalive: the first probe after this much silence (ms; default 15,000). */
  keepAliveMs?: number;
  /** Called for connection events (for logs). */
  onEvent?: (line: string) => void;
  /** Leave out positions and static rows equal to stored ones (feeds that replay; costs an anti-join per batch). */
  dedupe?: boolean;
  /** A line sent after each TCP connect (without line end), e.g. a login or a resume request; undefined: none. */
  hello?: () => string | undefined;
  /** Runs inside each batch's transaction after its rows are written; throwing rolls the batch back. */
  onCommit?: (tx: Db, batch: LiveBatch) => Promise<void>;
  /** Called after a batch is committed. */
  onBatch?: (batch: LiveBatch) => void;
  /** Drop the TCP connection when a batch cannot be written (it reconnects; default false). */
  reconnectOnWriteError?: boolean;
  /** The imports-log location of the batches (default tcp://host:port or udp://0.0.0.0:port). */
  location?: string;
}

/** What one batch carried. */
export interface LiveBatch {
  id: string;
  /** Messages decoded into this batch. */
  messages: number;
  /** Positions taken from the feed (after the in-memory duplicate window). */
  positions: number;
  /** Positions written (with `dedupe`, those not already stored). */
  stored: number;
  /** Latest message time of the batch carried by the feed itself (tag block, $PGHP, NAIS); NaN when none had one. */
  maxSourceMs: number;
  /** When the batch was taken from the feed (epoch ms). */
  takenMs: number;
}

/** Default no-data timeout of a TCP feed (a busy AIS feed sends several sentences a second). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const DEFAULT_KEEPALIVE_MS = 15_000;

export class AisLiveIngest {
  private readonly store: Store;
  private readonly opts: LiveOptions;
  private readonly session = `${new Date().toISOString().replace(/[:.]/g, '')}-${process.pid}`;
  private builder: AisRowBuilder;
  private readonly decoder: NmeaAisDecoder;
  private tcp: Socket | null = null;
  private udp: UdpSocket | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private flushing: Promise<void> = Promise.resolve();
  private backoff: number;
  private readonly started = Date.now();
  private lastReport = { t: Date.now(), messages: 0, positions: 0 };
  readonly stats = {
    connected: false,
    reconnects: 0,
    /** Connections closed because they brought no data for idleTimeoutMs. */
    idleTimeouts: 0,
    bytes: 0,
    messages: 0,
    positions: 0,
    /** Positions written to the store. */
    stored: 0,
    batches: 0,
    writeErrors: 0,
  };
  private batchNo = 0;
  /** Messages and the latest feed time since the last batch was taken. */
  private pendingMessages = 0;
  private pendingMaxSourceMs = Number.NaN;

  constructor(opts: LiveOptions) {
    if (!opts.tcp && opts.udpPort === undefined) throw new Error('AisLiveIngest: give a TCP server or a UDP port');
    this.store = opts.store;
    this.opts = opts;
    this.backoff = opts.minBackoffMs ?? 500;
    this.builder = new AisRowBuilder(this.batchId(), { capacity: 1 << 17 });
    this.decoder = new NmeaAisDecoder({
      onMessage: (msg, meta) => {
        this.stats.messages++;
        this.pendingMessages++;
        const own = meta.tsMs;
        if (!Number.isNaN(own) && !(own <= this.pendingMaxSourceMs)) this.pendingMaxSourceMs = own;
        if (this.builder.addMessage(msg, Number.isNaN(own) ? Date.now() : own, meta.lastLine)) this.stats.positions++;
      },
    });
  }

  private batchId(): string {
    return `ais-live@${this.session}-${this.batchNo}`;
  }

  /** Start listening / connecting. Resolves once the UDP socket is bound (TCP connects in the background). */
  async start(): Promise<void> {
    if (this.opts.tcp) this.connectTcp();
    if (this.opts.udpPort !== undefined) await this.bindUdp(this.opts.udpPort);
    this.flushTimer = setInterval(() => void this.flush(), this.opts.flushMs ?? 2000);
    if (this.opts.onReport)
      this.reportTimer = setInterval(() => this.opts.onReport!(this.report()), this.opts.reportMs ?? 10000);
  }

  /** The bound UDP port (useful when 0 was asked for). */
  get udpPort(): number | undefined {
    return this.udp?.address().port;
  }

  private feed(chunk: Buffer): void {
    this.stats.bytes += chunk.length;
    this.decoder.push(chunk, Date.now());
    if (this.builder.positions.length >= this.builder.positions.capacity / 2) void this.flush();
  }

  private connectTcp(): void {
    const { host, port } = this.opts.tcp!;
    const sock = connect({
      host,
      port,
      keepAlive: true,
      keepAliveInitialDelay: this.opts.keepAliveMs ?? DEFAULT_KEEPALIVE_MS,
    });
    this.tcp = sock;
    sock.setKeepAlive(true, this.opts.keepAliveMs ?? DEFAULT_KEEPALIVE_MS);
    const idleMs = this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    // No data (and no connection) for idleMs: close, and the 'close' handler reconnects.
    if (idleMs > 0) {
      sock.setTimeout(idleMs);
      sock.on('timeout', () => {
        this.stats.idleTimeouts++;
        this.opts.onEvent?.(
          `${host}:${port}: no data for ${idleMs / 1000} s${sock.connecting ? ' (still connecting)' : ''}; closing`,
        );
        sock.destroy();
      });
    }
    sock.on('connect', () => {
      this.stats.connected = true;
      this.backoff = this.opts.minBackoffMs ?? 500;
      this.opts.onEvent?.(`connected to ${host}:${port}`);
      const hello = this.opts.hello?.();
      if (hello) sock.write(`${hello.replace(/[\r\n]/g, '')}\r\n`);
    });
    sock.on('data', (chunk: Buffer) => this.feed(chunk));
    sock.on('error', (err) => this.opts.onEvent?.(`${host}:${port}: ${err.message}`));
    sock.on('close', () => {
      this.stats.connected = false;
      // A partial line or unfinished multi-part message from the old connection cannot be completed.
      this.decoder.end();
      if (this.stopped) return;
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 30000);
      this.opts.onEvent?.(`connection to ${host}:${port} closed; reconnecting in ${wait} ms`);
      this.reconnectTimer = setTimeout(() => {
        this.stats.reconnects++;
        this.connectTcp();
      }, wait);
    });
  }

  private bindUdp(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = createSocket('udp4');
      this.udp = sock;
      sock.on('message', (msg: Buffer) => {
        this.feed(msg);
        // Each datagram holds whole sentences; make sure the last one is terminated.
        if (msg.length > 0 && msg[msg.length - 1] !== 10) this.decoder.push(Buffer.from('\n'), Date.now());
      });
      sock.once('error', reject);
      sock.bind(port, () => {
        sock.off('error', reject);
        sock.on('error', (err) => this.opts.onEvent?.(`udp: ${err.message}`));
        resolve();
      });
    });
  }

  /** Write what has been received since the last batch (one transaction, one imports-log entry). */
  flush(): Promise<void> {
    const b = this.builder;
    if (b.positions.length === 0 && b.statics.length === 0) return this.flushing;
    // Take the batch now (synchronously), so data arriving while it is written goes to the next one.
    const id = this.batchId();
    this.batchNo++;
    const info: LiveBatch = {
      id,
      messages: this.pendingMessages,
      positions: b.positions.length,
      stored: 0,
      maxSourceMs: this.pendingMaxSourceMs,
      takenMs: Date.now(),
    };
    this.pendingMessages = 0;
    this.pendingMaxSourceMs = Number.NaN;
    const batch = {
      id,
      info,
      positions: b.swapPositions(this.batchId()),
      statics: b.takeStatics(),
      identities: b.drainIdentities(),
      vessels: b.drainVessels().map(([mmsi, v]) => {
        const ident = b.currentIdentity(mmsi);
        return { mmsi, name: ident?.name, imo: ident?.imo, callsign: ident?.callsign, lastSeen: v.last, record: id };
      }),
    };
    this.flushing = this.flushing
      .then(() => this.writeBatch(batch))
      .catch((err: Error) => {
        this.stats.writeErrors++;
        this.opts.onEvent?.(`write failed: ${err.message}`);
        if (this.opts.reconnectOnWriteError) {
          // The batch is gone: forget the duplicate window (the replay must not be taken for repeats of it) and
          // reconnect, so a feed that resumes from the committed cursor sends it again.
          this.builder = new AisRowBuilder(this.batchId(), { capacity: 1 << 17 });
          this.tcp?.destroy();
        }
      });
    return this.flushing;
  }

  private async writeBatch(batch: {
    id: string;
    info: LiveBatch;
    positions: PositionBuffer;
    statics: StaticRow[];
    identities: IdentityRow[];
    vessels: Parameters<typeof vesselStatements>[0] extends Iterable<infer V> ? V[] : never;
  }): Promise<void> {
    const { id, info, positions, statics, identities, vessels } = batch;
    await this.store.db.transaction(async (tx) => {
      info.stored = this.opts.dedupe
        ? await insertUnseenPositions(tx, positions)
        : await insertPositions(tx, positions);
      await insertStatics(tx, statics, id);
      if (this.opts.dedupe) await dropKnownStatics(tx, id, statics);
      await mergeIdentities(tx, identities);
      const st = vesselStatements(vessels);
      if (st.length) await this.store.putStatements(st);
      await this.store.recordImport({
        id,
        kind: 'ais-live',
        location:
          this.opts.location ??
          (this.opts.tcp ? `tcp://${this.opts.tcp.host}:${this.opts.tcp.port}` : `udp://0.0.0.0:${this.opts.udpPort}`),
        sha256: id,
        importedAt: new Date().toISOString(),
        rowCount: info.stored,
        details: { staticRows: statics.length, identities: identities.length, vessels: vessels.length },
      });
      await this.opts.onCommit?.(tx, info);
    });
    this.stats.batches++;
    this.stats.stored += info.stored;
    this.opts.onBatch?.(info);
  }

  report(): LiveReport {
    const now = Date.now();
    const dt = Math.max(0.001, (now - this.lastReport.t) / 1000);
    const r: LiveReport = {
      uptimeS: (now - this.started) / 1000,
      ...this.stats,
      messagesPerS: (this.stats.messages - this.lastReport.messages) / dt,
      positionsPerS: (this.stats.positions - this.lastReport.positions) / dt,
      counters: { ...this.decoder.counters },
    };
    this.lastReport = { t: now, messages: this.stats.messages, positions: this.stats.positions };
    return r;
  }

  /** Stop, write the last batch and release sockets. */
  async stop(): Promise<void> {
    if (this.stopped) return this.flushing;
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.reportTimer) clearInterval(this.reportTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.tcp?.destroy();
    if (this.udp) await new Promise<void>((r) => this.udp!.close(() => r()));
    this.decoder.end();
    await this.flush();
  }

  get counters(): AisCounters {
    return this.decoder.counters;
  }
}

/**
 * Append a batch of positions leaving out those equal to a stored one (the position key of imports: mmsi, ts, lat,
 * lon, msg_type), through a staging table and one anti-join over the batch's time range. Returns the rows added.
 */
async function insertUnseenPositions(db: Db, buf: PositionBuffer): Promise<number> {
  if (buf.length === 0) return 0;
  const key = await newPositionImportKey(db);
  await recordPositionImport(db, key, buf.importId);
  const stage = await createPositionStage(db);
  await db.bulkInsert(stage, POSITION_COLUMNS, [buf.batch(key)]);
  return insertNewPositions(db, stage, key, 0);
}
