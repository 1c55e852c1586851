import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCaseItem, createCase, getCase } from '../../src/cases/cases.js';
import { buildEvidenceList, loadCaseMaterial } from '../../src/cases/evidence.js';
import { readCaseLog, verifyChain } from '../../src/cases/log.js';
import { datasetAliases, datasetName, versionIdPrefix } from '../../src/lists/dataset-names.js';
import { resolveVersion } from '../../src/lists/diff.js';
import { importList, importSha256, versionId } from '../../src/lists/import.js';
import { resolveSources } from '../../src/lists/update.js';
import { dataPath } from '../../src/paths.js';
import { lastRun, resolveStore } from '../../src/resolve/run.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Datasets are stored under their OpenSanctions names (un_sc_sanctions, gb_hmt_sanctions); the old names stay
 * accepted, version ids keep the old prefix, and migration 0110 renames the rows of a store made before.
 */

const UN = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');

/** A two-entry UN list cut from the real one (KPi.001 and KPi.013), as a UN XML file. */
function smallUnList(dir: string): string {
  const xml = readFileSync(UN, 'utf8');
  const head = xml.slice(0, xml.indexOf('<INDIVIDUALS>') + '<INDIVIDUALS>'.length);
  const blocks = [...xml.matchAll(/<INDIVIDUAL>[\s\S]*?<\/INDIVIDUAL>/g)]
    .map((m) => m[0])
    .filter((b) => /<REFERENCE_NUMBER>KPi\.0(01|13)<\/REFERENCE_NUMBER>/.test(b));
  expect(blocks).toHaveLength(2);
  const file = path.join(dir, 'un_small.xml');
  writeFileSync(file, `${head}\n${blocks.join('\n')}\n</INDIVIDUALS>\n<ENTITIES></ENTITIES>\n</CONSOLIDATED_LIST>\n`);
  return file;
}

describe('dataset names as OpenSanctions spells them', () => {
  it('maps both spellings to one name, and keeps the old name as the version-id prefix', () => {
    expect(datasetName('un_sc')).toBe('un_sc_sanctions');
    expect(datasetName('gb_ofsi')).toBe('gb_hmt_sanctions');
    expect(datasetName('un_sc_sanctions')).toBe('un_sc_sanctions');
    expect(datasetName('us_ofac_sdn')).toBe('us_ofac_sdn');
    expect(versionIdPrefix('un_sc_sanctions')).toBe('un_sc');
    expect(versionIdPrefix('gb_hmt_sanctions')).toBe('gb_ofsi');
    expect(versionIdPrefix('my_list')).toBe('my_list');
    expect(datasetAliases('gb_ofsi')).toEqual(['gb_hmt_sanctions', 'gb_ofsi']);
    expect(versionId('un_sc_sanctions', 'abcdef0123456789')).toBe('un_sc@abcdef012345');
  });

  it('lists update takes either name; mirrors and the cache keep the old folder names', () => {
    const [un] = resolveSources({ sources: ['un_sc'], baseUrl: 'http://mirror', urls: {} });
    expect(un!.source).toBe('un_sc_sanctions');
    expect(un!.files['consolidated.xml']).toBe('http://mirror/un_sc/consolidated.xml');
    const [over] = resolveSources({ sources: ['un_sc_sanctions'], urls: { un_sc: 'http://other/un.xml' } });
    expect(over!.files['consolidated.xml']).toBe('http://other/un.xml');
  });
});

