import type { ColumnBatch, ColumnSpec, Db, Row, SqlValue } from '../store/db.js';
import type { Store } from '../store/store.js';

/**
 * A store whose every write can be stopped: the importers run unchanged over it, and a cancel makes their next
 * statement throw `ImportCancelledError` (and the transaction's end too, before it commits), so the transaction
 * rolls back and the import writes nothing. Every importer does all its writes in one `db.transaction`
 * (docs/CONVENTIONS.md), so a cancel at any point leaves the store as it was.
 */

export class ImportCancelledError extends Error {
  constructor() {
    super('import cancelled');
    this.name = 'ImportCancelledError';
  }
}

/** Called before each statement; throws to stop. May wait (a test holds a job at a known point). */
export type WriteGate = (what: string) => void | Promise<void>;

class CancellableDb implements Db {
  constructor(
    private readonly inner: Db,
    private readonly gate: WriteGate,
  ) {}

  get dialect() {
    return this.inner.dialect;
  }
  get location() {
    return this.inner.location;
  }

  async query<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]> {
    await this.gate(sql.trimStart().slice(0, 40));
    return this.inner.query<T>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.gate(sql.trimStart().slice(0, 40));
    return this.inner.exec(sql);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    await this.gate('BEGIN');
    return this.inner.transaction(async (tx) => {
      const out = await fn(tx === this.inner ? this : new CancellableDb(tx, this.gate));
      // The last chance: a cancel that came during the import stops it here, before the commit.
      await this.gate('COMMIT');
      return out;
    });
  }

  async bulkInsert(
    table: string,
    columns: ColumnSpec[],
    batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  ): Promise<number> {
    await this.gate(`bulk ${table}`);
    return this.inner.bulkInsert(table, columns, batches);
  }

  close(): Promise<void> {
    throw new Error('an import does not close the store');
  }
}

/** `store` seen through a gate on every write; reads go through it too (they are cheap to check). */
export function cancellableStore(store: Store, gate: WriteGate): Store {
  const db = new CancellableDb(store.db, gate);
  return Object.create(store, { db: { value: db, enumerable: true } }) as Store;
}
