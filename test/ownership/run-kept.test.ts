import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { importList } from '../../src/lists/import.js';
import { nmeaLines, registryCsv, simulate } from '../../src/maritime/simulate/generate.js';
import {
  OWNERSHIP_KINDS,
  ownershipFindings,
  ownershipForRun,
  ownershipRunStats,
} from '../../src/ownership/findings.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { loadNetwork } from '../../src/ownership/load.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

// `detect`'s ownership step builds the ownership network over every list entity (seconds with the bundled lists).
// Its findings are kept in the store with the fingerprint of their inputs, so a run whose inputs did not change
// (in this process or another one opening the store) reads them instead of rebuilding; a changed input rebuilds.

const ASOF = '2026-09-01';
let dir: string;
let file: string;
let store: Store;

const plain = (fs: Finding[]): unknown => JSON.parse(JSON.stringify(fs));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-own-kept-'));
  file = path.join(dir, 'kept.duckdb');
  store = await openStore({ url: file });
  await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'), {
    format: 'un-xml',
    fetchedAt: '2026-02-27T00:00:00.000Z',
  });
  const sim = simulate('sale-reflag', 5);
  writeFileSync(path.join(dir, 'ais.nmea'), `${[...nmeaLines(sim)].join('\n')}\n`);
  writeFileSync(path.join(dir, 'registry.csv'), registryCsv(sim.scenario));
  await importNmeaFile(store, path.join(dir, 'ais.nmea'));
  await importOwnershipFile(store, path.join(dir, 'registry.csv'));
}, 240_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("detect's ownership step is kept per input fingerprint", () => {
  let first: Finding[];

  it('builds once, and the findings are those of a build over the network', async () => {
    const builds = ownershipRunStats.builds;
    first = await ownershipForRun(store, undefined, { asOf: ASOF });
    expect(ownershipRunStats.builds).toBe(builds + 1);
    expect(new Set(first.map((f) => f.kind))).toEqual(new Set(OWNERSHIP_KINDS));
    const direct = await ownershipFindings(store, await loadNetwork(store, { asOf: ASOF }), { aisOnly: true });
    expect(plain(first)).toEqual(plain(direct));
    const rows = await store.db.query("SELECT count(*) AS n FROM ownership_runs WHERE fingerprint NOT LIKE 'base:%'");
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('does not rebuild when nothing changed, in this store object or after reopening the store', async () => {
    const builds = ownershipRunStats.builds;
    const reused = ownershipRunStats.reused;
    expect(plain(await ownershipForRun(store, undefined, { asOf: ASOF }))).toEqual(plain(first));
    await store.close();
    // A new Store object: no in-memory network cache (load.ts keeps one per Store), like a new `detect` process.
    store = await openStore({ url: file });
    expect(plain(await ownershipForRun(store, undefined, { asOf: ASOF }))).toEqual(plain(first));
    expect(ownershipRunStats.builds).toBe(builds);
    expect(ownershipRunStats.reused).toBe(reused + 2);
  });

  it('rebuilds when an input changes (another date, another list) and keeps only the latest', async () => {
    const builds = ownershipRunStats.builds;
    await ownershipForRun(store, undefined, { asOf: '2026-09-02' });
    expect(ownershipRunStats.builds).toBe(builds + 1);
    await importList(store, dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml'), {
      format: 'eu-yaml',
      fetchedAt: '2026-05-01T00:00:00.000Z',
    });
    const after = await ownershipForRun(store, undefined, { asOf: '2026-09-02' });
    expect(ownershipRunStats.builds).toBe(builds + 2);
    const direct = await ownershipFindings(store, await loadNetwork(store, { asOf: '2026-09-02' }), {
      aisOnly: true,
    });
    expect(plain(after)).toEqual(plain(direct));
    const rows = await store.db.query("SELECT count(*) AS n FROM ownership_runs WHERE fingerprint NOT LIKE 'base:%'");
    expect(Number(rows[0]?.n)).toBe(1);
  });
});
