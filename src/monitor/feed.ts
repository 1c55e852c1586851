/**
 * One live AIS feed under the worker: taken by one worker only (locks.ts), ingested with AisLiveIngest in batches
 * that drop positions the store already holds (the position key), and a durable cursor in `monitor_feeds` written
 * in each batch's transaction: the latest feed time committed.
 *
 * Restarts. Whatever reached the store is never written twice (the key), and the cursor says how far the store
 * got. A feed that can replay (most commercial streams take a start time; a relay can keep a backlog) is asked to
 * resume from the cursor by the greeting line (`hello`, with `{cursorMs}`, `{cursorS}` or `{cursorIso}`), sent on
 * every connect: then nothing is lost either, whether the worker, the feed or the connection went down. A feed that
 * cannot replay loses what it sent while nobody listened; that is the feed's limit, and the counters show it.
 * Positions without a time of their own get the receive time and so cannot be matched against a replay: resuming
 * without duplicates needs feed times (NMEA 4 tag blocks, $PGHP, USCG NAIS trailers).
 */
import { UserError } from '../errors.js';
import { AisLiveIngest, type LiveBatch } from '../maritime/ais-live.js';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import { type FeedLock, feedLock } from './locks.js';
import type { Logger } from './log.js';
import { metrics } from './metrics.js';

export interface FeedSpec {
  /** The feed's name in the store and in metrics: its URL. */
  id: string;
  tcp?: { host: string; port: number };
  udpPort?: number;
  /** Greeting template sent on each TCP connect. */
  hello?: string;
}

/** `tcp://host:port` or `udp://[address]:port` (UDP binds every address on that port). */
export function parseFeed(url: string, hello?: string): FeedSpec {
  const m = /^(tcp|udp):\/\/(\[[^\]]+\]|[^:/]*):(\d{1,5})\/?$/.exec(url.trim());
  if (!m) throw new UserError(`--feed: "${url}" is not tcp://host:port or udp://:port`);
  const port = Number(m[3]);
  if (port > 65535 || (m[1] === 'tcp' && port === 0)) throw new UserError(`--feed: bad port in "${url}"`);
  const host = m[2]!.replace(/^\[|\]$/g, '');
  if (m[1] === 'tcp') {
    if (!host) throw new UserError(`--feed: "${url}" has no host`);
    return { id: `tcp://${m[2]}:${port}`, tcp: { host, port }, ...(hello ? { hello } : {}) };
  }
  return { id: `udp://${m[2] || '0.0.0.0'}:${port}`, udpPort: port };
}

/** The greeting with the cursor filled in (no cursor yet: from the beginning, 0 / 1970). */
export function fillHello(template: string, cursorMs: number | null): string {
  const ms = cursorMs ?? 0;
  return template
    .replaceAll('{cursorMs}', String(ms))
    .replaceAll('{cursorS}', String(Math.floor(ms / 1000)))
    .replaceAll('{cursorIso}', new Date(ms).toISOString());
}

export interface FeedState {
  cursorMs: number | null;
  messages: number;
  positions: number;
  batches: number;
}

export async function readFeedState(db: Db, feedId: string): Promise<FeedState | null> {
  const [r] = await db.query('SELECT cursor_ms, messages, positions, batches FROM monitor_feeds WHERE feed_id = $1', [
    feedId,
  ]);
  if (!r) return null;
  return {
    cursorMs: r.cursor_ms === null || r.cursor_ms === undefined ? null : Number(r.cursor_ms),
    messages: Number(r.messages),
    positions: Number(r.positions),
    batches: Number(r.batches),
  };
}

export interface FeedOptions {
  store: Store;
  /** The store URL (PostgreSQL: the feed lock takes a connection of its own). */
  storeUrl: string;
  spec: FeedSpec;
  owner: string;
  log: Logger;
  flushMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  /** How often to try again for a feed another worker holds (ms). */
  lockRetryMs?: number;
  /** Called after each committed batch. */
  onBatch?: (b: LiveBatch) => void;
}

export class MonitoredFeed {
  private ingest: AisLiveIngest | null = null;
  private lock: FeedLock;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  cursorMs: number | null = null;
  /** When the feed's last batch was committed (epoch ms; 0 before the first). */
  lastCommitMs = 0;

  constructor(private readonly opts: FeedOptions) {
    this.lock = feedLock(opts.store.db.dialect, opts.storeUrl, opts.spec.id, (err) => this.lost(err));
  }

  get id(): string {
    return this.opts.spec.id;
  }

  get running(): boolean {
    return this.ingest !== null;
  }

