import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { detectFormat } from '../../src/lists/formats.js';
import { importList } from '../../src/lists/import.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

const UN = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');
const EU = dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml');
const UK = dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml');
const FTM = path.join(import.meta.dirname, '..', 'fixtures', 'lists', 'dprk_sample.ftm.jsonl');

describe('list import into the store', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-lists-'));
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ url: path.join(dir, 'lists.duckdb') });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('detects every bundled format from the content', () => {
    expect(detectFormat(UN)).toBe('un-xml');
    expect(detectFormat(dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'))).toBe('ofac-csv');
    expect(detectFormat(dataPath('sanctions', 'ofac', 'csv_set_2021-07-07'))).toBe('ofac-csv');
    expect(detectFormat(EU)).toBe('eu-yaml');
    expect(detectFormat(UK)).toBe('uk-yaml');
    expect(detectFormat(FTM)).toBe('ftm');
    expect(() => detectFormat(dataPath('sanctions', 'PROVENANCE.md'))).toThrow(/cannot tell the list format/);
  });

  it('imports the UN list as one version dated by the list itself, and refuses nothing on re-import', async () => {
    const r = await importList(store, UN);
    expect(r.created).toBe(true);
    expect(r.version).toMatchObject({
      id: 'un_sc@66b392a40908',
      source: 'un_sc_sanctions',
      format: 'un-xml',
      fetchedAt: '2026-02-27T00:00:09.554Z',
      recordCount: 1003,
      statementCount: 26214,
    });
    const again = await importList(store, UN);
    expect(again.created).toBe(false);
    expect(again.version.id).toBe('un_sc@66b392a40908');
    const kpi1 = await store.getEntity('un-kpi-001');
    expect(kpi1?.first('name')).toBe('YUN HO-JIN');
    expect(kpi1?.statements[0]?.sourceRecord).toBe('un_sc_consolidated_2026-02-27.xml:8862#KPi.001');
    const refs = await store.entitiesReferencing('un-kpi-001');
    expect(refs.map((e) => e.schema)).toContain('Sanction');
  });

  it('rejects a malformed UN file with file:line and keeps the previous version current', async () => {
    const lines = readFileSync(UN, 'utf8').split('\n');
    lines[20000] = '<BROKEN';
    const bad = path.join(dir, 'un_broken.xml');
    writeFileSync(bad, lines.join('\n'));
    await expect(importList(store, bad)).rejects.toThrow(InputError);
    await expect(importList(store, bad)).rejects.toThrow(/^un_broken\.xml:\d+: malformed XML/);
    const current = await store.currentVersions();
    expect(current.map((v) => v.id)).toEqual(['un_sc@66b392a40908']);
    expect(await store.listVersions('un_sc')).toHaveLength(1);
  });

  it('imports the EU and UK DPRK lists; their UN reference numbers join to UN entries', async () => {
    const eu = await importList(store, EU);
    const uk = await importList(store, UK);
    expect(eu.version).toMatchObject({ id: 'eu_fsf@300397b293de', recordCount: 255 });
    expect(uk.version).toMatchObject({ id: 'gb_ofsi@b460586feeb5', recordCount: 261 });
    expect(eu.stats.counts).toMatchObject({ Person: 159, Organization: 96, unReferences: 18, 'names.KO': 36 });
    expect(uk.stats.counts).toMatchObject({ Person: 138, Organization: 86, Vessel: 37, unReferences: 155 });
    const statements = await store.currentStatements();
    const unRefs = new Map<string, string>();
    for (const s of statements)
      if (s.source === 'un_sc_sanctions' && s.prop === 'idNumber' && /^[A-Z]{2}[ie]\.\d+$/.test(s.value))
        unRefs.set(s.value, s.entityId);
    const joined = (source: string) =>
      new Set(
        statements
          .filter((s) => s.source === source && s.prop === 'idNumber' && unRefs.has(s.value))
          .map((s) => s.value),
      );
    expect(joined('gb_hmt_sanctions').size).toBe(155);
    // 18 EU entries carry a UN number; KPi.045 is on two of them.
    expect(joined('eu_fsf').size).toBe(17);
    // A Hangul name from the EU list, on the entry that carries a UN number.
    const hangul = statements.filter(
      (s) => s.source === 'eu_fsf' && s.prop === 'alias' && /[\uac00-\ud7af]/.test(s.value),
    );
    expect(hangul.length).toBeGreaterThanOrEqual(30);
  });

  it('streams FtM JSON lines; a bad line rolls the whole import back', async () => {
    const lines = readFileSync(FTM, 'utf8').trimEnd().split('\n');
    const bad = path.join(dir, 'bad.ftm.jsonl');
    writeFileSync(bad, `${lines[0]}\n${lines[1]}\n{"id": "x", "schema": "Vessel", "properties": {"name": [null]}}\n`);
    await expect(importList(store, bad, { source: 'bad_ftm' })).rejects.toThrow(
      'bad.ftm.jsonl:3: properties.name[0] must be a string, found null',
    );
    expect(await store.listVersions('bad_ftm')).toEqual([]);
    expect(await store.getEntity('NK-sample-komid')).toBeUndefined();
  });

  it('leaves out FtM lines of a schema the model lacks, with a count, and refuses them when strict', async () => {
    const lines = readFileSync(FTM, 'utf8').trimEnd().split('\n');
    const old = path.join(dir, 'old.ftm.jsonl');
    writeFileSync(old, `${lines[0]}\n{"id": "x", "schema": "Assessment", "properties": {"name": ["Review"]}}\n`);
    await expect(importList(store, old, { source: 'old_ftm', unknownProperties: 'error' })).rejects.toThrow(
      'old.ftm.jsonl:2: unknown FtM schema "Assessment"',
    );
    const r = await importList(store, old, { source: 'old_ftm' });
    expect(r.stats.counts.skippedEntities).toBe(1);
    expect(r.stats.warnings).toContain(
      'old.ftm.jsonl:2: schema "Assessment" is not in the bundled FtM model (FtM 4.10.2); left out 1 line(s)',
    );
    expect(r.entityCount).toBe(1);
    expect(await store.getEntity('x')).toBeUndefined();
  });

  it('imports FtM JSON lines keeping their ids', async () => {
    const r = await importList(store, FTM, { source: 'sample' });
    expect(r.version.format).toBe('ftm');
    expect(r.version.recordCount).toBe(3);
    const e = await store.getEntity('NK-sample-komid');
    expect(e?.schema).toBe('Organization');
    expect(e?.get('alias')).toContain('KOMID');
  });
});
