import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { identityHistory } from '../../src/maritime/store/repository.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { timedRepeat } from './encode.js';

/** The AIS import is portable SQL: the same files give the same rows on PostgreSQL, overlapping files included. */
const available = postgresAvailable();
let pg: TestPostgres | undefined;
let store: Store;
let dir: string;
const DMA = dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt');

describe.runIf(available)('AIS import on PostgreSQL', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wk-ais-pg-'));
    pg = await startTestPostgres('ais-import');
    if (!pg) throw new Error('no PostgreSQL');
    store = await openStore({ url: pg.url });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the DMA file once, then two overlapping parts of a timed copy adding only what was new', async () => {
    const r = await importNmeaFile(store, DMA);
    expect(r).toMatchObject({ created: true, positions: 2965, identities: 493, vessels: 1720 });
    expect((await importNmeaFile(store, DMA)).created).toBe(false);
    expect((await identityHistory(store.db, 219009236)).at(-1)).toMatchObject({
      name: 'SNOWFLAKE H36',
      callsign: 'XP3498',
    });
    const lines = timedRepeat(readFileSync(DMA, 'latin1'), 4).split('\n').filter(Boolean);
    const a = path.join(dir, 'a.nmea');
    const b = path.join(dir, 'b.nmea');
    writeFileSync(a, `${lines.slice(0, Math.floor(lines.length * 0.6)).join('\n')}\n`);
    writeFileSync(b, `${lines.slice(Math.floor(lines.length * 0.4)).join('\n')}\n`);
    const ra = await importNmeaFile(store, a);
    const rb = await importNmeaFile(store, b, { threads: 1 });
    expect(rb.rows.alreadyStored).toBeGreaterThan(1000);
    // Two DMA sentences carry their own receiver time, the same in every copy: the DMA import stored them already.
    expect(ra.positions + rb.positions).toBe(2963 * 4);
    const [n] = await store.db.query('SELECT count(*) AS n FROM positions');
    expect(Number(n!.n)).toBe(2965 + 2963 * 4);
  });
});
