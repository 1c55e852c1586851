/**
 * The monitoring worker: live AIS feeds in, findings and alerts out, until stopped.
 *
 * - Feeds (feed.ts): each taken by one worker, batches committed with a durable cursor, reconnect with backoff.
 * - Schedules (schedule.ts) turn into jobs (jobs.ts) that one worker claims with a lease:
 *   `detect` (incremental detection over the batches committed since the last run, and only over the vessels they
 *   touched and those that could meet them (incremental.ts); then watchlists re-screened: new findings on watched
 *   subjects raise alerts), `lists` (the official lists downloaded and imported as a new
 *   version; a failed download keeps the current version), and `rescreen` (after a list update: vessels of the
 *   last `lookbackH` screened again, alerts raised).
 * - Alerts (src/alerts/outbox.ts): fanned out to subscriptions and delivered by webhook and e-mail with retries.
 * - A heartbeat row (monitor_workers) for /readyz, metrics (metrics.ts) and JSON logs (log.ts).
 *
 * Jobs run one at a time in a worker (detection is CPU-bound; two at once would only share the core); several
 * workers on one PostgreSQL share the jobs and the feeds between them.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type DeliveryOptions, deliverDue, fanOut } from '../alerts/outbox.js';
import { refreshAlerts } from '../cases/watch.js';
import type { UpdateOptions } from '../lists/update.js';
import { type DetectResult, detectStore, type GeoCache } from '../maritime/detect.js';
import type { Store } from '../store/store.js';
import { type FeedSpec, MonitoredFeed } from './feed.js';
import { type VesselScope, vesselScope } from './incremental.js';
import { claimJob, failJob, finishJob, type Job, pruneJobs } from './jobs.js';
import { Liveness } from './liveness.js';
import { type Logger, silentLogger } from './log.js';
import { metrics } from './metrics.js';
import { enqueueDue, type Schedule } from './schedule.js';

export interface WorkerOptions {
  store: Store;
  /** The store URL as given (PostgreSQL feed locks open their own connection). */
  storeUrl: string;
  feeds: FeedSpec[];
  workerId?: string;
  log?: Logger;
  /** Detection schedule (ms; 0 off; default 30 s). */
  detectEveryMs?: number;
  /** List update schedule (ms; 0 off, the default). */
  listsEveryMs?: number;
  lists?: Omit<UpdateOptions, 'log'>;
  /** How often the outbox is looked at (ms; default 2 s; 0 off). */
  deliverEveryMs?: number;
  delivery?: Omit<DeliveryOptions, 'owner' | 'onOutcome'>;
  /** Feed batches are committed at least this often (ms; default 1 s). */
  flushMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  /** Detection look-back around new data (hours; default 72). */
  lookbackH?: number;
  /** Lease of a claimed job (ms; default 10 min); a job whose worker died is taken again after it. */
  jobLeaseMs?: number;
  /** Main loop period (ms; default 250). */
  tickMs?: number;
  /** Screen vessels against the lists in each detection run (default true). */
  screen?: boolean;
  /**
   * Detect only the vessels touched since the last run and those that could meet them (default true; false: every
   * vessel in the window, as before). See incremental.ts.
   */
  incremental?: boolean;
  /** Called after each scheduled detection run, with the vessels it picked (null: not incremental). */
  onDetect?: (r: DetectResult, scope: VesselScope | null) => void;
}

export interface WorkerStatus {
  workerId: string;
  feeds: Array<{ id: string; running: boolean; cursorMs: number | null }>;
  lastDetectLagMs: number | null;
  jobsRun: number;
}

/** Seconds since the oldest committed live batch that detection has not covered yet (0 when none waits). */
export async function detectionLagMs(store: Store, nowMs = Date.now()): Promise<number> {
  const [r] = await store.db.query(
    `SELECT min(i.imported_at) AS t FROM imports i
      WHERE i.kind = 'ais-live' AND i.row_count > 0
        AND NOT EXISTS (SELECT 1 FROM maritime_detect_imports d WHERE d.import_id = i.id)`,
  );
  const t = r?.t === null || r?.t === undefined ? Number.NaN : Date.parse(String(r.t));
  return Number.isNaN(t) ? 0 : Math.max(0, nowMs - t);
}

