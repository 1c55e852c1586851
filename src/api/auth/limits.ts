/**
 * Request limits the server keeps in memory: how many heavy requests run at once (with a short queue in front),
 * and how many times a key (a client, a sign-in name) may do something in a time window.
 */

/** Counts per key in fixed windows: sign-in failures, heavy requests per client. */
export class WindowCounter {
  private readonly counts = new Map<string, { n: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

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

  reset(key: string): void {
    this.counts.delete(key);
  }
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
