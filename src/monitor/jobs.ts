/**
 * The worker's job queue (table monitor_jobs). A job's id names its schedule slot, so enqueueing is idempotent:
 * two workers that both see "detection is due" make one job. Claiming takes the oldest due job and writes a lease
 * (owner, until) in the same statement; on PostgreSQL the candidate row is picked `FOR UPDATE SKIP LOCKED`, so two
 * workers claiming at once get different jobs and never the same one. A job whose lease ran out (its worker died)
 * is due again. Finishing and failing check the lease owner, so a worker that lost its lease cannot overwrite the
 * outcome of the worker that took over. On DuckDB only one process can open the store (its file lock), which is
 * all the exclusion a single worker needs.
 */
import type { Db, Row } from '../store/db.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed'];

export interface Job {
  id: string;
  kind: string;
  attempts: number;
}

export async function enqueueJob(db: Db, job: { id: string; kind: string; runAfterMs: number }): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO monitor_jobs (id, kind, state, run_after, attempts, created_at)
     VALUES ($1, $2, 'queued', $3, 0, $4) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [job.id, job.kind, BigInt(Math.floor(job.runAfterMs)), new Date().toISOString()],
  );
  return rows.length > 0;
}

/** Claim the oldest due job of these kinds (queued and due, or running with an expired lease); null when none. */
export async function claimJob(
  db: Db,
  owner: string,
  kinds: readonly string[],
  leaseMs: number,
  nowMs = Date.now(),
): Promise<Job | null> {
  if (kinds.length === 0) return null;
  const kindList = kinds.map((_, i) => `$${i + 4}`).join(', ');
  const lock = db.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  const rows = await db.query(
    `UPDATE monitor_jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1,
            started_at = $3
      WHERE id = (SELECT id FROM monitor_jobs
                   WHERE kind IN (${kindList})
                     AND ((state = 'queued' AND run_after <= $${kinds.length + 4})
                       OR (state = 'running' AND lease_until < $${kinds.length + 4}))
                   ORDER BY run_after, id LIMIT 1 ${lock})
      RETURNING id, kind, attempts`,
    [owner, BigInt(nowMs + leaseMs), new Date(nowMs).toISOString(), ...kinds, BigInt(nowMs)],
  );
  const r = rows[0];
  return r ? { id: String(r.id), kind: String(r.kind), attempts: Number(r.attempts) } : null;
}

/** Mark a claimed job done (only while this owner holds it). Returns false when the lease was lost. */
export async function finishJob(db: Db, id: string, owner: string, result: unknown): Promise<boolean> {
  const rows = await db.query(
    `UPDATE monitor_jobs SET state = 'done', finished_at = $3, result = $4, lease_until = NULL
      WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
    [id, owner, new Date().toISOString(), JSON.stringify(result ?? null)],
  );
  return rows.length > 0;
}

/**
 * Record a failure: queued again after `retryMs` while attempts < maxAttempts, otherwise failed for good.
 */
export async function failJob(
  db: Db,
  job: Job,
  owner: string,
  error: string,
  opts: { retryMs: number; maxAttempts: number },
): Promise<JobState> {
  const final = job.attempts >= opts.maxAttempts;
  const state: JobState = final ? 'failed' : 'queued';
  await db.query(
    `UPDATE monitor_jobs SET state = $3, last_error = $4, run_after = $5, lease_until = NULL,
            finished_at = $6 WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
    [
      job.id,
      owner,
      state,
      error.slice(0, 2000),
      BigInt(Date.now() + opts.retryMs),
      final ? new Date().toISOString() : null,
    ],
  );
  return state;
}

/** Extend the lease of a running job (long jobs); false when it was lost. */
export async function renewJob(db: Db, id: string, owner: string, leaseMs: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE monitor_jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
    [id, owner, BigInt(Date.now() + leaseMs)],
  );
  return rows.length > 0;
}

/** Jobs by kind and state (for /metrics and `worker status`). */
export async function jobCounts(db: Db): Promise<Array<{ kind: string; state: JobState; count: number }>> {
  const rows = await db.query<Row>(
    'SELECT kind, state, count(*) AS n FROM monitor_jobs GROUP BY kind, state ORDER BY kind, state',
  );
  return rows.map((r) => ({ kind: String(r.kind), state: String(r.state) as JobState, count: Number(r.n) }));
}

/** Forget finished jobs older than `keepMs` (the queue would otherwise grow by one row per schedule slot). */
export async function pruneJobs(db: Db, keepMs: number): Promise<void> {
  await db.query(`DELETE FROM monitor_jobs WHERE state IN ('done', 'failed') AND run_after < $1`, [
    BigInt(Date.now() - keepMs),
  ]);
}
