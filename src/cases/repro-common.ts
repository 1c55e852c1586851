import type { EvidenceRef, Finding } from '../findings/finding.js';
import type { Store } from '../store/store.js';
import { canonicalJson } from '../util/canonical-json.js';

/**
 * What every re-run of a recorded finding shares (src/cases/reproduce.ts dispatches by kind): the result shape,
 * the look-up of the evidence a finding cites, and the comparison of the finding with the one the analyser
 * produces again from its recorded parameters.
 */

export type ReproStatus = 'reproduces' | 'differs' | 'not-reproducible' | 'not-rerun';

export interface ReproResult {
  findingId: string;
  kind: string;
  status: ReproStatus;
  message: string;
  /** With `differs`: the first field that differs (`score`, `evidence`, `details.share`, ...). */
  field?: string;
}

export function result(f: Finding, status: ReproStatus, message: string, field?: string): ReproResult {
  return { findingId: f.id, kind: f.kind, status, message, ...(field ? { field } : {}) };
}

/** JSON with sorted keys, after a JSON round trip (so a stored finding and a fresh one compare alike). */
export function canonical(v: unknown): string {
  return canonicalJson(v === undefined ? null : JSON.parse(JSON.stringify(v)));
}

function short(v: unknown): string {
  const s = v === undefined ? 'none' : typeof v === 'string' ? v : canonical(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

const evidenceKeys = (f: Finding) => f.evidence.map((r) => `${r.source}|${r.record}`).sort();

/** The fields in which `again` differs from the recorded `f`, in the order a reader checks them. */
export function differences(f: Finding, again: Finding): Array<{ field: string; now: string; recorded: string }> {
  const out: Array<{ field: string; now: string; recorded: string }> = [];
  const add = (field: string, now: unknown, recorded: unknown) =>
    out.push({ field, now: short(now), recorded: short(recorded) });
  if (f.id !== again.id) add('id', again.id, f.id);
  const a = evidenceKeys(f);
  const b = evidenceKeys(again);
  if (a.join('\n') !== b.join('\n')) {
    const gone = a.filter((x) => !b.includes(x));
    const extra = b.filter((x) => !a.includes(x));
    out.push({
      field: 'evidence',
      now: `${b.length} record(s)${extra.length ? `, new: ${extra.slice(0, 2).join(', ')}` : ''}`,
      recorded: `${a.length}${gone.length ? `, no longer cited: ${gone.slice(0, 2).join(', ')}` : ''}`,
    });
  }
  if (canonical([...f.subjects].sort()) !== canonical([...again.subjects].sort()))
    add('subjects', again.subjects, f.subjects);
  if (f.end !== again.end) add('end', again.end, f.end);
  if (Math.abs(f.score - again.score) > 1e-9) add('score', again.score, f.score);
  if (canonical([...f.redFlags].sort()) !== canonical([...again.redFlags].sort()))
    add('redFlags', again.redFlags, f.redFlags);
  for (const k of [...new Set([...Object.keys(f.params), ...Object.keys(again.params)])].sort()) {
    if (canonical(f.params[k]) !== canonical(again.params[k])) add(`params.${k}`, again.params[k], f.params[k]);
  }
  const d1 = f.details ?? {};
  const d2 = again.details ?? {};
  for (const k of [...new Set([...Object.keys(d1), ...Object.keys(d2)])].sort()) {
    if (canonical(d1[k]) !== canonical(d2[k])) add(`details.${k}`, d2[k], d1[k]);
  }
  if (f.explanation !== again.explanation) add('explanation', again.explanation, f.explanation);
  return out;
}

/**
 * The verdict on a finding re-run by its analyser: `again` is the finding with the same id among what the analyser
 * produced (undefined when it did not produce it). `how` says what was re-run ("re-screened …").
 */
export function compareFindings(f: Finding, again: Finding | undefined, how: string, whyNot?: string): ReproResult {
  if (!again)
    return result(f, 'not-reproducible', `${how}: the finding is not produced again${whyNot ? ` (${whyNot})` : ''}`);
  const diffs = differences(f, again);
  if (diffs.length > 0) {
    const d = diffs[0]!;
    const more =
      diffs.length > 1
        ? `; also ${diffs
            .slice(1)
            .map((x) => x.field)
            .join(', ')}`
        : '';
    return result(
      f,
      'differs',
      `${how}: found again, but ${d.field} differs: ${d.now} now, ${d.recorded} in the finding${more}`,
      d.field,
    );
  }
  return result(
    f,
    'reproduces',
    `${how}: same finding, same ${f.evidence.length} evidence record(s), score and details (${Object.keys(f.params).length} recorded parameter(s))`,
  );
}

// ---- evidence look-ups --------------------------------------------------------------------------------------------

const STATIC_RECORD = /^static:mmsi:(\d+)@(-?\d+)$/;
const TX_RECORD = /^tx:(.+)$/;

/** A static report (`static:mmsi:<mmsi>@<ms>` from an import) still in `vessel_static`. */
export async function hasStatic(store: Store, r: EvidenceRef): Promise<boolean> {
  const m = STATIC_RECORD.exec(r.record);
  if (!m) return true;
  const rows = await store.db.query(
    'SELECT 1 AS x FROM vessel_static WHERE mmsi = $1 AND ts = $2 AND import_id = $3 LIMIT 1',
    [Number(m[1]), Number(m[2]), r.source],
  );
  return rows.length > 0;
}

/** A list or registry entity (statements about it) still in the store. */
export async function hasEntity(store: Store, id: string): Promise<boolean> {
  return (await store.db.query('SELECT 1 AS x FROM statements WHERE entity_id = $1 LIMIT 1', [id])).length > 0;
}

/** A statement record (`source`, `source_record`) or, failing that, an entity with that id. */
export async function hasStatementRecord(store: Store, r: EvidenceRef): Promise<boolean> {
  const rows = await store.db.query(
    'SELECT 1 AS x FROM statements WHERE (source = $1 AND source_record = $2) OR entity_id = $2 LIMIT 1',
    [r.source, r.record],
  );
  return rows.length > 0;
}

/** The transfers of a `tx:<hash>` (account chains) or the transaction (UTXO chains) still in the store. */
export async function hasTransaction(store: Store, r: EvidenceRef): Promise<boolean> {
  const m = TX_RECORD.exec(r.record);
  if (!m || !r.source.startsWith('chain:')) return true;
  const chain = r.source.slice('chain:'.length);
  for (const table of ['crypto_transfers', 'crypto_utxo_txs']) {
    const rows = await store.db.query(
      `SELECT 1 AS x FROM ${table} WHERE chain = $1 AND lower(tx_hash) = lower($2) LIMIT 1`,
      [chain, m[1]!],
    );
    if (rows.length > 0) return true;
  }
  return false;
}

/** The evidence refs a check rejects, as "source record" strings; at most `limit` looked up after the first miss. */
export async function missing(refs: EvidenceRef[], check: (r: EvidenceRef) => Promise<boolean>): Promise<string[]> {
  const out: string[] = [];
  for (const r of refs) if (!(await check(r))) out.push(r.record);
  return out;
}

export function notReproducible(f: Finding, gone: string[], total: number, what: string): ReproResult {
  return result(
    f,
    'not-reproducible',
    `${gone.length} of ${total} ${what} no longer in the store (${gone.slice(0, 3).join(', ')}${gone.length > 3 ? ', …' : ''})`,
  );
}
