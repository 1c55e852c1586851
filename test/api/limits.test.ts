import { describe, expect, it } from 'vitest';
import { SlotQueue, WindowCounter, windowCounter } from '../../src/api/auth/limits.js';
import { openStore } from '../../src/store/open.js';

describe('SlotQueue: a concurrency cap with a short queue in front', () => {
  it('runs up to the cap, hands each freed slot to the longest waiter, refuses beyond the queue', async () => {
    const q = new SlotQueue({ maxQueued: 2, maxWaitMs: 60_000 });
    const a = (await q.acquire('pdf', 2))!;
    const b = (await q.acquire('pdf', 2))!;
    const order: string[] = [];
    const waitFor = (name: string) =>
      q.acquire('pdf', 2).then((release) => {
        order.push(name);
        return release;
      });
    const c = waitFor('c');
    const d = waitFor('d');
    expect(q.load('pdf')).toEqual({ running: 2, waiting: 2 });
    expect(await q.acquire('pdf', 2)).toBeNull(); // the queue is full
    expect(await q.acquire('bundle', 2)).not.toBeNull(); // another route has its own slots
    a();
    a(); // a second call changes nothing
    const rc = (await c)!;
    expect(order).toEqual(['c']);
    expect(q.load('pdf')).toEqual({ running: 2, waiting: 1 });
    b();
    const rd = (await d)!;
    expect(order).toEqual(['c', 'd']);
    rc();
    rd();
    expect(q.load('pdf')).toEqual({ running: 0, waiting: 0 });
  });

  it('gives up on a wait that runs too long or whose client went away, and keeps the slot count right', async () => {
    const q = new SlotQueue({ maxQueued: 4, maxWaitMs: 30 });
    const a = (await q.acquire('pdf', 1))!;
    expect(await q.acquire('pdf', 1)).toBeNull(); // timed out after 30 ms
    const gone = new AbortController();
    const w = q.acquire('pdf', 1, gone.signal);
    gone.abort();
    expect(await w).toBeNull();
    expect(q.load('pdf')).toEqual({ running: 1, waiting: 0 });
    a();
    expect(q.load('pdf')).toEqual({ running: 0, waiting: 0 });
    expect(await q.acquire('pdf', 1)).not.toBeNull();
  });
});

describe('WindowCounter: so many per key in a window', () => {
  it('blocks a key at the limit until its window ends; other keys and a reset are not affected', () => {
    const w = new WindowCounter(3, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(w.blockedFor('alice', t0 + i)).toBe(0);
      w.hit('alice', t0 + i);
    }
    expect(w.blockedFor('alice', t0 + 10)).toBe(60_000 - 10);
    expect(w.blockedFor('bob', t0 + 10)).toBe(0);
    expect(w.blockedFor('alice', t0 + 60_000)).toBe(0); // the window ended
    w.hit('alice', t0 + 60_000);
    expect(w.blockedFor('alice', t0 + 60_001)).toBe(0); // a new window with one hit
    w.reset('alice');
    expect(w.blockedFor('alice', t0 + 60_001)).toBe(0);
  });
});

describe('windowCounter: in memory on DuckDB (one process owns the file)', () => {
  it('take counts a try within the limit and refuses beyond it without counting; reset forgets', async () => {
    const store = await openStore({ url: ':memory:' });
    try {
      const w = windowCounter(store.db, 'login', 2, 60_000);
      expect(w).toBeInstanceOf(WindowCounter);
      const t0 = 5_000_000;
      expect([await w.take('k', t0), await w.take('k', t0 + 1), await w.take('k', t0 + 2)]).toEqual([0, 0, 59_998]);
      expect(await w.take('k', t0 + 60_000)).toBe(0); // the window ended: a new one with this try
      await w.reset('k');
      expect([await w.take('k', t0 + 60_001), await w.take('k', t0 + 60_002)]).toEqual([0, 0]);
    } finally {
      await store.close();
    }
  });
});
