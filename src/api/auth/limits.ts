import type { Db } from '../../store/db.js';

/**
 * Request limits: how many heavy requests run at once (with a short queue in front), and how many times a key (a
 * client, a sign-in name) may do something in a time window.
 *
 * The window counts are shared by every server process on one PostgreSQL database (`rate_windows`, migration
 * 0805): behind a load balancer, N processes allow what one does, not N times as much. On DuckDB one process owns
 * the file, so they stay in memory. The concurrency slots stay per process on purpose: they bound this process's
 * Chromium and CPU.
 */

/** A window counter as the guard and the sign-in route use it. */
export interface RateCounter {
  readonly limit: number;
  /**
   * Count one try for `key`: 0 when it is within the limit (go on), otherwise the milliseconds until the key's
   * window ends (refuse, with Retry-After).
   */
  take(key: string, now?: number): Promise<number>;
  /** Forget `key` (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
}

/** Counts per key in fixed windows, in this process's memory: sign-in failures, heavy requests per client. */
export class WindowCounter implements RateCounter {
  private readonly counts = new Map<string, { n: number; resetAt: number }>();

  constructor(
    readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async take(key: string, now = Date.now()): Promise<number> {
    const waitMs = this.blockedFor(key, now);
    if (waitMs === 0) this.hit(key, now);
    return waitMs;
  }

  /** Milliseconds until `key` may go on, or 0 when it is under the limit now. */
  blockedFor(key: string, now = Date.now()): number {
    const c = this.counts.get(key);
    return c && c.resetAt > now && c.n >= this.limit ? c.resetAt - now : 0;
  }

  /** Count one for `key` (a new window starts when the last one ended). */
  hit(key: string, now = Date.now()): void {
    const c = this.counts.get(key);
    const cur = c && c.resetAt > now ? c : { n: 0, resetAt: now + this.windowMs };
    cur.n++;
    this.counts.set(key, cur);
    // Bounded memory under a flood of distinct keys: forgetting all only loosens the limit for a moment.
    if (this.counts.size > 100_000) this.counts.clear();
  }

  async reset(key: string): Promise<void> {
    this.counts.delete(key);
  }
}

/** How often a process deletes ended windows from `rate_windows` (they are harmless, only kept small). */
const PRUNE_EVERY_MS = 60_000;

/**
 * The same fixed windows in the store, shared by every process on the database: one atomic upsert per try
 * (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), so concurrent tries on several servers are counted exactly
 * and at most `limit` go through per window. Times are the servers' clocks (keep them in sync, as for sessions).
 */
export class StoreWindowCounter implements RateCounter {
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    /** The counter's name in the table: "login", "heavy". */
    private readonly name: string,
    readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async take(key: string, now = Date.now()): Promise<number> {
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      // Not awaited: pruning is housekeeping and must not add to the request.
      void this.db
        .query('DELETE FROM rate_windows WHERE name = $1 AND reset_ms <= $2', [this.name, now])
        .catch(() => undefined);
    }
    // A new window starts when the last one ended; within a window the count stops at limit + 1 (refused tries
    // neither overflow nor extend the window).
    const rows = await this.db.query(
      `INSERT INTO rate_windows AS w (name, client_key, n, reset_ms) VALUES ($1, $2, 1, $3)
       ON CONFLICT (name, client_key) DO UPDATE SET
         n = CASE WHEN w.reset_ms <= $4 THEN 1 ELSE LEAST(w.n + 1, $5) END,
         reset_ms = CASE WHEN w.reset_ms <= $4 THEN $3 ELSE w.reset_ms END
       RETURNING n, reset_ms`,
      [this.name, key, now + this.windowMs, now, this.limit + 1],
    );
    const row = rows[0];
    if (!row) throw new Error('rate_windows: the upsert returned no row');
    return Number(row.n) > this.limit ? Math.max(1, Number(row.reset_ms) - now) : 0;
  }

  async reset(key: string): Promise<void> {
    await this.db.query('DELETE FROM rate_windows WHERE name = $1 AND client_key = $2', [this.name, key]);
  }
}

/** A window counter for `db`: shared through the store on PostgreSQL, in memory on DuckDB. */
export function windowCounter(db: Db, name: string, limit: number, windowMs: number): RateCounter {
  return db.dialect === 'postgres'
    ? new StoreWindowCounter(db, name, limit, windowMs)
    : new WindowCounter(limit, windowMs);
}

/**
 * Concurrency caps per route with a FIFO queue: a request beyond the cap waits for a slot (at most `maxQueued`
 * waiting per route, each at most `maxWaitMs`) instead of being refused at once. A PDF render takes seconds, so
 * a team that clicks "Export" together gets its reports one after the other, not a 429.
 */
export class SlotQueue {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly opts: { maxQueued: number; maxWaitMs: number }) {}

  get maxQueued(): number {
    return this.opts.maxQueued;
  }

  /** Requests running and waiting for `key`. */
  load(key: string): { running: number; waiting: number } {
    return { running: this.running.get(key) ?? 0, waiting: this.waiting.get(key)?.length ?? 0 };
  }

  /**
   * A slot for `key`: a release function (call it once the response ends; later calls do nothing), or null when
   * the queue is full, the wait timed out or `signal` aborted (the client went away).
   */
  async acquire(key: string, cap: number, signal?: AbortSignal): Promise<(() => void) | null> {
    const n = this.running.get(key) ?? 0;
    if (n < cap) {
      this.running.set(key, n + 1);
      return this.releaser(key);
    }
    const queue = this.waiting.get(key) ?? [];
    if (queue.length >= this.opts.maxQueued || signal?.aborted) return null;
    this.waiting.set(key, queue);
    return new Promise((resolve) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', leave);
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        resolve(null);
      };
      // The slot is handed over directly by the request that ends (running stays the same).
      const grant = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', leave);
        resolve(this.releaser(key));
      };
      const timer = setTimeout(leave, this.opts.maxWaitMs);
      signal?.addEventListener('abort', leave, { once: true });
      queue.push(grant);
    });
  }

  private releaser(key: string): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.get(key)?.shift();
      if (next) next();
      else this.running.set(key, Math.max(0, (this.running.get(key) ?? 1) - 1));
    };
  }
}
