import { randomBytes } from 'node:crypto';
import { NotFoundError, UserError } from '../errors.js';
import type { Row, SqlValue } from '../store/db.js';
import { Mutex } from '../store/mutex.js';
import type { Store } from '../store/store.js';
import { caseSnapshot } from './attachments.js';
import { appendCaseLog, type CaseActor, LOCAL_ACTOR } from './log.js';
import { caseEntity, normaliseAddressRef } from './subjects.js';
import { CASE_ITEM_KINDS, type CaseItem, type CaseItemKind, type CaseRecord, type CaseSummary } from './types.js';

/**
 * Cases: a title, a summary and an ordered list of items (findings, entities, addresses, notes). Items refer to
 * findings and entities by id, so a case always shows the current evidence; the report freezes it with hashes.
 * Every change is written with its case log entry in one transaction (src/cases/log.ts); `actor` says who.
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

export async function createCase(
  store: Store,
  input: { title: string; summary?: string },
  actor: CaseActor = LOCAL_ACTOR,
): Promise<CaseRecord> {
  const title = input.title?.trim();
  if (!title) throw new UserError('title: a case needs a non-empty title');
  if (title.length > 300) throw new UserError('title: at most 300 characters');
  const id = newId('case');
  const t = now();
  const summary = input.summary?.trim() ?? '';
  await store.db.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO cases (id, title, summary, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [id, title, summary, 'open', t, t],
    );
    await appendCaseLog(tx, id, actor, 'case.create', id, { title, summary, status: 'open' });
  });
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
  actor: CaseActor = LOCAL_ACTOR,
): Promise<CaseRecord> {
  const c = await getCase(store, id);
  const title = patch.title !== undefined ? patch.title.trim() : c.title;
  if (!title) throw new UserError('title: a case needs a non-empty title');
  const next = {
    title,
    summary: patch.summary !== undefined ? patch.summary.trim() : c.summary,
    status: patch.status ?? c.status,
  };
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  for (const k of ['title', 'summary', 'status'] as const) {
    if (next[k] !== c[k]) {
      before[k] = c[k];
      after[k] = next[k];
    }
  }
  await store.db.transaction(async (tx) => {
    await appendCaseLog(tx, id, actor, 'case.update', id, { before, after }, () => caseSnapshot(tx, id));
    await tx.query('UPDATE cases SET title = $1, summary = $2, status = $3, updated_at = $4 WHERE id = $5', [
      next.title,
      next.summary,
      next.status,
      now(),
      id,
    ]);
  });
  return getCase(store, id);
}

/** Delete a case, its items and attachment rows. Its log is kept, ending with a `case.delete` entry. */
export async function deleteCase(store: Store, id: string, actor: CaseActor = LOCAL_ACTOR): Promise<void> {
  const c = await getCase(store, id);
  await store.db.transaction(async (tx) => {
    await appendCaseLog(tx, id, actor, 'case.delete', id, { title: c.title, items: c.items.length }, () =>
      caseSnapshot(tx, id),
    );
    await tx.query('DELETE FROM case_items WHERE case_id = $1', [id]);
    await tx.query('DELETE FROM case_attachments WHERE case_id = $1', [id]);
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
  actor: CaseActor = LOCAL_ACTOR,
): Promise<CaseItem> {
  // Check-then-insert under one lock per store: 20 concurrent adds of the same finding made 18 items (issue 18).
  let m = itemLocks.get(store.db);
  if (!m) {
    m = new Mutex();
    itemLocks.set(store.db, m);
  }
  return m.run(() => addCaseItemUnlocked(store, caseId, input, actor));
}

const itemLocks = new WeakMap<object, Mutex>();

async function addCaseItemUnlocked(
  store: Store,
  caseId: string,
  input: { kind: string; ref: string; note?: string },
  actor: CaseActor,
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
  const note = kind === 'note' ? ref : (input.note?.trim() ?? null);
  await store.db.transaction(async (tx) => {
    await appendCaseLog(tx, caseId, actor, 'item.add', id, { kind, ref, note }, () => caseSnapshot(tx, caseId));
    await tx.query(
      'INSERT INTO case_items (id, case_id, kind, ref, note, added_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, caseId, kind, ref, note, t, seq],
    );
    await tx.query('UPDATE cases SET updated_at = $1 WHERE id = $2', [t, caseId]);
  });
  return { id, caseId, kind, ref, note, addedAt: t };
}

export async function removeCaseItem(
  store: Store,
  caseId: string,
  itemId: string,
  actor: CaseActor = LOCAL_ACTOR,
): Promise<void> {
  const c = await getCase(store, caseId);
  const item = c.items.find((i) => i.id === itemId);
  if (!item) throw new NotFoundError(`case ${caseId} has no item "${itemId}"`);
  await store.db.transaction(async (tx) => {
    await appendCaseLog(
      tx,
      caseId,
      actor,
      'item.remove',
      itemId,
      { kind: item.kind, ref: item.ref, note: item.note },
      () => caseSnapshot(tx, caseId),
    );
    await tx.query('DELETE FROM case_items WHERE case_id = $1 AND id = $2', [caseId, itemId]);
    await tx.query('UPDATE cases SET updated_at = $1 WHERE id = $2', [now(), caseId]);
  });
}