/**
 * One scheduled detection run: over the imports not covered yet, and (incremental) only the vessels they touched
 * and those that could meet them (incremental.ts). Returns the run and the vessels picked (null: every vessel).
 */
export async function detectOnce(
  store: Store,
  opts: { lookbackH?: number; screen?: boolean; geoCache?: GeoCache; incremental?: boolean },
): Promise<{ r: DetectResult; scope: VesselScope | null }> {
  let scope: VesselScope | null = null;
  let scopeMs = 0;
  const r = await detectStore(store, {
    ...(opts.lookbackH !== undefined ? { lookbackH: opts.lookbackH } : {}),
    screen: opts.screen !== false,
    ...(opts.geoCache ? { geoCache: opts.geoCache } : {}),
    ...(opts.incremental === false
      ? {}
      : {
          vessels: async (newImports: readonly string[]) => {
            const t = performance.now();
            const s = await vesselScope(store.db, newImports);
            scopeMs = performance.now() - t;
            scope = s;
            return s.vessels;
          },
        }),
  });
  // Picking the vessels is part of the run's load phase; shown on its own too.
  if (scope) r.timingsMs.scope = scopeMs;
  return { r, scope };
}

export class MonitorWorker {
  readonly id: string;
  private readonly log: Logger;
  private readonly feeds: MonitoredFeed[];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastDeliverMs = 0;
  private lastPruneMs = 0;
  private lastDetectLagMs: number | null = null;
  private jobsRun = 0;
  private readonly schedules: Schedule[];
  /** Job kinds this worker claims. */
  private readonly jobKinds: string[];
  private readonly liveness: Liveness;
  private lastReapMs = 0;
  private lastRateMs = Date.now();
  /** The detection runs' geo context, kept between runs (the feeds' area rarely changes). */
  private readonly geoCache: GeoCache = {};

  constructor(private readonly opts: WorkerOptions) {
    this.id = opts.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.log = opts.log ?? silentLogger;
    this.liveness = new Liveness(opts.store.db, opts.storeUrl, this.id);
    this.feeds = opts.feeds.map(
      (spec) =>
        new MonitoredFeed({
          store: opts.store,
          storeUrl: opts.storeUrl,
          spec,
          owner: this.id,
          log: this.log,
          flushMs: opts.flushMs,
          minBackoffMs: opts.minBackoffMs,
          maxBackoffMs: opts.maxBackoffMs,
          idleTimeoutMs: opts.idleTimeoutMs,
        }),
    );
    this.schedules = [
      { kind: 'detect', everyMs: opts.detectEveryMs ?? 30_000 },
      { kind: 'lists', everyMs: opts.lists ? (opts.listsEveryMs ?? 0) : 0 },
    ];
    // A worker runs the jobs it is set up for: with detection off (`--detect-every off`) it claims no detection
    // job another worker enqueued, so a feed worker on PostgreSQL can leave detection to other processes and never
    // wait for it. Re-screening follows detection or a list update.
    const detect = this.schedules[0]!.everyMs > 0;
    const lists = opts.lists !== undefined;
    this.jobKinds = [
      ...(detect ? ['detect'] : []),
      ...(lists ? ['lists'] : []),
      ...(detect || lists ? ['rescreen'] : []),
    ];
  }

