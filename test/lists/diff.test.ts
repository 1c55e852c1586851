import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffStatements, resolveVersion } from '../../src/lists/diff.js';
import { importList } from '../../src/lists/import.js';
import type { Statement } from '../../src/model/statement.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

describe('lists diff: OFAC CSV set 2021-07-07 → sdn.csv 2024-05-03', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-diff-'));
  let store: Store;
  let from: Statement[] = [];
  let to: Statement[] = [];
  beforeAll(async () => {
    store = await openStore({ url: path.join(dir, 'diff.duckdb') });
    await importList(store, dataPath('sanctions', 'ofac', 'csv_set_2021-07-07'), {
      fetchedAt: '2021-07-07T00:00:00.000Z',
    });
    await importList(store, dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'), {
      fetchedAt: '2024-05-03T00:00:00.000Z',
    });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('resolves versions by id, prefix and source name (the current one)', async () => {
    expect((await resolveVersion(store, 'us_ofac_sdn@702bba4bfa9c')).recordCount).toBe(8976);
    expect((await resolveVersion(store, 'us_ofac_sdn@702b')).id).toBe('us_ofac_sdn@702bba4bfa9c');
    expect((await resolveVersion(store, 'us_ofac_sdn')).id).toBe('us_ofac_sdn@210ca6b4a818');
    await expect(resolveVersion(store, 'un_sc')).rejects.toThrow('no list version "un_sc"');
  });

  it('counts the real added, removed and changed designations', { timeout: 120_000 }, async () => {
    // What diffVersions does, with the statements kept for the next test (reading 437k statements twice is slow).
    from = await store.statementsForVersion((await resolveVersion(store, 'us_ofac_sdn@702b')).id);
    to = await store.statementsForVersion((await resolveVersion(store, 'us_ofac_sdn')).id);
    const d = diffStatements(from, to);
    expect(d.added).toHaveLength(7078);
    expect(d.removed).toHaveLength(898);
    expect(d.changed).toHaveLength(6835);
    expect(d.unchanged).toBe(1338);
    const bySchema = (xs: Array<{ schema: string }>) =>
      xs.reduce<Record<string, number>>((m, x) => {
        m[x.schema] = (m[x.schema] ?? 0) + 1;
        return m;
      }, {});
    expect(bySchema(d.added)).toEqual({
      Organization: 3584,
      Person: 2725,
      Vessel: 461,
      Airplane: 100,
      CryptoWallet: 208,
    });
    expect(bySchema(d.removed)).toEqual({ Organization: 373, Person: 491, Vessel: 16, Airplane: 1, CryptoWallet: 17 });
    // The 2021 set carries addresses (add.csv) and aliases (alt.csv) that a lone sdn.csv does not.
    expect(d.changedProps.address).toBe(5905);
    expect(d.changedProps.alias).toBe(3794);
  });

  it('limits "changed" to chosen properties: renames and program changes', async () => {
    // The same statements, compared on two properties only.
    const d = diffStatements(from, to, { props: ['name', 'programId'] });
    expect(d.added).toHaveLength(7078);
    expect(d.changedProps).toEqual({ name: 60, programId: 150 });
    expect(d.changed).toHaveLength(170);
    expect(d.changed.find((c) => c.id === 'ofac-10405')?.changes).toEqual([
      { prop: 'programId', added: ['SDGT'], removed: ['SDNTK'] },
    ]);
  });
});
