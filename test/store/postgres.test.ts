import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors.js';
import { openDb, openStore } from '../../src/store/open.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { storeContract } from './contract.js';

const available = postgresAvailable();
let pg: TestPostgres | undefined;

describe.runIf(available)('PostgreSQL store', () => {
  beforeAll(async () => {
    pg = await startTestPostgres('store-contract');
  });
  afterAll(async () => {
    await pg?.stop();
  });

  storeContract('postgres', async () => {
    if (!pg) throw new Error('no PostgreSQL');
    // A clean schema per test: drop everything, then openStore migrates from scratch.
    const db = await openDb(pg.url);
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await db.close();
    return openStore({ url: pg.url });
  });

  describe('opening', () => {
    it('names the server without its password when it does not answer', async () => {
      const err = await openStore({ url: 'postgres://wk:s3cret@127.0.0.1:5/db' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      const msg = (err as Error).message;
      expect(msg).toBe('PostgreSQL at postgres://wk@127.0.0.1:5/db did not answer: connect ECONNREFUSED 127.0.0.1:5');
      expect(msg).not.toContain('s3cret');
    });

    it('reports a missing database in one line', async () => {
      if (!pg) throw new Error('no PostgreSQL');
      const u = new URL(pg.url);
      u.pathname = '/no_such_db';
      u.password = 'pw';
      const err = await openStore({ url: u.toString() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as Error).message).toMatch(
        /^PostgreSQL at postgres:\/\/wk@127\.0\.0\.1:\d+\/no_such_db refused the connection: .*no_such_db/,
      );
      expect((err as Error).message).not.toContain('pw');
    });

    it('keeps migrations across reopen and reports the location without password', async () => {
      if (!pg) throw new Error('no PostgreSQL');
      const a = await openStore({ url: pg.url });
      const first = await a.appliedMigrations();
      await a.close();
      const b = await openStore({ url: pg.url });
      expect(await b.appliedMigrations()).toEqual(first);
      expect(b.kind).toBe('postgres');
      expect(b.location).toBe(pg.url);
      await b.close();
    });
  });
});
