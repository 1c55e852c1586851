import { randomBytes } from 'node:crypto';
import { NotFoundError, UserError } from '../errors.js';
import type { Row, SqlValue } from '../store/db.js';
import { Mutex } from '../store/mutex.js';
import type { Store } from '../store/store.js';
import { caseEntity, normaliseAddressRef } from './subjects.js';
import { CASE_ITEM_KINDS, type CaseItem, type CaseItemKind, type CaseRecord, type CaseSummary } from './types.js';

/**
 * Cases: a title, a summary and an ordered list of items (findings, entities, addresses, notes). Items refer to
 * findings and entities by id, so a case always shows the current evidence; the report freezes it with hashes.
 */

function newId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

function now(): string {
  return new Date().toISOString();
}

function str(v: SqlValue | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

function caseFromRow(r: Row): CaseSummary {
  return {
    id: str(r.id),
    title: str(r.title),
    summary: str(r.summary),
    status: str(r.status) === 'closed' ? 'closed' : 'open',
    createdAt: str(r.created_at),
    updatedAt: str(r.updated_at),
    itemCount: Number(r.item_count ?? 0),
  };
}

function itemFromRow(r: Row): CaseItem {
  return {
    id: str(r.id),
    caseId: str(r.case_id),
    kind: str(r.kind) as CaseItemKind,
    ref: str(r.ref),
    note: r.note === null || r.note === undefined ? null : String(r.note),
    addedAt: str(r.added_at),
  };
}

export async function createCase(store: Store, input: { title: string; summary?: string }): Promise<CaseRecord> {
  const title = input.title?.trim();
  if (!title) throw new UserError('title: a case needs a non-empty title');
  if (title.length > 300) throw new UserError('title: at most 300 characters');
  const id = newId('case');
  const t = now();
  await store.db.query(
    'INSERT INTO cases (id, title, summary, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [id, title, input.summary?.trim() ?? '', 'open', t, t],
  );
  return getCase(store, id);
}

export async function listCases(store: Store): Promise<CaseSummary[]> {
  const rows = await store.db.query(
    `SELECT c.id, c.title, c.summary, c.status, c.created_at, c.updated_at,
            (SELECT COUNT(*) FROM case_items i WHERE i.case_id = c.id) AS item_count
       FROM cases c ORDER BY c.updated_at DESC, c.id`,
  );
  return rows.map(caseFromRow);
}

export async function getCase(store: Store, id: string): Promise<CaseRecord> {
  const rows = await store.db.query('SELECT * FROM cases WHERE id = $1', [id]);
  if (rows.length === 0) throw new NotFoundError(`no case with id "${id}" (list them with: watchkeeper cases list)`);
  const items = (await store.db.query('SELECT * FROM case_items WHERE case_id = $1 ORDER BY seq, added_at', [id])).map(
    itemFromRow,
  );
  return { ...caseFromRow({ ...rows[0]!, item_count: items.length }), items };
}

export async function updateCase(
  store: Store,
  id: string,
  patch: { title?: string; summary?: string; status?: 'open' | 'closed' },
): Promise<CaseRecord> {
  const c = await getCase(store, id);
  const title = patch.title !== undefined ? patch.title.trim() : c.title;
  if (!title) throw new UserError('title: a case needs a non-empty title');
  await store.db.query('UPDATE cases SET title = $1, summary = $2, status = $3, updated_at = $4 WHERE id = $5', [
    title,
    patch.summary !== undefined ? patch.summary.trim() : c.summary,
    patch.status ?? c.status,
    now(),
    id,
  ]);
  return getCase(store, id);
}

export async function deleteCase(store: Store, id: string): Promise<void> {
  await getCase(store, id);
  await store.db.transaction(async (tx) => {
    await tx.query('DELETE FROM case_items WHERE case_id = $1', [id]);
    await tx.query('DELETE FROM cases WHERE id = $1', [id]);
  });
}

/**
 * Add an item. Findings and entities must exist (a case never cites something the store cannot show); adding the
 * same finding/entity/address twice returns the existing item.
 */
export async function addCaseItem(
  store: Store,
  caseId: string,
  input: { kind: string; ref: string; note?: string },
): Promise<CaseItem> {
  // Check-then-insert under one lock per store: 20 concurrent adds of the same finding made 18 items (issue 18).
  let m = itemLocks.get(store.db);
  if (!m) {
    m = new Mutex();
    itemLocks.set(store.db, m);
  }
  return m.run(() => addCaseItemUnlocked(store, caseId, input));
}

const itemLocks = new WeakMap<object, Mutex>();

async function addCaseItemUnlocked(
  store: Store,
  caseId: string,
  input: { kind: string; ref: string; note?: string },
): Promise<CaseItem> {
  const c = await getCase(store, caseId);
  const kind = input.kind as CaseItemKind;
  if (!CASE_ITEM_KINDS.includes(kind)) {
    throw new UserError(`kind: must be one of ${CASE_ITEM_KINDS.join(', ')}, got "${input.kind}"`);
  }
  let ref = (input.ref ?? '').trim();
  if (!ref) throw new UserError(`ref: empty ${kind === 'note' ? 'note text' : `${kind} reference`}`);
  if (kind === 'finding' && !(await store.getFinding(ref))) {
    throw new NotFoundError(`no finding with id "${ref}"`);
  }
  if (kind === 'entity' && !(await caseEntity(store, ref))) {
    throw new NotFoundError(`no entity with id "${ref}"`);
  }
  if (kind === 'address') ref = normaliseAddressRef(ref);
  if (kind !== 'note') {
    const existing = c.items.find((i) => i.kind === kind && i.ref === ref);
    if (existing) return existing;
  }
  const id = newId('item');
  const t = now();
  const seq = c.items.length;
  await store.db.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO case_items (id, case_id, kind, ref, note, added_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, caseId, kind, ref, kind === 'note' ? ref : (input.note?.trim() ?? null), t, seq],
    );
    await tx.query('UPDATE cases SET updated_at = $1 WHERE id = $2', [t, caseId]);
  });
  return { id, caseId, kind, ref, note: kind === 'note' ? ref : (input.note?.trim() ?? null), addedAt: t };
}

export async function removeCaseItem(store: Store, caseId: string, itemId: string): Promise<void> {
  const c = await getCase(store, caseId);
  if (!c.items.some((i) => i.id === itemId)) throw new NotFoundError(`case ${caseId} has no item "${itemId}"`);
  await store.db.query('DELETE FROM case_items WHERE case_id = $1 AND id = $2', [caseId, itemId]);
  await store.db.query('UPDATE cases SET updated_at = $1 WHERE id = $2', [now(), caseId]);
}