describe('stored dataset names', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-dataset-names-'));
  const file = smallUnList(dir);
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ url: path.join(dir, 'new.duckdb') });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a new import stores the OpenSanctions name; a re-import under the old name is the same version', async () => {
    const sha = await importSha256([file]);
    const r = await importList(store, file);
    expect(r.created).toBe(true);
    expect(r.version).toMatchObject({ id: `un_sc@${sha.slice(0, 12)}`, source: 'un_sc_sanctions', recordCount: 2 });
    const e = await store.getEntity('un-kpi-013');
    expect(new Set(e!.statements.map((s) => s.source))).toEqual(new Set(['un_sc_sanctions']));
    const again = await importList(store, file, { source: 'un_sc' });
    expect(again.created).toBe(false);
    expect(again.version.id).toBe(r.version.id);
    // Old names select the dataset everywhere a dataset is given.
    expect((await store.listVersions('un_sc')).map((v) => v.id)).toEqual([r.version.id]);
    expect((await store.currentStatements({ sources: ['un_sc'] })).length).toBe(r.version.statementCount);
    expect((await resolveVersion(store, 'un_sc')).id).toBe(r.version.id);
  });
});

describe('migration of a store made before the rename', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-dataset-migrate-'));
  const file = smallUnList(dir);
  const db = path.join(dir, 'old.duckdb');
  let caseId = '';
  let oldId = '';

  beforeAll(async () => {
    // As the old code wrote it: source un_sc on the version and its statements, and a case citing the entity.
    const store = await openStore({ url: db });
    try {
      const r = await importList(store, file);
      oldId = r.version.id;
      await store.db.exec(`UPDATE list_versions SET source = 'un_sc'; UPDATE statements SET source = 'un_sc';
        DELETE FROM schema_migrations WHERE id IN ('0110_opensanctions_dataset_names', '0650_resolve_after_dataset_names')`);
      expect((await store.getEntity('un-kpi-013'))!.statements[0]!.source).toBe('un_sc');
      const c = await createCase(store, { title: 'Choe Chun Sik before the rename' });
      caseId = c.id;
      await addCaseItem(store, caseId, { kind: 'entity', ref: 'un-kpi-013' });
      const m = await loadCaseMaterial(store, await getCase(store, caseId));
      expect([...m.versions.keys()]).toEqual([oldId]);
      await resolveStore(store);
      expect(await lastRun(store)).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('renames the stored names, keeps the version ids, and the old case log still verifies', async () => {
    const store = await openStore({ url: db });
    try {
      // The resolution stored before the rename no longer counts as current.
      const runs = await store.db.query('SELECT fingerprint FROM resolve_runs');
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.every((r) => String(r.fingerprint).startsWith('renamed-datasets '))).toBe(true);
      const v = await store.getListVersion(oldId);
      expect(v).toMatchObject({ id: oldId, source: 'un_sc_sanctions' });
      const e = await store.getEntity('un-kpi-013');
      expect(new Set(e!.statements.map((s) => s.source))).toEqual(new Set(['un_sc_sanctions']));
      expect(new Set(e!.statements.map((s) => s.versionId))).toEqual(new Set([oldId]));

      const log = await readCaseLog(store.db, caseId);
      expect(log.map((x) => x.action)).toEqual(['case.create', 'item.add']);
      expect(verifyChain(log)).toMatchObject({ ok: true, entries: 2 });

      // The case's evidence still finds the version its statements cite, and names the dataset the new way.
      const c = await getCase(store, caseId);
      const m = await loadCaseMaterial(store, c);
      expect([...m.versions.keys()]).toEqual([oldId]);
      expect(m.versions.get(oldId)?.source).toBe('un_sc_sanctions');
      const evidence = JSON.stringify(buildEvidenceList(c, m));
      expect(evidence).toContain(oldId);
      expect(evidence).not.toMatch(/"un_sc"/);

      // The stored resolution (its automatic merges name the datasets) has run again.
      await resolveStore(store);
      expect((await lastRun(store))!.fingerprint).not.toMatch(/^renamed-datasets /);

      // The same file imported again is the same version, under either name.
      const again = await importList(store, file);
      expect(again).toMatchObject({ created: false, version: { id: oldId, source: 'un_sc_sanctions' } });
      expect((await store.listVersions('un_sc')).map((x) => x.id)).toEqual([oldId]);
    } finally {
      await store.close();
    }
  });
});
