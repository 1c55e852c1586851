import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { NotFoundError, UserError } from '../errors.js';
import type { Row, SqlValue } from '../store/db.js';
import type { Store } from '../store/store.js';
import { cancellableStore, ImportCancelledError, type WriteGate } from './cancellable.js';
import {
  type ImportKind,
  type ImportParams,
  type ImportProgress,
  type ImportResultCounts,
  runImport,
} from './kinds.js';

/**
 * Import jobs: an uploaded file imported in the background by the server that received it, at most
 * `WATCHKEEPER_IMPORT_CONCURRENCY` (default 1) at a time per server, the others queued. Each job is a row of
 * `import_jobs` (state, progress, result, error), so any server on the same PostgreSQL can read it or ask for a
 * cancel. A cancelled or failed job writes nothing: the importer runs over a store whose every statement checks
 * for a cancel, and its one transaction rolls back (src/imports/cancellable.ts).
 *
 * - While a job runs, its progress is kept in memory and, on PostgreSQL, written every 2 s with a heartbeat (that
 *   write also picks up a cancel asked on another server). On DuckDB the import holds the one write connection, so
 *   nothing is written until it ends; the server that runs it (the only one a DuckDB file can have) answers from
 *   memory.
 * - A queued or running job whose heartbeat is older than 30 s belongs to a server that stopped: it is marked failed
 *   ("interrupted") when read, and at server start.
 */

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface ImportJob {
  id: string;
  kind: ImportKind;
  state: JobState;
  owner: string;
  filename: string;
  sizeBytes: number;
  sha256: string;
  format: string;
  params: ImportParams;
  cancelRequested: boolean;
  progress: ImportProgress | null;
  result: ImportResultCounts | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Who asks: jobs belong to the user who created them; admins see and cancel all. */
export interface JobActor {
  userId: string | null;
  username: string;
  admin: boolean;
}

const HEARTBEAT_MS = 2000;
/** How long `DELETE` waits for a running job to roll back before it answers. */
const CANCEL_WAIT_MS = 5000;
const STALE_MS = 30_000;
const INTERRUPTED = 'interrupted: the server running the job stopped before it finished; nothing was imported';

export function maxConcurrentImports(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.WATCHKEEPER_IMPORT_CONCURRENCY?.trim();
  if (!v) return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new UserError(`WATCHKEEPER_IMPORT_CONCURRENCY: a whole number from 1 to 64, got "${v}"`);
  return n;
}

function parseJson<T>(v: SqlValue | undefined): T | null {
  if (v === null || v === undefined || v === '') return null;
  try {
    return JSON.parse(String(v)) as T;
  } catch {
    return null;
  }
}

const nullableText = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

function jobFromRow(r: Row): ImportJob {
  return {
    id: String(r.id),
    kind: String(r.kind) as ImportKind,
    state: String(r.state) as JobState,
    owner: String(r.owner_name),
    filename: String(r.filename),
    sizeBytes: Number(r.size_bytes),
    sha256: String(r.sha256),
    format: String(r.format),
    params: parseJson<ImportParams>(r.params) ?? {},
    cancelRequested: r.cancel_requested === true || r.cancel_requested === 1 || r.cancel_requested === 't',
    progress: parseJson<ImportProgress>(r.progress),
    result: parseJson<ImportResultCounts>(r.result),
    error: nullableText(r.error),
    createdAt: String(r.created_at),
    startedAt: nullableText(r.started_at),
    finishedAt: nullableText(r.finished_at),
  };
}

/** A job of this server that has not finished: its file, its cancel flag, its live progress. */
interface LiveJob {
  job: ImportJob;
  /** The job's directory (holds the uploaded file); removed when the job ends. */
  dir: string;
  file: string;
  lines: number;
  cancel: boolean;
  done: Promise<void> | null;
}

export interface NewJob {
  id: string;
  kind: ImportKind;
  actor: JobActor;
  filename: string;
  dir: string;
  file: string;
  sizeBytes: number;
  lines: number;
  sha256: string;
  format: string;
  params: ImportParams;
}

export function newJobId(): string {
  return `imp-${Date.now().toString(36)}-${randomBytes(5).toString('hex')}`;
}

/** Replace the job directory in an importer's message: `…/imports/<id>/track.nmea:12` reads `track.nmea:12`. */
function withoutDir(message: string, dir: string): string {
  return message.split(`${dir}${path.sep}`).join('').split(dir).join('upload');
}

export class ImportJobRunner {
  readonly runnerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly live = new Map<string, LiveJob>();
  private readonly queue: string[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  /** Tests: called before each statement an import issues (may wait); see cancellable.ts. */
  testGate: ((jobId: string, what: string) => void | Promise<void>) | null = null;
  /** Where failures that are not the user's are told (the server log). */
  log: (msg: string, err: unknown) => void = () => undefined;

  constructor(
    private readonly store: Store,
    private readonly concurrency = maxConcurrentImports(),
  ) {}

  /** Mark queued and running jobs of servers that stopped as failed (at start: their files are gone with them). */
  async sweepInterrupted(): Promise<number> {
    const now = Date.now();
    const liveIds = [...this.live.keys()];
    const rows = await this.store.db.query(
      `SELECT id FROM import_jobs WHERE state IN ('queued', 'running') AND (heartbeat_ms < $1 OR $2)`,
      [now - STALE_MS, this.store.db.dialect === 'duckdb'],
    );
    const ids = rows.map((r) => String(r.id)).filter((id) => !liveIds.includes(id));
    for (const id of ids) await this.markInterrupted(id);
    return ids.length;
  }

  private async markInterrupted(id: string): Promise<void> {
    await this.store.db.query(
      `UPDATE import_jobs SET state = 'failed', error = $2, finished_at = $3 WHERE id = $1 AND state IN ('queued', 'running')`,
      [id, INTERRUPTED, new Date().toISOString()],
    );
  }

  /** Record the job (queued) and start it when a slot is free. */
  async submit(n: NewJob): Promise<ImportJob> {
    if (this.stopping) throw new UserError('the server is stopping; send the import again later');
    const createdAt = new Date().toISOString();
    await this.store.db.query(
      `INSERT INTO import_jobs (id, kind, state, owner_id, owner_name, filename, size_bytes, sha256, format, params,
         runner, cancel_requested, progress, result, error, created_at, started_at, finished_at, heartbeat_ms)
       VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $10, FALSE, NULL, NULL, NULL, $11, NULL, NULL, $12)`,
      [
        n.id,
        n.kind,
        n.actor.userId,
        n.actor.username,
        n.filename,
        n.sizeBytes,
        n.sha256,
        n.format,
        JSON.stringify(n.params),
        this.runnerId,
        createdAt,
        Date.now(),
      ],
    );
    const job: ImportJob = {
      id: n.id,
      kind: n.kind,
      state: 'queued',
      owner: n.actor.username,
      filename: n.filename,
      sizeBytes: n.sizeBytes,
      sha256: n.sha256,
      format: n.format,
      params: n.params,
      cancelRequested: false,
      progress: null,
      result: null,
      error: null,
      createdAt,
      startedAt: null,
      finishedAt: null,
    };
    this.live.set(n.id, { job, dir: n.dir, file: n.file, lines: n.lines, cancel: false, done: null });
    this.queue.push(n.id);
    this.ensureTimer();
    this.pump();
    return { ...job };
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const l = this.live.get(id);
      if (!l) continue;
      this.running++;
      l.done = this.run(l).finally(() => {
        this.running--;
        this.live.delete(id);
        if (this.live.size === 0) this.stopTimer();
        this.pump();
      });
    }
  }

  private async run(l: LiveJob): Promise<void> {
    const job = l.job;
    try {
      if (l.cancel) {
        await this.finish(l, 'cancelled', null, null);
        return;
      }
      job.state = 'running';
      job.startedAt = new Date().toISOString();
      await this.store.db.query(
        `UPDATE import_jobs SET state = 'running', started_at = $2, heartbeat_ms = $3 WHERE id = $1`,
        [job.id, job.startedAt, Date.now()],
      );
      const gate: WriteGate = async (what) => {
        if (this.testGate) await this.testGate(job.id, what);
        if (l.cancel) throw new ImportCancelledError();
      };
      const result = await runImport(job.kind, {
        store: cancellableStore(this.store, gate),
        file: l.file,
        format: job.format,
        params: job.params,
        lines: l.lines,
        progress: (p) => {
          job.progress = p;
        },
        gate,
      });
      if (job.progress && job.progress.total !== null) job.progress = { ...job.progress, done: job.progress.total };
      await this.finish(l, 'done', result, null);
    } catch (err) {
      if (err instanceof ImportCancelledError || l.cancel) {
        // Rolled back. A cancel by the server stopping is an interruption, not the user's cancel.
        const interrupted = this.stopping && !job.cancelRequested;
        await this.finish(l, interrupted ? 'failed' : 'cancelled', null, interrupted ? INTERRUPTED : null);
      } else if (err instanceof UserError) {
        await this.finish(l, 'failed', null, withoutDir(err.message, l.dir));
      } else {
        this.log(`import job ${job.id} failed`, err);
        await this.finish(
          l,
          'failed',
          null,
          'the import failed on an internal error (see the server log); nothing was imported',
        );
      }
    }
  }

  private async finish(
    l: LiveJob,
    state: JobState,
    result: ImportResultCounts | null,
    error: string | null,
  ): Promise<void> {
    // The file goes first: a job that reads as ended has left nothing on disk.
    await rm(l.dir, { recursive: true, force: true }).catch(() => undefined);
    const job = l.job;
    job.state = state;
    job.result = result;
    job.error = error;
    job.finishedAt = new Date().toISOString();
    try {
      await this.store.db.query(
        `UPDATE import_jobs SET state = $2, progress = $3, result = $4, error = $5, finished_at = $6, heartbeat_ms = $7
         WHERE id = $1`,
        [
          job.id,
          state,
          job.progress ? JSON.stringify(job.progress) : null,
          result ? JSON.stringify(result) : null,
          error,
          job.finishedAt,
          Date.now(),
        ],
      );
    } catch (err) {
      this.log(`import job ${job.id}: could not record its end (${state})`, err);
    }
  }

  /** PostgreSQL: progress and heartbeat of this server's jobs, and cancels asked on other servers. */
  private ensureTimer(): void {
    if (this.timer || this.store.db.dialect !== 'postgres') return;
    this.timer = setInterval(() => {
      void this.beat().catch((err) => this.log('import jobs heartbeat failed', err));
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    for (const l of [...this.live.values()]) {
      const rows = await this.store.db.query(
        `UPDATE import_jobs SET progress = $2, heartbeat_ms = $3 WHERE id = $1 AND state IN ('queued', 'running')
         RETURNING cancel_requested`,
        [l.job.id, l.job.progress ? JSON.stringify(l.job.progress) : null, now],
      );
      const c = rows[0]?.cancel_requested;
      if (c === true || c === 1 || c === 't') {
        l.job.cancelRequested = true;
        l.cancel = true;
      }
    }
  }

  /** The job as `actor` may see it (404 for another user's job unless admin). */
  async get(id: string, actor: JobActor): Promise<ImportJob> {
    const l = this.live.get(id);
    if (l) {
      if (!actor.admin && l.job.owner !== actor.username) throw notFound(id);
      return { ...l.job };
    }
    const rows = await this.store.db.query('SELECT * FROM import_jobs WHERE id = $1', [id]);
    const r = rows[0];
    if (!r || !mayRead(r, actor)) throw notFound(id);
    const job = jobFromRow(r);
    if ((job.state === 'queued' || job.state === 'running') && Number(r.heartbeat_ms) < Date.now() - STALE_MS) {
      await this.markInterrupted(id);
      return { ...job, state: 'failed', error: INTERRUPTED, finishedAt: new Date().toISOString() };
    }
    return job;
  }

  /** The actor's jobs (admins: everyone's), newest first, with live progress for this server's running jobs. */
  async list(
    actor: JobActor,
    q: { state?: JobState; limit: number; offset: number },
  ): Promise<{ total: number; results: ImportJob[] }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (!actor.admin) {
      params.push(actor.username);
      where.push(`owner_name = $${params.length}`);
    }
    if (q.state) {
      params.push(q.state);
      where.push(`state = $${params.length}`);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((await this.store.db.query(`SELECT count(*) AS n FROM import_jobs ${w}`, params))[0]?.n ?? 0);
    const rows = await this.store.db.query(
      `SELECT * FROM import_jobs ${w} ORDER BY created_at DESC, id DESC LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    );
    const results = rows.map((r) => {
      const l = this.live.get(String(r.id));
      return l ? { ...l.job } : jobFromRow(r);
    });
    return { total, results };
  }

  /**
   * Cancel: a queued job is cancelled at once; a running one stops at its next statement and rolls back (its state
   * turns `cancelled` when it has). A job another server runs gets the request through the store. A finished job
   * is a 409.
   */
  async cancel(id: string, actor: JobActor): Promise<ImportJob> {
    const l = this.live.get(id);
    if (l) {
      if (!actor.admin && l.job.owner !== actor.username) throw notFound(id);
      if (isEnded(l.job.state)) throw ended(id, l.job.state);
      l.cancel = true;
      l.job.cancelRequested = true;
      const queued = this.queue.indexOf(id);
      if (queued !== -1) {
        this.queue.splice(queued, 1);
        this.live.delete(id);
        await this.finish(l, 'cancelled', null, null);
        if (this.live.size === 0) this.stopTimer();
        return { ...l.job };
      }
      // Running here: wait for the rollback (a few seconds at most), so the answer says what happened. An import
      // between two statements for longer answers `running` with the request. (A large NMEA file streaming into
      // DuckDB, one statement, checks for the cancel between batches: src/ingest/ais-nmea.ts.)
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([l.done, new Promise<void>((r) => (timer = setTimeout(r, CANCEL_WAIT_MS)))]);
      clearTimeout(timer);
      return { ...l.job };
    }
    const job = await this.get(id, actor);
    if (isEnded(job.state)) throw ended(id, job.state);
    await this.store.db.query(`UPDATE import_jobs SET cancel_requested = TRUE WHERE id = $1`, [id]);
    return { ...job, cancelRequested: true };
  }

  /** Server shutdown: cancel what is queued or running here (marked failed, "interrupted") and wait. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const id of [...this.queue]) {
      const l = this.live.get(id);
      if (!l) continue;
      this.queue.splice(this.queue.indexOf(id), 1);
      this.live.delete(id);
      await this.finish(l, 'failed', null, INTERRUPTED);
    }
    const running = [...this.live.values()];
    for (const l of running) l.cancel = true;
    await Promise.all(running.map((l) => l.done));
    this.stopTimer();
    this.stopping = false;
  }
}

/** 409: cancelling a job that has ended. */
export class JobEndedError extends UserError {
  override readonly status = 409;
  override readonly code = 'conflict';
}

const isEnded = (s: JobState) => s === 'done' || s === 'failed' || s === 'cancelled';
const ended = (id: string, s: JobState) =>
  new JobEndedError(`import job ${id} has already ended (${s}); nothing to cancel`);

function mayRead(r: Row, actor: JobActor): boolean {
  return actor.admin || String(r.owner_name) === actor.username;
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`no import job "${id}" (list yours with GET /imports/jobs)`);
}

const runners = new WeakMap<Store, ImportJobRunner>();

/** The runner of `store` in this process (one per store, so the concurrency cap holds across servers sharing it). */
export function importJobRunner(store: Store): ImportJobRunner {
  let r = runners.get(store);
  if (!r) {
    r = new ImportJobRunner(store);
    runners.set(store, r);
  }
  return r;
}