  async start(): Promise<void> {
    const db = this.opts.store.db;
    await this.liveness.start();
    await db.query(
      `INSERT INTO monitor_workers (worker_id, host, pid, started_at, heartbeat_ms, detect_lag_ms)
       VALUES ($1, $2, $3, $4, $5, NULL)`,
      [this.id, hostname(), process.pid, new Date().toISOString(), BigInt(Date.now())],
    );
    this.log('info', 'worker.start', {
      worker: this.id,
      store: this.opts.store.kind,
      feeds: this.feeds.map((f) => f.id),
      schedules: Object.fromEntries(this.schedules.map((s) => [s.kind, s.everyMs])),
    });
    await this.reap();
    for (const f of this.feeds) await f.start();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 250);
  }

  /** One pass: heartbeat, due schedules, the jobs due, the outbox. Passes never overlap. */
  private tick(): void {
    if (this.stopped) return;
    this.running = this.running
      .then(() => this.pass())
      .catch((err: Error) => {
        this.log('error', 'worker.pass_failed', { worker: this.id, error: err.message });
      });
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    const db = this.opts.store.db;
    const now = Date.now();
    await db.query('UPDATE monitor_workers SET heartbeat_ms = $2, detect_lag_ms = $3 WHERE worker_id = $1', [
      this.id,
      BigInt(now),
      this.lastDetectLagMs === null ? null : BigInt(Math.round(this.lastDetectLagMs)),
    ]);
    if (now - this.lastReapMs > 5000) await this.reap();
    if (now - this.lastRateMs >= 5000) {
      this.lastRateMs = now;
      for (const f of this.feeds) {
        const r = f.report();
        if (!r) continue;
        metrics.set(
          'watchkeeper_feed_messages_per_second',
          'AIS messages decoded per second over the last interval (about 5 s)',
          { feed: f.id },
          Math.round(r.messagesPerS * 10) / 10,
        );
        this.log('debug', 'feed.rate', { feed: f.id, messagesPerS: r.messagesPerS, positionsPerS: r.positionsPerS });
      }
    }
    for (const id of await enqueueDue(db, this.schedules, now)) this.log('debug', 'job.enqueued', { job: id });
    for (let i = 0; i < 4 && !this.stopped; i++) {
      const job = await claimJob(db, this.id, this.jobKinds, this.opts.jobLeaseMs ?? 600_000);
      if (!job) break;
      await this.runJob(job);
    }
    const every = this.opts.deliverEveryMs ?? 2000;
    if (every > 0 && now - this.lastDeliverMs >= every && !this.stopped) {
      this.lastDeliverMs = now;
      await this.deliver();
    }
    if (now - this.lastPruneMs > 3_600_000) {
      this.lastPruneMs = now;
      await pruneJobs(db, 7 * 86_400_000);
    }
  }

  /** Hand back the jobs and deliveries of workers that died (killed, crashed) without waiting for their leases. */
  private async reap(): Promise<void> {
    this.lastReapMs = Date.now();
    const dead = await this.liveness.reapDead();
    if (dead.length) this.log('warn', 'worker.reaped', { worker: this.id, dead });
  }

  private async runJob(job: Job): Promise<void> {
    const store = this.opts.store;
    const started = Date.now();
    this.log('info', 'job.start', { job: job.id, kind: job.kind, attempt: job.attempts });
    try {
      let result: Record<string, unknown> = {};
      if (job.kind === 'detect') {
        const lagBefore = await detectionLagMs(store, started);
        const { r, scope } = await detectOnce(store, {
          ...(this.opts.lookbackH !== undefined ? { lookbackH: this.opts.lookbackH } : {}),
          screen: this.opts.screen !== false,
          geoCache: this.geoCache,
          // The first run of a process goes over every vessel of the window: the geo context it caches then covers
          // the whole area, not only the first vessels picked (a later pick elsewhere would rebuild it, seconds).
          incremental: this.opts.incremental !== false && this.geoCache.geo !== undefined,
        });
        this.opts.onDetect?.(r, scope);
        const alerts = await refreshAlerts(store);
        const pending = await fanOut(store);
        if (!r.upToDate) {
          this.lastDetectLagMs = lagBefore + (Date.now() - started);
          metrics.set(
            'watchkeeper_detection_lag_seconds',
            'Age of the oldest committed positions when detection covered them, at the last run',
            {},
            this.lastDetectLagMs / 1000,
          );
        }
        metrics.inc('watchkeeper_detection_runs_total', 'Detection runs', {});
        metrics.inc('watchkeeper_alerts_raised_total', 'Alerts raised on watched subjects', {}, alerts);
        result = {
          upToDate: r.upToDate,
          newImports: r.newImports.length,
          positions: r.positions,
          vessels: r.vessels,
          touched: scope?.touched.length ?? null,
          findings: r.findings.length,
          alerts,
          deliveries: pending,
          lagMs: this.lastDetectLagMs,
          timingsMs: Object.fromEntries(Object.entries(r.timingsMs).map(([k, v]) => [k, Math.round(v)])),
        };
      } else if (job.kind === 'lists') {
        const { updateLists } = await import('../lists/update.js');
        const outcomes = await updateLists(store, {
          ...this.opts.lists!,
          log: (line) => this.log('info', 'lists.progress', { message: line }),
        });
        result = { outcomes };
        if (outcomes.some((o) => o.status === 'updated')) {
          const { enqueueJob } = await import('./jobs.js');
          await enqueueJob(store.db, { id: `rescreen@${job.id}`, kind: 'rescreen', runAfterMs: Date.now() });
        }
        for (const o of outcomes) this.log(o.status === 'failed' ? 'warn' : 'info', 'lists.outcome', { ...o });
      } else if (job.kind === 'rescreen') {
        const since = new Date(Date.now() - (this.opts.lookbackH ?? 72) * 3_600_000).toISOString();
        const r = await detectStore(store, { since, kinds: ['ais.sanctions_match'], geoCache: this.geoCache });
        const alerts = await refreshAlerts(store);
        const pending = await fanOut(store);
        result = { findings: r.findings.length, alerts, deliveries: pending };
      }
      await finishJob(store.db, job.id, this.id, result);
      this.jobsRun++;
      metrics.inc('watchkeeper_jobs_run_total', 'Jobs run by this process', { kind: job.kind, outcome: 'done' });
      this.log('info', 'job.done', { job: job.id, kind: job.kind, ms: Date.now() - started, ...result });
    } catch (err) {
      const e = err as Error;
      const state = await failJob(store.db, job, this.id, e.message, { retryMs: 30_000, maxAttempts: 3 });
      metrics.inc('watchkeeper_jobs_run_total', 'Jobs run by this process', { kind: job.kind, outcome: 'failed' });
      this.log('error', 'job.failed', { job: job.id, kind: job.kind, error: e.message, state });
    }
  }

  private async deliver(): Promise<void> {
    const store = this.opts.store;
    await fanOut(store);
    await deliverDue(store, {
      ...this.opts.delivery,
      owner: this.id,
      onOutcome: (o) => {
        metrics.inc('watchkeeper_alert_delivery_attempts_total', 'Alert delivery attempts by outcome', {
          channel: o.channel,
          state: o.state,
        });
        this.log(o.state === 'delivered' ? 'info' : 'warn', 'alert.delivery', { ...o });
      },
    });
  }

  status(): WorkerStatus {
    return {
      workerId: this.id,
      feeds: this.feeds.map((f) => ({ id: f.id, running: f.running, cursorMs: f.cursorMs })),
      lastDetectLagMs: this.lastDetectLagMs,
      jobsRun: this.jobsRun,
    };
  }

  /** Stop: no new pass, the current one finishes, feeds write their last batch, the heartbeat row goes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    for (const f of this.feeds) await f.stop();
    await this.opts.store.db
      .query('DELETE FROM monitor_workers WHERE worker_id = $1', [this.id])
      .catch(() => undefined);
    await this.liveness.stop();
    this.log('info', 'worker.stop', { worker: this.id, jobsRun: this.jobsRun });
  }
}
