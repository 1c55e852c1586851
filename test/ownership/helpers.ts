import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ListFormat } from '../../src/lists/formats.js';
import { importList } from '../../src/lists/import.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'ownership');

export const LISTS: Array<[string, ListFormat, string]> = [
  [dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'), 'ofac-csv', '2024-05-03T00:00:00.000Z'],
  [dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'), 'un-xml', '2026-02-27T00:00:00.000Z'],
  [dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml'), 'uk-yaml', '2026-08-22T00:00:00.000Z'],
  [dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml'), 'eu-yaml', '2026-05-01T00:00:00.000Z'],
];

/** A temporary DuckDB store with the four real lists and, optionally, the ownership fixtures. */
export async function listsStore(
  withFixtures: boolean,
): Promise<{ store: Store; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-ownership-'));
  const store = await openStore({ url: path.join(dir, 'test.duckdb') });
  for (const [file, format, fetchedAt] of LISTS) await importList(store, file, { format, fetchedAt });
  if (withFixtures) {
    await importOwnershipFile(store, path.join(FIXTURES, 'registry.csv'), { fetchedAt: '2026-09-01T00:00:00.000Z' });
    await importOwnershipFile(store, path.join(FIXTURES, 'chains.ftm.jsonl'), {
      fetchedAt: '2026-09-01T00:00:00.000Z',
    });
  }
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
