/**
 * Is a worker alive? Leases on jobs and deliveries run out on their own, but waiting them out after a crash delays
 * alerts. So each worker proves it is alive: on PostgreSQL by holding a session advisory lock keyed by its id, on
 * a connection of its own (released the moment the process dies); on DuckDB by running in the process that holds
 * the store (one process only). `reapDead` finds the registered workers that are not alive, hands their running jobs and
 * deliveries back to the queue (attempts already counted) and removes them.
 */
import pg from 'pg';
import { UserError } from '../errors.js';
import type { Db } from '../store/db.js';
import { advisoryKey } from './locks.js';

/** Workers running in this process (on DuckDB the only ones that can hold the store). */
const RUNNING_HERE = new Set<string>();

export class Liveness {
  private client: pg.Client | null = null;

  constructor(
    private readonly db: Db,
    private readonly url: string,
    readonly workerId: string,
  ) {}

  /** Take this worker's own lock (PostgreSQL). */
  async start(): Promise<void> {
    if (this.db.dialect !== 'postgres') {
      RUNNING_HERE.add(this.workerId);
      return;
    }
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    const r = await client.query('SELECT pg_try_advisory_lock($1::bigint) AS got', [
      advisoryKey(`worker:${this.workerId}`).toString(),
    ]);
    if (r.rows[0]?.got !== true) {
      await client.end().catch(() => undefined);
      throw new UserError(
        `a worker with id "${this.workerId}" is already running on this store; give another --worker-id`,
      );
    }
    this.client = client;
  }

  private async alive(workerId: string): Promise<boolean> {
    if (workerId === this.workerId) return true;
    // DuckDB: only this process has the store, so a worker is alive when it runs here (tests run two in one).
    if (this.db.dialect !== 'postgres' || !this.client) return RUNNING_HERE.has(workerId);
    const key = advisoryKey(`worker:${workerId}`).toString();
    const r = await this.client.query('SELECT pg_try_advisory_lock($1::bigint) AS got', [key]);
    if (r.rows[0]?.got !== true) return true;
    await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    return false;
  }

  /** Release what dead workers held; returns their ids. */
  async reapDead(): Promise<string[]> {
    const dead: string[] = [];
    const rows = await this.db.query('SELECT worker_id FROM monitor_workers');
    const owners = await this.db.query(
      `SELECT DISTINCT lease_owner AS w FROM monitor_jobs WHERE state = 'running'
       UNION SELECT DISTINCT lease_owner AS w FROM alert_deliveries WHERE state = 'sending'`,
    );
    const ids = new Set([...rows.map((r) => String(r.worker_id)), ...owners.map((r) => String(r.w ?? ''))]);
    for (const id of ids) {
      if (!id || (await this.alive(id))) continue;
      dead.push(id);
      await this.db.transaction(async (tx) => {
        await tx.query(
          `UPDATE monitor_jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL
            WHERE state = 'running' AND lease_owner = $1`,
          [id],
        );
        await tx.query(
          `UPDATE alert_deliveries SET state = 'pending', lease_owner = NULL, lease_until = NULL
            WHERE state = 'sending' AND lease_owner = $1`,
          [id],
        );
        await tx.query('DELETE FROM monitor_workers WHERE worker_id = $1', [id]);
      });
    }
    return dead;
  }

  async stop(): Promise<void> {
    RUNNING_HERE.delete(this.workerId);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
