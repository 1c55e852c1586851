import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressOfImport } from '../../src/cli/lists.js';
import { formatBytes, type Progress, progressLine } from '../../src/cli/progress.js';
import { type ImportProgress, importList } from '../../src/lists/import.js';
import { FileReadWatch } from '../../src/lists/read-progress.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/** List import progress: steps in bytes of the file where its size is known, then entities written. */
const UN = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');
const FTM = path.join(import.meta.dirname, '..', 'fixtures', 'lists', 'dprk_sample.ftm.jsonl');

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-list-progress-'));
  store = await openStore({ url: path.join(dir, 'lists.duckdb') });
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('list import progress', () => {
  it('reports reading and hashing in bytes of the file, then writing in entities, to the end', async () => {
    const events: ImportProgress[] = [];
    const r = await importList(store, UN, { onProgress: (p) => events.push({ ...p }) });
    const steps = events.map((e) => e.step).filter((s, k, a) => a[k - 1] !== s);
    expect(steps).toEqual(['reading', 'hashing', 'writing']);
    const size = statSync(UN).size;
    for (const e of events.filter((x) => x.step !== 'writing')) expect([e.unit, e.total]).toEqual(['bytes', size]);
    const writing = events.filter((x) => x.step === 'writing');
    expect(writing.every((e) => e.unit === 'entities' && e.total === r.entityCount)).toBe(true);
    expect(writing.at(-1)).toMatchObject({ done: 2460, total: 2460 });
    // Counts only go up within a step.
    for (const s of ['reading', 'hashing', 'writing']) {
      const done = events.filter((x) => x.step === s).map((x) => x.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
    }
  });

  it('FtM JSON lines: counting in bytes, then writing in records of the lines counted', async () => {
    const events: ImportProgress[] = [];
    const r = await importList(store, FTM, { onProgress: (p) => events.push({ ...p }) });
    const steps = events.map((e) => e.step).filter((s, k, a) => a[k - 1] !== s);
    expect(steps).toEqual(['hashing', 'counting', 'writing']);
    const size = statSync(FTM).size;
    expect(events.find((e) => e.step === 'counting' && e.done === size)).toMatchObject({ unit: 'bytes', total: size });
    expect(r.version.recordCount).toBeGreaterThan(0);
    const n = r.version.recordCount;
    expect(events.at(-1)).toMatchObject({ step: 'writing', unit: 'records', done: n, total: n });
  });

  it('FileReadWatch follows the offset of whoever reads the file, and counts a closed file as read', () => {
    const watch = new FileReadWatch([UN]);
    expect(watch.totalBytes).toBe(statSync(UN).size);
    expect(watch.bytesRead()).toBe(0);
    const fd = openSync(UN, 'r');
    try {
      readSync(fd, Buffer.alloc(65_536), 0, 65_536, null);
      expect(watch.bytesRead()).toBe(65_536);
    } finally {
      closeSync(fd);
    }
    expect(watch.bytesRead()).toBe(statSync(UN).size);
  });

  it('the progress line names the step, its bytes, percentage and time left', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3_909_739)).toBe('3.91 MB');
    expect(formatBytes(1_250_000_000)).toBe('1.25 GB');
    expect(progressLine('import sdn.csv reading', 1_000_000, 4_000_000, 2_000, 'bytes')).toBe(
      'import sdn.csv reading: 1.00 MB/4.00 MB 25.0% ETA 6 s (500.0 kB/s, 2 s)',
    );
    const calls: string[] = [];
    const p: Progress = {
      tick: (d, t) => calls.push(`tick ${d}/${t}`),
      step: (n, u) => calls.push(`step ${n} ${u}`),
      done: () => {},
      stop: () => {},
    };
    const on = progressOfImport(p);
    on({ step: 'reading', unit: 'bytes', done: 0, total: 10 });
    on({ step: 'reading', unit: 'bytes', done: 10, total: 10 });
    on({ step: 'writing', unit: 'entities', done: 5, total: 7 });
    expect(calls).toEqual(['step reading bytes', 'tick 0/10', 'tick 10/10', 'step writing items', 'tick 5/7']);
  });
});
