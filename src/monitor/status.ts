/**
 * What operators ask of a running Watchkeeper, computed from the store so that the API server and a worker
 * process give the same answers: readiness (/readyz) and the store-side metrics of /metrics.
 */
import { deliveryCounts } from '../alerts/outbox.js';
import { ALL_MIGRATIONS } from '../store/migrations/index.js';
import type { Store } from '../store/store.js';
import { jobCounts } from './jobs.js';
import { Metrics, metrics as processMetrics } from './metrics.js';
import { detectionLagMs } from './worker.js';

export interface ReadyCheck {
  ok: boolean;
  message: string;
}

export interface Readiness {
  ready: boolean;
  checks: { store: ReadyCheck; migrations: ReadyCheck; worker: ReadyCheck };
  /** Seconds since the freshest worker heartbeat (null: no worker registered). */
  workerLagS: number | null;
  /** Seconds the oldest committed live positions have waited for detection (null: unknown). */
  detectionLagS: number | null;
}

/** Longest a worker heartbeat may be late before /readyz fails (env WATCHKEEPER_READY_MAX_WORKER_LAG, seconds). */
export function maxWorkerLagS(): number {
  const v = Number(process.env.WATCHKEEPER_READY_MAX_WORKER_LAG ?? 60);
  return Number.isFinite(v) && v > 0 ? v : 60;
}

export async function readiness(store: Store, nowMs = Date.now()): Promise<Readiness> {
  const out: Readiness = {
    ready: false,
    checks: {
      store: { ok: false, message: '' },
      migrations: { ok: false, message: 'not checked' },
      worker: { ok: false, message: 'not checked' },
    },
    workerLagS: null,
    detectionLagS: null,
  };
  try {
    await store.db.query('SELECT 1 AS one');
    out.checks.store = { ok: true, message: `${store.kind} reachable` };
  } catch (err) {
    out.checks.store = { ok: false, message: `store unreachable: ${(err as Error).message}` };
    return out;
  }
  try {
    const applied = new Set((await store.appliedMigrations()).map((m) => m.id));
    const missing = ALL_MIGRATIONS.map((m) => m.id).filter((id) => !applied.has(id));
    out.checks.migrations = missing.length
      ? { ok: false, message: `not applied: ${missing.join(', ')}` }
      : { ok: true, message: `${applied.size} applied` };
  } catch (err) {
    out.checks.migrations = { ok: false, message: (err as Error).message };
  }
  try {
    const [r] = await store.db.query('SELECT max(heartbeat_ms) AS hb, count(*) AS n FROM monitor_workers');
    const n = Number(r?.n ?? 0);
    if (n === 0 || r?.hb === null || r?.hb === undefined) {
      out.checks.worker = { ok: true, message: 'no worker registered' };
    } else {
      const lagS = Math.max(0, (nowMs - Number(r.hb)) / 1000);
      out.workerLagS = lagS;
      const max = maxWorkerLagS();
      out.checks.worker =
        lagS <= max
          ? { ok: true, message: `last worker heartbeat ${lagS.toFixed(1)} s ago` }
          : { ok: false, message: `no worker heartbeat for ${lagS.toFixed(0)} s (limit ${max} s)` };
    }
    out.detectionLagS = (await detectionLagMs(store, nowMs)) / 1000;
  } catch (err) {
    out.checks.worker = { ok: false, message: (err as Error).message };
  }
  out.ready = out.checks.store.ok && out.checks.migrations.ok && out.checks.worker.ok;
  return out;
}

/** The store-side metrics (read at scrape time). */
export async function storeMetrics(store: Store, nowMs = Date.now()): Promise<Metrics> {
  const m = new Metrics();
  const db = store.db;
  for (const f of await db.query('SELECT feed_id, cursor_ms, messages, positions, batches FROM monitor_feeds')) {
    const labels = { feed: String(f.feed_id) };
    m.inc(
      'watchkeeper_feed_messages_total',
      'AIS messages received from the feed and committed',
      labels,
      Number(f.messages),
    );
    m.inc(
      'watchkeeper_feed_positions_stored_total',
      'Positions the feed added to the store',
      labels,
      Number(f.positions),
    );
    m.inc('watchkeeper_feed_batches_total', 'Feed batches committed', labels, Number(f.batches));
    if (f.cursor_ms !== null && f.cursor_ms !== undefined)
      m.set(
        'watchkeeper_feed_cursor_seconds',
        'Latest feed time committed (unix seconds)',
        labels,
        Number(f.cursor_ms) / 1000,
      );
  }
  const jobs = await jobCounts(db);
  for (const j of jobs)
    m.set(
      'watchkeeper_jobs',
      'Monitoring jobs (detection, list updates) by kind and state',
      { kind: j.kind, state: j.state },
      j.count,
    );
  const imports = await db.query(`SELECT kind, count(*) AS n FROM imports WHERE kind <> 'ais-live' GROUP BY kind`);
  for (const r of imports)
    m.set(
      'watchkeeper_imports',
      'Imports recorded in the imports log (files, lists) by kind',
      { kind: String(r.kind) },
      Number(r.n),
    );
  // Imports over HTTP (src/imports/jobs.ts): queued, running, done, failed, cancelled.
  for (const r of await db.query(
    'SELECT kind, state, count(*) AS n FROM import_jobs GROUP BY kind, state ORDER BY 1, 2',
  ))
    m.set(
      'watchkeeper_import_jobs',
      'Import jobs over HTTP by kind and state',
      { kind: String(r.kind), state: String(r.state) },
      Number(r.n),
    );
  for (const d of await deliveryCounts(db))
    m.set(
      'watchkeeper_alert_deliveries',
      'Alert deliveries by channel and state',
      { channel: d.channel, state: d.state },
      d.count,
    );
  const [w] = await db.query('SELECT max(heartbeat_ms) AS hb, count(*) AS n FROM monitor_workers');
  m.set('watchkeeper_workers', 'Workers registered', {}, Number(w?.n ?? 0));
  if (w?.hb !== null && w?.hb !== undefined)
    m.set(
      'watchkeeper_worker_heartbeat_age_seconds',
      'Seconds since the freshest worker heartbeat',
      {},
      Math.max(0, (nowMs - Number(w.hb)) / 1000),
    );
  m.set(
    'watchkeeper_detection_pending_seconds',
    'Age of the oldest committed live positions detection has not covered yet',
    {},
    (await detectionLagMs(store, nowMs)) / 1000,
  );
  return m;
}

/** The whole /metrics text: this process's counters plus the store's. */
export async function metricsText(store: Store): Promise<string> {
  return processMetrics.render(await storeMetrics(store));
}
