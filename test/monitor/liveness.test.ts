import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { claimJob, enqueueJob } from '../../src/monitor/jobs.js';
import { Liveness } from '../../src/monitor/liveness.js';
import { openStore } from '../../src/store/open.js';

/**
 * On DuckDB a worker is alive when it runs in this process (the only one that can hold the store). Two workers in
 * one process (as the operators tests run them): one's periodic reap must not hand back the other's running job,
 * which made the detection-off test hang when a reap fell inside the other worker's detection run.
 */
it('on DuckDB, a reap hands back only the jobs of workers no longer running in this process', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-live-'));
  const store = await openStore({ url: path.join(dir, 'live.duckdb') });
  const a = new Liveness(store.db, 'unused.duckdb', 'worker-a');
  const b = new Liveness(store.db, 'unused.duckdb', 'worker-b');
  try {
    await a.start();
    await b.start();
    await enqueueJob(store.db, { id: 'detect@1', kind: 'detect', runAfterMs: 0 });
    expect((await claimJob(store.db, 'worker-b', ['detect'], 600_000))?.id).toBe('detect@1');
    const state = async () =>
      (await store.db.query("SELECT state, lease_owner FROM monitor_jobs WHERE id = 'detect@1'"))[0];
    expect(await a.reapDead()).toEqual([]);
    expect(await state()).toEqual({ state: 'running', lease_owner: 'worker-b' });
    await b.stop();
    expect(await a.reapDead()).toEqual(['worker-b']);
    expect(await state()).toEqual({ state: 'queued', lease_owner: null });
  } finally {
    await a.stop();
    await b.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
