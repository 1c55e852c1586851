import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { cancellableStore, ImportCancelledError } from '../../src/imports/cancellable.js';
import { type ImportJob, importJobRunner, newJobId } from '../../src/imports/jobs.js';
import { importNmeaFile, nmeaWorkerThreads } from '../../src/ingest/ais-nmea.js';
import { formatTagBlock } from '../../src/maritime/ais/envelope.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { timedRepeat } from '../ais/encode.js';

/**
 * A cancel during a large NMEA import on DuckDB, where the whole file goes into the store through one streaming
 * INSERT fed by the decoding worker (src/ingest/ais-nmea.ts): the feed asks the job's cancel gate between batches,
 * so the import stops before the file is decoded, writes nothing and leaves no worker thread behind; the same file
 * then imports in full.
 */

const DMA = readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'), 'latin1');
/** Positions per time-shifted copy of the DMA file (test/ais/import.test.ts), plus 2 once. */
const DMA_POSITIONS = 2963;

let dir: string;
let store: Store;

const count = async (s: Store, table: string) =>
  Number((await s.db.query(`SELECT count(*) AS n FROM ${table}`))[0]?.n ?? 0);
const tables = async (s: Store) => ({
  positions: await count(s, 'positions'),
  positionImports: await count(s, 'position_imports'),
  imports: await count(s, 'imports'),
});
/**
 * `reps` copies of the DMA file with a tag block time on each line (one second apart, copies two hours apart): the
 * form the upload's type check recognises as NMEA.
 */
function tagged(reps: number, startS: number): string {
  const lines = DMA.split('\n').filter((l) => l.startsWith('!'));
  const out: string[] = [];
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < lines.length; i++) out.push(`${formatTagBlock({ time: startS + r * 7200 + i })}${lines[i]}`);
  }
  return `${out.join('\n')}\n`;
}
const lineCount = (text: string) => text.split('\n').filter((l) => l !== '').length;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-nmea-cancel-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  // Something stored before, that a cancelled import must leave as it is.
  await importNmeaFile(store, path.resolve('test/fixtures/ais/uscg-nais.nmea'));
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cancelling a streaming NMEA import on DuckDB', () => {
  it('stops between two worker batches, writes nothing, stops the worker; the file then imports in full', async () => {
    const text = timedRepeat(DMA, 12);
    const file = path.join(dir, 'dma-12.nmea');
    writeFileSync(file, text);
    const total = lineCount(text);
    const before = await tables(store);
    let cancel = false;
    let asked = 0;
    // What an import job does (src/imports/jobs.ts): every statement of its store, and every batch, asks the gate.
    const gate = async (what: string) => {
      if (what === 'AIS batch') asked++;
      if (cancel) throw new ImportCancelledError();
    };
    const gated = cancellableStore(store, gate);
    let progress = 0;
    let batches = 0;
    let cancelledAt = 0;
    const run = importNmeaFile(gated, file, {
      threads: 1,
      workerBatchRows: 2048,
      cancelCheck: gate,
      onProgress: (lines) => {
        progress = lines;
        // The cancel comes while the INSERT runs, when the third batch arrives.
        if (++batches === 3) {
          cancel = true;
          cancelledAt = lines;
        }
      },
    });
    await expect(run).rejects.toBeInstanceOf(ImportCancelledError);
    expect(cancel).toBe(true);
    expect(asked).toBeGreaterThanOrEqual(3);
    // Stopped at the next batch at the latest (the gate answers between two of them), out of 17.
    expect(batches).toBeLessThanOrEqual(4);
    expect(progress).toBeGreaterThanOrEqual(cancelledAt);
    expect(progress).toBeLessThan(total / 2);
    expect(nmeaWorkerThreads.live).toBe(0);
    expect(await tables(store)).toEqual(before);

    cancel = false;
    let last = 0;
    const full = await importNmeaFile(gated, file, {
      threads: 1,
      workerBatchRows: 2048,
      cancelCheck: gate,
      onProgress: (n) => (last = n),
    });
    expect(full.created).toBe(true);
    expect(full.positions).toBe(12 * DMA_POSITIONS + 2);
    expect(full.input.lines).toBe(total);
    expect(last).toBe(total);
    expect(await tables(store)).toEqual({
      positions: before.positions + full.positions,
      positionImports: before.positionImports + 1,
      imports: before.imports + 1,
    });
    expect(nmeaWorkerThreads.live).toBe(0);
  });

  it('a failed streaming import leaves no worker thread either', async () => {
    // Untimed messages (the tags and receiver times stripped): the worker refuses the file.
    const untimed = DMA.split('\n')
      .filter((l) => l.startsWith('!'))
      .join('\n');
    const file = path.join(dir, 'untimed.nmea');
    writeFileSync(file, `${untimed}\n`);
    const before = await tables(store);
    await expect(importNmeaFile(store, file, { threads: 1, workerBatchRows: 2048 })).rejects.toBeInstanceOf(InputError);
    expect(nmeaWorkerThreads.live).toBe(0);
    expect(await tables(store)).toEqual(before);
  });
});

describe('cancelling a running import job (DELETE /imports/jobs/{id}) of a large NMEA file on DuckDB', () => {
  it('ends the job cancelled before the file is decoded, writing nothing', async () => {
    // 8.5 MB: above the size from which the import decodes in a worker and streams into DuckDB.
    const body = Buffer.from(tagged(29, 1_710_000_000), 'latin1');
    expect(body.length).toBeGreaterThanOrEqual(8 << 20);
    const total = lineCount(body.toString('latin1'));
    const id = newJobId();
    const jobDir = path.join(dir, 'imports', id);
    mkdirSync(jobDir, { recursive: true });
    const file = path.join(jobDir, 'upload.nmea');
    writeFileSync(file, body);
    const before = await tables(store);
    const runner = importJobRunner(store);
    const actor = { userId: null, username: 'local', admin: true };
    let cancelled: Promise<ImportJob> | null = null;
    // The user's cancel (what DELETE /imports/jobs/{id} calls), sent while the INSERT runs: at the feed's first
    // check of the gate after the first batch arrived.
    runner.testGate = async (jobId, what) => {
      if (what !== 'AIS batch' || cancelled) return;
      if (((await runner.get(jobId, actor)).progress?.done ?? 0) > 0) cancelled = runner.cancel(jobId, actor);
    };
    let job: ImportJob;
    try {
      await runner.submit({
        id,
        kind: 'ais',
        actor,
        filename: 'upload.nmea',
        dir: jobDir,
        file,
        sizeBytes: body.length,
        lines: total,
        sha256: createHash('sha256').update(body).digest('hex'),
        format: 'nmea',
        params: {},
      });
      for (;;) {
        job = await runner.get(id, actor);
        if (job.state !== 'queued' && job.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      runner.testGate = null;
    }
    expect(cancelled).not.toBeNull();
    expect((await (cancelled as unknown as Promise<ImportJob>)).state).toBe('cancelled');
    expect(job.state).toBe('cancelled');
    // One or two batches (the first ones are 4,096 and 8,192 positions) of about 86,000.
    expect(job.progress?.total).toBe(total);
    expect(job.progress?.done).toBeLessThan(total / 4);
    expect(nmeaWorkerThreads.live).toBe(0);
    expect(await tables(store)).toEqual(before);
    expect(existsSync(jobDir)).toBe(false);
  });
});