  /** Take the feed when free and start ingesting; if another worker has it, try again every lockRetryMs. */
  async start(): Promise<void> {
    if (this.stopped) return;
    const { log, spec } = this.opts;
    let got = false;
    try {
      got = await this.lock.acquire();
    } catch (err) {
      log('warn', 'feed.lock_error', { feed: spec.id, error: (err as Error).message });
    }
    if (!got) {
      log('info', 'feed.held_elsewhere', { feed: spec.id });
      this.retryTimer = setTimeout(() => void this.start(), this.opts.lockRetryMs ?? 5000);
      return;
    }
    const db = this.opts.store.db;
    const state = await readFeedState(db, spec.id);
    if (!state) {
      await db.query(
        `INSERT INTO monitor_feeds (feed_id, cursor_ms, messages, positions, batches, owner, updated_at)
         VALUES ($1, NULL, 0, 0, 0, $2, $3) ON CONFLICT (feed_id) DO NOTHING`,
        [spec.id, this.opts.owner, new Date().toISOString()],
      );
    }
    this.cursorMs = state?.cursorMs ?? null;
    log('info', 'feed.start', { feed: spec.id, cursorMs: this.cursorMs, owner: this.opts.owner });
    const labels = { feed: spec.id };
    this.ingest = new AisLiveIngest({
      store: this.opts.store,
      ...(spec.tcp ? { tcp: spec.tcp } : {}),
      ...(spec.udpPort !== undefined ? { udpPort: spec.udpPort } : {}),
      location: spec.id,
      flushMs: this.opts.flushMs ?? 1000,
      minBackoffMs: this.opts.minBackoffMs ?? 500,
      maxBackoffMs: this.opts.maxBackoffMs ?? 30_000,
      idleTimeoutMs: this.opts.idleTimeoutMs,
      dedupe: true,
      reconnectOnWriteError: true,
      hello: spec.hello ? () => fillHello(spec.hello!, this.cursorMs) : undefined,
      onEvent: (line) => {
        log('info', 'feed.event', { feed: spec.id, message: line });
        if (line.startsWith('connected to '))
          metrics.set('watchkeeper_feed_connected', 'Feed connected (1) or not', labels, 1);
        else if (line.includes('closed; reconnecting')) {
          metrics.set('watchkeeper_feed_connected', 'Feed connected (1) or not', labels, 0);
          metrics.inc('watchkeeper_feed_reconnects_total', 'Feed reconnections', labels);
        }
      },
      onCommit: async (tx, b) => {
        const next = Number.isNaN(b.maxSourceMs)
          ? this.cursorMs
          : Math.max(this.cursorMs ?? Number.NEGATIVE_INFINITY, b.maxSourceMs);
        await tx.query(
          `UPDATE monitor_feeds SET cursor_ms = $2, messages = messages + $3, positions = positions + $4,
                  batches = batches + 1, owner = $5, updated_at = $6 WHERE feed_id = $1`,
          [
            spec.id,
            next === null ? null : BigInt(Math.floor(next)),
            b.messages,
            b.stored,
            this.opts.owner,
            new Date().toISOString(),
          ],
        );
      },
      onBatch: (b) => {
        if (!Number.isNaN(b.maxSourceMs))
          this.cursorMs = Math.max(this.cursorMs ?? Number.NEGATIVE_INFINITY, b.maxSourceMs);
        this.lastCommitMs = Date.now();
        metrics.inc('watchkeeper_feed_batches_committed_total', 'Feed batches committed by this process', labels);
        log('debug', 'feed.batch', {
          feed: spec.id,
          batch: b.id,
          messages: b.messages,
          positions: b.positions,
          stored: b.stored,
          cursorMs: this.cursorMs,
          commitMs: Date.now() - b.takenMs,
        });
        this.opts.onBatch?.(b);
      },
    });
    await this.ingest.start();
  }

  /** The lock connection went away: stop ingesting (another worker may take over) and try to take it back. */
  private lost(err: Error): void {
    this.opts.log('warn', 'feed.lock_lost', { feed: this.opts.spec.id, error: err.message });
    const ingest = this.ingest;
    this.ingest = null;
    void ingest?.stop().finally(() => {
      if (!this.stopped) this.retryTimer = setTimeout(() => void this.start(), this.opts.lockRetryMs ?? 5000);
    });
  }

  /** Messages per second and counters of the running ingest (for logs). */
  report(): ReturnType<AisLiveIngest['report']> | null {
    return this.ingest?.report() ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const ingest = this.ingest;
    this.ingest = null;
    await ingest?.stop();
    await this.lock.release();
  }
}
