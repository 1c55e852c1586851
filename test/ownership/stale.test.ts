import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCaseItem, createCase, getCase } from '../../src/cases/cases.js';
import type { Finding } from '../../src/findings/finding.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { importList } from '../../src/lists/import.js';
import { nmeaLines, registryCsv, simulate } from '../../src/maritime/simulate/generate.js';
import { ownershipForRun, ownershipRetired, SUPERSEDED_REASON } from '../../src/ownership/findings.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

// Stored ownership findings used to be replaced by id only: a finding the step no longer produced (its listed
// manager gone from the registry, another date) stayed in the store and on the vessel's risk page. The step now
// removes what it stored before and no longer finds, and keeps the ones a case cites readable, marked superseded.

const ASOF = '2026-09-01';
let dir: string;
let store: Store;
let csv: string;

/** The ownership step as `detect` runs it: the findings it returns are stored. */
async function step(asOf: string): Promise<Finding[]> {
  const fs = await ownershipForRun(store, undefined, { asOf });
  await store.putFindings(fs);
  return fs;
}

const ofKind = async (kind: string): Promise<Finding[]> => store.queryFindings({ kinds: [kind] });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-own-stale-'));
  store = await openStore({ url: path.join(dir, 'stale.duckdb') });
  await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'), {
    format: 'un-xml',
    fetchedAt: '2026-02-27T00:00:00.000Z',
  });
  const sim = simulate('sale-reflag', 5);
  writeFileSync(path.join(dir, 'ais.nmea'), `${[...nmeaLines(sim)].join('\n')}\n`);
  csv = registryCsv(sim.scenario);
  writeFileSync(path.join(dir, 'registry.csv'), csv);
  await importNmeaFile(store, path.join(dir, 'ais.nmea'));
  await importOwnershipFile(store, path.join(dir, 'registry.csv'));
}, 240_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('stale ownership findings', () => {
  it('a registry import that drops the listed manager removes its exposure finding from the store', async () => {
    await step(ASOF);
    const managed = (await ofKind('vessel.ownership_exposure')).find((f) =>
      f.explanation.includes('managed by listed CHANG AN SHIPPING'),
    );
    expect(managed?.explanation).toMatch(/^PACIFIC BRIDGE \(IMO 1395426\) is managed by listed CHANG AN SHIPPING/);
    const others = (await store.queryFindings({ kinds: ['vessel.acquisition', 'network.front_company'] })).map(
      (f) => f.id,
    );
    expect(others.length).toBe(2);
    // The next extract of the registry no longer names CHANG AN as the ship manager.
    const lines = csv.trimEnd().split('\n');
    const dropped = lines.filter((l) => !l.includes(',ship manager,CHANG AN SHIPPING'));
    expect(dropped.length).toBe(lines.length - 1);
    writeFileSync(path.join(dir, 'registry-2.csv'), `${dropped.join('\n')}\n`);
    await importOwnershipFile(store, path.join(dir, 'registry-2.csv'));
    const after = await step(ASOF);
    expect(after.some((f) => f.id === managed!.id)).toBe(false);
    expect(await store.getFinding(managed!.id)).toBeUndefined();
    expect(ownershipRetired.removed).toEqual([managed!.id]);
    // The acquisition and the front company do not rest on the manager row: they stay.
    for (const id of others) expect(await store.getFinding(id)).toBeDefined();
  });

  it('a finding a case cites stays readable, marked superseded', async () => {
    const [front] = await ofKind('network.front_company');
    expect(front?.start).toBe(`${ASOF}T00:00:00.000Z`);
    const c = await createCase(store, { title: 'GOLDEN WAVE TRADING LTD' });
    await addCaseItem(store, c.id, { kind: 'finding', ref: front!.id });
    const [acq] = await ofKind('vessel.acquisition');
    // A day later the front company is found again under a new id (its start is the date of the run).
    const next = await step('2026-09-02');
    const again = next.find((f) => f.kind === 'network.front_company');
    expect(again?.id).not.toBe(front!.id);
    expect(ownershipRetired.superseded).toEqual([front!.id]);
    const kept = await store.getFinding(front!.id);
    expect(kept?.explanation).toBe(front!.explanation);
    expect(kept?.details?.superseded).toEqual({ at: expect.any(String), reason: SUPERSEDED_REASON });
    expect((await getCase(store, c.id)).items.map((i) => i.ref)).toEqual([front!.id]);
    // The acquisition's id does not depend on the date: it is found again, neither removed nor superseded.
    expect(next.some((f) => f.id === acq!.id)).toBe(true);
    expect(ownershipRetired.removed).toEqual([]);
    expect((await ofKind('network.front_company')).map((f) => f.id).sort()).toEqual([front!.id, again!.id].sort());
  });
});
