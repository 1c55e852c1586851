/**
 * Who ingests a feed. On PostgreSQL a session advisory lock per feed, held on a connection of its own: only one
 * worker holds it, and it is released the moment that worker's connection goes away (a killed worker frees its
 * feeds at once, with no lease to wait out). If the lock connection fails, the worker stops ingesting that feed
 * (`onLost`). On DuckDB the store file is locked by the one process that opened it, so the feed is always ours.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface FeedLock {
  /** Try to take the lock; true when this process now holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** A signed 64-bit key for pg_try_advisory_lock from a name. */
export function advisoryKey(name: string): bigint {
  return createHash('sha256').update(`watchkeeper:${name}`).digest().readBigInt64BE(0);
}

class ProcessLock implements FeedLock {
  async acquire(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
}

class PgAdvisoryLock implements FeedLock {
  private client: pg.Client | null = null;
  constructor(
    private readonly url: string,
    private readonly key: bigint,
    private readonly onLost: (err: Error) => void,
  ) {}

  async acquire(): Promise<boolean> {
    if (this.client) return true;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    const r = await client.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.key.toString()]);
    if (r.rows[0]?.ok !== true) {
      await client.end().catch(() => undefined);
      return false;
    }
    this.client = client;
    client.on('end', () => {
      if (this.client === client) {
        this.client = null;
        this.onLost(new Error('the connection holding the feed lock ended'));
      }
    });
    return true;
  }

  async release(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (!c) return;
    await c.query('SELECT pg_advisory_unlock($1::bigint)', [this.key.toString()]).catch(() => undefined);
    await c.end().catch(() => undefined);
  }
}

export function feedLock(
  dialect: 'duckdb' | 'postgres',
  url: string,
  feedId: string,
  onLost: (err: Error) => void,
): FeedLock {
  return dialect === 'postgres' ? new PgAdvisoryLock(url, advisoryKey(`feed:${feedId}`), onLost) : new ProcessLock();
}
