import { createHash } from 'node:crypto';
import type { Db, Row, SqlValue } from '../store/db.js';
import { canonicalJson } from '../util/canonical-json.js';

export { canonicalJson };

/**
 * A case's log as a hash chain: every change to a case (created, edited, deleted; items and notes added or
 * removed; attachments added or removed) is one entry, written in the same transaction as the change. Each entry
 * stores the previous entry's hash, and
 *
 *     hash = sha256( canonical JSON of {action, actor, caseId, detail, prevHash, seq, target, ts} )
 *
 * (keys sorted, no whitespace, UTF-8; the first entry's prevHash is 64 zeros). Changing, removing or reordering
 * any entry breaks every hash after it, so the head hash (the last entry's) pins the whole history: it is quoted in
 * exported bundles and carried by the audit trail row of the request that made the change.
 */

export const GENESIS_HASH = '0'.repeat(64);

export type CaseLogAction =
  | 'log.start'
  | 'case.create'
  | 'case.update'
  | 'case.delete'
  | 'item.add'
  | 'item.remove'
  | 'attachment.add'
  | 'attachment.update'
  | 'attachment.remove';

export interface CaseLogEntry {
  caseId: string;
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  ts: string;
  /** Who: the signed-in user's name, `local` on a single-user server, `cli:<os user>` from the command line. */
  actor: string;
  action: CaseLogAction;
  /** The item id, attachment sha256 or case id the change concerns. */
  target: string | null;
  /** What changed: the added item or attachment, the fields before and after an edit. */
  detail: unknown;
  prevHash: string;
  hash: string;
}

/** Who makes a change, and where the hashes of the entries it wrote are collected (for the audit trail). */
export interface CaseActor {
  name: string;
  /** Filled with the hash of every log entry written on this actor's behalf, in order. */
  hashes?: string[];
}

export const LOCAL_ACTOR: CaseActor = { name: 'local' };

export function entryHash(e: Omit<CaseLogEntry, 'hash'>): string {
  const body = canonicalJson({
    action: e.action,
    actor: e.actor,
    caseId: e.caseId,
    detail: e.detail ?? null,
    prevHash: e.prevHash,
    seq: e.seq,
    target: e.target,
    ts: e.ts,
  });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

function str(v: SqlValue | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

function entryFromRow(r: Row): CaseLogEntry {
  let detail: unknown = null;
  try {
    detail = JSON.parse(str(r.detail_json));
  } catch {
    detail = str(r.detail_json);
  }
  return {
    caseId: str(r.case_id),
    seq: Number(r.seq),
    ts: str(r.ts),
    actor: str(r.actor),
    action: str(r.action) as CaseLogAction,
    target: r.target === null || r.target === undefined ? null : String(r.target),
    detail,
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
  };
}

/**
 * Lock the case for the rest of the transaction so two writers never take the same head. DuckDB transactions are
 * serialised per process already; on PostgreSQL the case row is locked (a deleted case has no row: the chain's
 * primary key on (case_id, seq) still refuses a fork).
 */
async function lockCase(tx: Db, caseId: string): Promise<void> {
  if (tx.dialect === 'postgres') await tx.query('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
}

export async function logHead(db: Db, caseId: string): Promise<{ seq: number; hash: string } | null> {
  const rows = await db.query('SELECT seq, hash FROM case_log WHERE case_id = $1 ORDER BY seq DESC LIMIT 1', [caseId]);
  const r = rows[0];
  return r ? { seq: Number(r.seq), hash: str(r.hash) } : null;
}

/**
 * Append one entry. Call inside the transaction that makes the change. A case older than the log gets a
 * `log.start` entry first, holding `snapshot()` (its state when logging began).
 */
export async function appendCaseLog(
  tx: Db,
  caseId: string,
  actor: CaseActor,
  action: CaseLogAction,
  target: string | null,
  detail: unknown,
  snapshot?: () => Promise<unknown>,
): Promise<CaseLogEntry> {
  await lockCase(tx, caseId);
  let head = await logHead(tx, caseId);
  const ts = new Date().toISOString();
  if (!head && action !== 'case.create' && snapshot) {
    const start = await insertEntry(tx, {
      caseId,
      seq: 1,
      ts,
      actor: actor.name,
      action: 'log.start',
      target: caseId,
      detail: { state: await snapshot() },
      prevHash: GENESIS_HASH,
    });
    actor.hashes?.push(start.hash);
    head = { seq: start.seq, hash: start.hash };
  }
  const entry = await insertEntry(tx, {
    caseId,
    seq: (head?.seq ?? 0) + 1,
    ts,
    actor: actor.name,
    action,
    target,
    detail: JSON.parse(canonicalJson(detail ?? null)) as unknown,
    prevHash: head?.hash ?? GENESIS_HASH,
  });
  actor.hashes?.push(entry.hash);
  return entry;
}

async function insertEntry(tx: Db, e: Omit<CaseLogEntry, 'hash'>): Promise<CaseLogEntry> {
  const hash = entryHash(e);
  await tx.query(
    `INSERT INTO case_log (case_id, seq, ts, actor, action, target, detail_json, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.caseId, e.seq, e.ts, e.actor, e.action, e.target, canonicalJson(e.detail ?? null), e.prevHash, hash],
  );
  return { ...e, hash };
}

export async function readCaseLog(db: Db, caseId: string): Promise<CaseLogEntry[]> {
  const rows = await db.query('SELECT * FROM case_log WHERE case_id = $1 ORDER BY seq', [caseId]);
  return rows.map(entryFromRow);
}

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** The last entry's hash (GENESIS_HASH for an empty log). */
  head: string;
  /** The first entry that does not verify, and why. */
  broken: { seq: number; reason: string } | null;
}

/** Re-compute every hash and link. */
export function verifyChain(entries: CaseLogEntry[]): ChainCheck {
  let prev = GENESIS_HASH;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const fail = (reason: string): ChainCheck => ({
      ok: false,
      entries: entries.length,
      head: entries[entries.length - 1]!.hash,
      broken: { seq: e.seq, reason },
    });
    if (e.seq !== i + 1) return fail(`entry ${i + 1} has sequence number ${e.seq}`);
    if (e.prevHash !== prev) return fail(`prev_hash ${e.prevHash} is not the hash of entry ${i} (${prev})`);
    const h = entryHash(e);
    if (h !== e.hash) return fail(`stored hash ${e.hash} does not match its content (${h})`);
    prev = e.hash;
  }
  return { ok: true, entries: entries.length, head: prev, broken: null };
}
