import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserEntity, removeUserEntity } from '../../src/entities/user-entities.js';
import { addUserLink, removeUserLink, userLinksOf } from '../../src/entities/user-links.js';
import { userStatements, userVersion } from '../../src/entities/user-store.js';
import { canonicalIdOf } from '../../src/resolve/canonical.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { seedFixtureLists } from '../screening/helpers.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/**
 * The user dataset on PostgreSQL: each change replaces the dataset's version inside one transaction (delete the old
 * version, add the new one), and a same-as goes through the judgements table, as on DuckDB.
 */
const available = postgresAvailable();
let pg: TestPostgres | undefined;
let store: Store;

describe.runIf(available)('user entities and links on PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startTestPostgres('user-entities');
    if (!pg) throw new Error('no PostgreSQL');
    store = await openStore({ url: pg.url });
    await seedFixtureLists(store);
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await pg?.stop();
  });

  it('creates, links, merges and removes with one version of the user dataset at a time', async () => {
    const alice = { user: 'alice', at: '2026-12-06T01:00:00.000Z' };
    const { entity: company } = await createUserEntity(
      store,
      { schema: 'Company', properties: { name: ['Haegeumgang Trading Front Ltd'], country: ['kp'] } },
      alice,
    );
    const { entity: person } = await createUserEntity(
      store,
      { schema: 'Person', properties: { name: ['Kim Yong Chol'] } },
      { ...alice, at: '2026-12-06T01:00:01.000Z' },
    );
    const owned = await addUserLink(
      store,
      company.id,
      { type: 'owned_by', target: 'un-kpe-030', percentage: '0.5' },
      { ...alice, at: '2026-12-06T01:00:02.000Z' },
    );
    expect(owned).toMatchObject({ schema: 'Ownership', percentage: '0.5%', target_caption: 'OFFICE 39' });
    const v = await userVersion(store);
    expect(await store.listVersions('user')).toEqual([v]);
    expect(v).toMatchObject({ recordCount: 3, statementCount: 6 });

    const same = await addUserLink(store, person.id, { type: 'same_as', target: 'un-kpi-024' }, alice);
    expect(same.canonical.entity).toBe(same.canonical.target);
    expect(await canonicalIdOf(store, 'un-kpi-024')).toBe(same.canonical.entity);
    await removeUserLink(store, person.id, same.id, alice);
    expect(await canonicalIdOf(store, 'un-kpi-024')).toBe('un-kpi-024');

    expect((await userLinksOf(store, 'un-kpe-030')).map((l) => [l.type, l.target])).toEqual([['owns', company.id]]);
    const removed = await removeUserEntity(store, company.id);
    expect(removed).toMatchObject({ statements: 2, links: [owned.id] });
    expect((await userStatements(store)).map((s) => s.entityId)).toEqual([person.id]);
    expect(await store.listVersions('user')).toHaveLength(1);
  }, 120_000);

  it('two processes creating entities at once: every POST /entities lands, in one version', async () => {
    // Each change reads the dataset and writes it back whole; a second store on the same database stands for a
    // second process (its own mutex and pool). Without the advisory lock of editUserDataset, 4 of these 8 landed.
    const other = await openStore({ url: pg!.url });
    try {
      const before = new Set((await userStatements(store)).map((s) => s.entityId));
      const names = ['Haegeumgang Trading', 'Korea Sobaeksu Trading', 'Chonsong Shipping', 'Pyongyang Ocean Line'];
      const created = await Promise.all(
        names.flatMap((name, k) =>
          (
            [
              [store, 'alice'],
              [other, 'bob'],
            ] as const
          ).map(([s, user]) =>
            createUserEntity(
              s,
              { schema: 'Company', properties: { name: [`${name} ${user}`] } },
              { user, at: `2026-12-06T04:0${k}:00.000Z` },
            ),
          ),
        ),
      );
      const ids = created.map((c) => c.entity.id);
      expect(new Set(ids).size).toBe(8);
      for (const s of [store, other]) {
        const stored = await userStatements(s);
        expect(new Set(stored.map((x) => x.entityId))).toEqual(new Set([...before, ...ids]));
        expect(await s.listVersions('user')).toHaveLength(1);
      }
    } finally {
      await other.close();
    }
  });
});
