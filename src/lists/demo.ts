import { dataPath } from '../paths.js';
import type { Store } from '../store/store.js';
import { importList } from './import.js';

/** The bundled lists the demo loads, in order: UN, OFAC 2024, then the EU and UK DPRK entries. */
export const DEMO_LISTS = [
  { file: dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'), format: 'un-xml' },
  {
    file: dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'),
    format: 'ofac-csv',
    fetchedAt: '2024-05-03T00:00:00.000Z',
  },
  {
    file: dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml'),
    format: 'eu-yaml',
    fetchedAt: '2026-05-01T00:00:00.000Z',
  },
  {
    file: dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml'),
    format: 'uk-yaml',
    fetchedAt: '2026-08-22T00:00:00.000Z',
  },
] as const;

/** Load the bundled sanctions lists into an empty store; returns one line per thing loaded. */
export async function seedListsDemo(store: Store): Promise<string[]> {
  const lines: string[] = [];
  for (const l of DEMO_LISTS) {
    const r = await importList(store, l.file, {
      format: l.format,
      fetchedAt: 'fetchedAt' in l ? l.fetchedAt : undefined,
    });
    const v = r.version;
    lines.push(
      `${v.id}: ${v.recordCount.toLocaleString('en-US')} records, ${r.entityCount.toLocaleString('en-US')} entities, ` +
        `${v.statementCount.toLocaleString('en-US')} statements${r.created ? '' : ' (already loaded)'}`,
    );
  }
  return lines;
}
