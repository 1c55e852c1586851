import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Statement } from '../model/statement.js';
import { resolutionChanged } from '../resolve/canonical.js';
import { Mutex } from '../store/mutex.js';
import type { ListVersion, Store } from '../store/store.js';

/**
 * The user dataset: entities and links an analyst adds by hand (API, web, `entities import --as-user`). It is a
 * dataset like the lists, named `user`, kept as one list version: every change writes a new version holding all the
 * user statements (the older version is removed in the same transaction), so the screening index, the resolver,
 * the ownership network, the graph and every other reader of current list versions pick it up with no special
 * case. Each statement keeps who added it and when in its source record (`user:<name>@<ISO time>`).
 */

export const USER_SOURCE = 'user';
export const USER_FORMAT = 'user';

/** Who adds a statement, and when (ISO-8601 UTC). */
export interface Author {
  user: string;
  at: string;
}

/** A change that conflicts with the stored state (HTTP 409). */
export class ConflictError extends UserError {
  override readonly status = 409;
  override readonly code = 'conflict';
}

/** The source record of a user statement: `user:<name>@<ISO time>`. */
export function userRecord(a: Author): string {
  return `user:${a.user}@${a.at}`;
}

/** Author of a user statement from its source record (the time follows the last `@`: names may hold one). */
export function authorOf(sourceRecord: string): Author {
  const body = sourceRecord.startsWith('user:') ? sourceRecord.slice(5) : sourceRecord;
  const at = body.lastIndexOf('@');
  return at < 0 ? { user: body, at: '' } : { user: body.slice(0, at), at: body.slice(at + 1) };
}

/** One change at a time per store in this process: a change reads the dataset, then writes all of it back. */
const locks = new WeakMap<Store, Mutex>();
function lockOf(store: Store): Mutex {
  let m = locks.get(store);
  if (!m) locks.set(store, (m = new Mutex()));
  return m;
}

/** The current version of the user dataset, if any. */
export async function userVersion(store: Store): Promise<ListVersion | undefined> {
  const rows = await store.listVersions(USER_SOURCE);
  return rows[rows.length - 1];
}

/** Every statement of the user dataset (current version), in the order they were added. */
export async function userStatements(store: Store): Promise<Statement[]> {
  const v = await userVersion(store);
  return v ? store.statementsForVersion(v.id) : [];
}

function digest(statements: Statement[]): string {
  const h = createHash('sha256');
  for (const s of statements)
    h.update(`${s.entityId}\u001f${s.schema}\u001f${s.prop}\u001f${s.value}\u001f${s.sourceRecord}\u001f${s.seenAt}\n`);
  return h.digest('hex');
}

/** PostgreSQL advisory lock key of the user dataset: one change at a time across every process sharing the store. */
const USER_DATASET_LOCK = 7171013;

/**
 * Change the user dataset: `edit` gets its current statements and returns the new ones (or throws to change
 * nothing). The new version replaces the old one atomically; returns what `edit` returned besides the statements.
 *
 * Read, edit and write run in one transaction. On PostgreSQL it first takes a transaction-scoped advisory lock, so
 * two processes (two API servers, a server and `entities import --as-user`) editing at once are serialised: the
 * second reads the dataset only after the first has committed, and both edits land. In one process a mutex does
 * the same (and DuckDB, a single-writer file, has only one process).
 */
export async function editUserDataset<T>(
  store: Store,
  edit: (current: Statement[]) => Promise<{ statements: Statement[]; result: T }>,
): Promise<T> {
  return lockOf(store).run(async () => {
    const { result, changed } = await store.db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(${USER_DATASET_LOCK})`);
      const before = await userVersion(store);
      const current = before ? await store.statementsForVersion(before.id) : [];
      const { statements, result } = await edit(current);
      const sha = digest(statements);
      if (before && before.sha256 === sha) return { result, changed: false };
      const now = new Date().toISOString();
      const id = `${USER_SOURCE}@${sha.slice(0, 16)}`;
      const records = new Set(statements.map((s) => s.entityId)).size;
      const older = await store.listVersions(USER_SOURCE);
      for (const v of older) if (v.id !== id) await store.deleteListVersion(v.id);
      if (statements.length > 0) {
        await store.addListVersion(
          {
            id,
            source: USER_SOURCE,
            format: USER_FORMAT,
            url: null,
            fetchedAt: now,
            importedAt: now,
            sha256: sha,
            recordCount: records,
          },
          statements.map((s) => ({ ...s, source: USER_SOURCE, versionId: id })),
        );
      }
      return { result, changed: true };
    });
    if (changed) resolutionChanged(store);
    return result;
  });
}
