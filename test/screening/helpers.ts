import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetName } from '../../src/lists/dataset-names.js';
import { Entity, type FtmEntity } from '../../src/model/entity.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'screening');

/** The real list entries of test/fixtures/screening/entities.ftm.jsonl. */
export function fixtureEntities(): FtmEntity[] {
  return readFileSync(path.join(FIXTURES, 'entities.ftm.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FtmEntity);
}

/** A DuckDB store in a fresh temp dir holding the fixture entities as one UN and one OFAC list version. */
export async function fixtureListStore(prefix: string): Promise<Store> {
  const dir = mkdtempSync(path.join(tmpdir(), `wk-${prefix}-`));
  const store = await openStore({ url: path.join(dir, `${prefix}.duckdb`) });
  await seedFixtureLists(store);
  return store;
}

/** Adds the fixture entities to a store as one UN and one OFAC list version (any engine). */
export async function seedFixtureLists(store: Store): Promise<void> {
  const entities = fixtureEntities();
  // The fixture file names the UN list by its old name; the store keeps the OpenSanctions name (un_sc_sanctions),
  // and version ids keep the old prefix (src/lists/dataset-names.ts).
  for (const old of ['un_sc', 'us_ofac_sdn']) {
    const source = datasetName(old);
    const versionId = `${old}@fixture`;
    const mine = entities.filter((e) => e.datasets?.includes(old));
    const statements = mine.flatMap((e, i) =>
      Entity.statementsFromFtm(e, source, `entities.ftm.jsonl:${i + 1}`, '2024-05-03T00:00:00.000Z', versionId),
    );
    await store.addListVersion(
      {
        id: versionId,
        source,
        format: 'ftm',
        url: null,
        fetchedAt: '2024-05-03T00:00:00.000Z',
        sha256: `fixture-${source}`,
        recordCount: mine.length,
      },
      statements,
    );
  }
}
