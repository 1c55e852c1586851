import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { type ImportJob, importJobRunner } from '../../src/imports/jobs.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/**
 * Import jobs on PostgreSQL with two servers on one database: the server that did not receive the file reads the
 * job and cancels it through the store; the running import rolls back after writing positions.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SYNTH = readFileSync(path.join(ROOT, 'test/fixtures/ais/synthetic.nmea'));

describe.runIf(postgresAvailable())('import jobs on PostgreSQL, across two servers', () => {
  let pg: TestPostgres | undefined;
  let dir: string;
  let storeA: Store;
  let storeB: Store;
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    pg = await startTestPostgres('import-jobs');
    if (!pg) throw new Error('PostgreSQL unavailable');
    dir = await mkdtemp(path.join(os.tmpdir(), 'wk-import-jobs-pg-'));
    process.env.WATCHKEEPER_DATA_DIR = dir;
    storeA = await openStore({ url: pg.url });
    storeB = await openStore({ url: pg.url });
    a = await buildServer({ store: storeA, logLevel: false });
    b = await buildServer({ store: storeB, logLevel: false });
    await Promise.all([a.ready(), b.ready()]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storeA?.close();
    await storeB?.close();
    await pg?.stop();
    delete process.env.WATCHKEEPER_DATA_DIR;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a cancel sent to the other server stops the running import, which writes nothing', async () => {
    const count = async (sql: string) => Number((await storeB.db.query(sql))[0]?.n ?? 0);
    const runner = importJobRunner(storeA);
    let sawPositions = false;
    let reached: (() => void) | null = null;
    const atPositions = new Promise<void>((r) => {
      reached = r;
    });
    runner.testGate = async (id, what) => {
      if (what.startsWith('bulk positions')) {
        sawPositions = true;
        return;
      }
      if (sawPositions && reached) {
        const r = reached;
        reached = null;
        r();
        // Hold the transaction open (positions written, not committed) until server A hears of the cancel.
        while (!(await runner.get(id, { userId: null, username: 'local', admin: true })).cancelRequested) {
          await new Promise((res) => setTimeout(res, 50));
        }
      }
    };
    try {
      const post = await a.inject({
        method: 'POST',
        url: '/imports/ais?startTime=2024-05-01T00:00:00Z&filename=synthetic.nmea',
        body: SYNTH,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(post.statusCode).toBe(202);
      const id = (post.json() as ImportJob).id;
      await atPositions;
      // Server B knows the job from the store: running, on A.
      const seen = (await b.inject({ method: 'GET', url: `/imports/jobs/${id}` })).json() as ImportJob;
      expect(seen).toMatchObject({ id, state: 'running', filename: 'synthetic.nmea', sizeBytes: SYNTH.length });
      const del = await b.inject({ method: 'DELETE', url: `/imports/jobs/${id}` });
      expect(del.statusCode).toBe(200);
      expect(del.json()).toMatchObject({ id, state: 'running', cancelRequested: true });
      let job = seen;
      while (job.state === 'running' || job.state === 'queued') {
        await new Promise((r) => setTimeout(r, 100));
        job = (await b.inject({ method: 'GET', url: `/imports/jobs/${id}` })).json() as ImportJob;
      }
      expect(sawPositions).toBe(true);
      expect(job.state).toBe('cancelled');
    } finally {
      runner.testGate = null;
    }
    expect(await count('SELECT count(*) AS n FROM positions')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM position_imports')).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM imports WHERE kind = 'ais-nmea'`)).toBe(0);
    // The same file then imports in full, and B reads A's counts.
    const again = await a.inject({
      method: 'POST',
      url: '/imports/ais?startTime=2024-05-01T00:00:00Z',
      body: SYNTH,
      headers: { 'content-type': 'application/octet-stream' },
    });
    let done = again.json() as ImportJob;
    while (done.state === 'queued' || done.state === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      done = (await b.inject({ method: 'GET', url: `/imports/jobs/${done.id}` })).json() as ImportJob;
    }
    expect(done).toMatchObject({ state: 'done', result: { created: true } });
    expect(await count('SELECT count(*) AS n FROM positions')).toBe((done.result as { positions: number }).positions);
  });
});
