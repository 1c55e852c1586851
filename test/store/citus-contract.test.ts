import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, openStore } from '../../src/store/open.js';
import { citusInfo, isCitus } from '../../src/store/postgres/citus.js';
import { citusAvailable, startTestCitus, type TestCitus } from '../support/citus.js';
import { storeContract } from './contract.js';

/**
 * The store contract on the 3-node Citus cluster (a coordinator and two workers): every test on a fresh schema,
 * migrated with the cluster layout (positions, transfers and findings distributed, small tables as reference
 * tables), exactly as on DuckDB and single-node PostgreSQL.
 */
let cluster: TestCitus | undefined;

describe.runIf(citusAvailable())('Citus store', () => {
  beforeAll(async () => {
    cluster = await startTestCitus();
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('the stores the contract gets have the cluster layout (positions and findings distributed)', async () => {
    const store = await openStore({ url: cluster!.url });
    try {
      expect(await isCitus(store.db)).toBe(true);
      const types = new Map((await citusInfo(store.db)).tables.map((t) => [t.table, t.type]));
      expect(types.get('positions')).toBe('distributed');
      expect(types.get('findings')).toBe('distributed');
      expect(types.get('statements')).toBe('reference');
    } finally {
      await store.close();
    }
  });

  storeContract('postgres', async () => {
    if (!cluster) throw new Error('no cluster');
    // Drop every table the last test made (distributed ones with their shards on the workers); the citus
    // extension's own objects stay, so the schema itself is not dropped.
    const db = await openDb(cluster.url);
    const ours = async (kinds: string) =>
      (
        await db.query(
          `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN (${kinds}) AND NOT c.relispartition
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')`,
        )
      ).map((r) => `"${r.t}"`);
    const tables = await ours("'r', 'p'");
    if (tables.length) await db.exec(`DROP TABLE ${tables.join(', ')} CASCADE`);
    const sequences = await ours("'S'");
    if (sequences.length) await db.exec(`DROP SEQUENCE ${sequences.join(', ')} CASCADE`);
    await db.close();
    return openStore({ url: cluster.url });
  });
});
