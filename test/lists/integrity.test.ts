import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmptyListError, importList } from '../../src/lists/import.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * Empty and shrunken list versions, made from the real bundled lists: a version with no records is refused (it
 * would take every entry of the list off screening) unless asked for, and one with far fewer records than the
 * current version is imported with a warning.
 */

const UN = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');
const OFAC = dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv');
const EU = dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml');
const UK = dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml');
const FTM = path.join(import.meta.dirname, '..', 'fixtures', 'lists', 'dprk_sample.ftm.jsonl');

const unText = readFileSync(UN, 'utf8');
/** The UN list with its first `keep` INDIVIDUAL entries and no ENTITY entries: well-formed, as the UN writes it. */
function unWith(keep: number): string {
  let n = 0;
  return unText
    .replace(/<INDIVIDUAL>[\s\S]*?<\/INDIVIDUAL>\s*/g, (m) => (n++ < keep ? m : ''))
    .replace(/<ENTITY>[\s\S]*?<\/ENTITY>\s*/g, '');
}

describe('empty and shrunken list versions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-integrity-'));
  const file = (name: string, text: string | Buffer): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ url: path.join(dir, 'integrity.duckdb') });
  });
  afterAll(async () => {
    await store?.close();
  });
  const current = async (source: string) => (await store.currentVersions()).find((v) => v.source === source)?.id;

  it('refuses a 0-byte file and a record-less UN list, keeping the current version', async () => {
    const first = await importList(store, UN);
    expect(first.version).toMatchObject({ id: 'un_sc@66b392a40908', recordCount: 1003 });
    expect(first.warnings).toEqual([]);

    const zero = file('consolidated.xml', '');
    await expect(importList(store, zero)).rejects.toThrow(EmptyListError);
    await expect(importList(store, zero, { format: 'un-xml' })).rejects.toThrow(
      'consolidated.xml: empty file (0 bytes); refusing to import an empty list (use --allow-empty',
    );

    const noRecords = file('un_empty.xml', unWith(0));
    expect(unWith(0)).toContain('<CONSOLIDATED_LIST');
    await expect(importList(store, noRecords)).rejects.toThrow(
      'un_empty.xml: no records in this un-xml file; refusing to import an empty un_sc_sanctions list; ' +
        'un_sc@66b392a40908 (1,003 records) stays the current un_sc_sanctions version (use --allow-empty if the list really is empty)',
    );
    // A SYSTEM DTD (allowed: it declares no entities) does not make a record-less file the official list either.
    const systemDtd = file(
      'un_system_dtd.xml',
      unWith(0).replace(
        '<CONSOLIDATED_LIST',
        '<!DOCTYPE CONSOLIDATED_LIST SYSTEM "sc-sanctions.dtd">\n<CONSOLIDATED_LIST',
      ),
    );
    await expect(importList(store, systemDtd)).rejects.toThrow(EmptyListError);
    expect((await store.listVersions('un_sc')).map((v) => v.id)).toEqual(['un_sc@66b392a40908']);
    expect(await current('un_sc_sanctions')).toBe('un_sc@66b392a40908');
  });

  it('warns when a new version has less than half the records of the current one', async () => {
    const truncated = file('un_truncated.xml', unWith(100));
    const r = await importList(store, truncated);
    expect(r.created).toBe(true);
    expect(r.version.recordCount).toBe(100);
    expect(r.warnings).toEqual([
      'un_truncated.xml: 100 records, 90% fewer than the current un_sc_sanctions version un_sc@66b392a40908 (1,003 records); check the file is complete',
    ]);
    // Re-importing a version already in the store checks nothing and writes nothing.
    expect((await importList(store, truncated)).warnings).toEqual([]);
    // 60% of the records is not a large shrink.
    const most = await importList(store, file('un_most.xml', unWith(60)), { source: 'un_sc_most' });
    expect(most.warnings).toEqual([]);
    const fewer = await importList(store, file('un_fewer.xml', unWith(36)), { source: 'un_sc_most' });
    expect(fewer.warnings).toEqual([]);
    const half = await importList(store, file('un_half.xml', unWith(17)), { source: 'un_sc_most' });
    expect(half.warnings[0]).toMatch(/^un_half\.xml: 17 records, 53% fewer than the current un_sc_most version/);
  });

  it('imports an empty UN list only with allowEmpty, and then not under the official URL', async () => {
    const r = await importList(store, file('un_allowed_empty.xml', unWith(0)), { allowEmpty: true });
    expect(r.created).toBe(true);
    expect(r.version).toMatchObject({ recordCount: 0, statementCount: 0, url: null });
    expect(await current('un_sc_sanctions')).toBe(r.version.id);
    await store.deleteListVersion(r.version.id);
  });

  it('refuses record-less OFAC, EU, UK and FtM files and warns on a truncated OFAC file', async () => {
    const full = await importList(store, OFAC);
    expect(full.version.recordCount).toBe(14965);
    // Only the DOS end-of-file byte OFAC appends: well-formed, no records.
    const eofOnly = file('sdn.csv', '\u001a');
    await expect(importList(store, eofOnly, { format: 'ofac-csv' })).rejects.toThrow(
      'sdn.csv: no records in this ofac-csv file; refusing to import an empty us_ofac_sdn list; ' +
        `${full.version.id} (14,965 records) stays the current us_ofac_sdn version`,
    );
    const lines = readFileSync(OFAC, 'latin1').split('\n');
    const cut = file('sdn_cut.csv', Buffer.from(`${lines.slice(0, 5000).join('\n')}\n`, 'latin1'));
    const r = await importList(store, cut, { format: 'ofac-csv' });
    expect(r.version.recordCount).toBe(5000);
    expect(r.warnings[0]).toMatch(/^sdn_cut\.csv: 5,000 records, 67% fewer than the current us_ofac_sdn version/);

    const euHeader = readFileSync(EU, 'utf8').split('\n')[0]!;
    expect(euHeader).toMatch(/^# source: /);
    await expect(importList(store, file('eu_empty.yaml', `${euHeader}\n---\n`), { format: 'eu-yaml' })).rejects.toThrow(
      'eu_empty.yaml: no records in this eu-yaml file; refusing to import an empty eu_fsf list',
    );
    const ukHeader = readFileSync(UK, 'utf8').split('\n')[0]!;
    await expect(importList(store, file('uk_empty.yaml', `${ukHeader}\n---\n`), { format: 'uk-yaml' })).rejects.toThrow(
      'uk_empty.yaml: no records in this uk-yaml file; refusing to import an empty gb_hmt_sanctions list',
    );
    await expect(importList(store, file('blank.ftm.json', '\n  \n\n'), { format: 'ftm' })).rejects.toThrow(
      'blank.ftm.json: no records in this ftm file; refusing to import an empty opensanctions list',
    );
    expect(await store.listVersions('eu_fsf')).toEqual([]);
    expect(await store.listVersions('gb_ofsi')).toEqual([]);
    expect(await store.listVersions('opensanctions')).toEqual([]);
    const ftm = await importList(store, FTM, { source: 'sample' });
    expect(ftm.version.recordCount).toBe(3);
    // A truncated .gz download: one line naming the file, nothing written.
    const gz = gzipSync(readFileSync(FTM));
    const cutGz = file('cut.ftm.json.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    await expect(importList(store, cutGz, { source: 'cut' })).rejects.toThrow(
      /^cut\.ftm\.json\.gz(:\d+)?: cannot read the file \(unexpected end of file\)$/,
    );
    expect(await store.listVersions('cut')).toEqual([]);
  });
});
