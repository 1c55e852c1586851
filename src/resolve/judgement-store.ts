import type { Db } from '../store/db.js';
import { type Judgement, type Origin, orderedJudgement, type Verdict } from './judgement.js';

/**
 * The judgements table (resolve_judgements). Analyst and imported judgements are appended and never rewritten,
 * so they survive list re-imports and updates; the resolver replaces its own (origin `automatic`) on each run.
 * `ord` orders judgements made in the same millisecond.
 */

let ordClock = 0;
function nextOrd(): number {
  ordClock = Math.max(Date.now() * 1000, ordClock + 1);
  return ordClock;
}

const COLUMNS = 'left_id, right_id, verdict, reason, author, origin, created_at, ord';

export async function addJudgements(db: Db, judgements: Iterable<Judgement>): Promise<number> {
  let n = 0;
  await db.transaction(async (tx) => {
    for (const raw of judgements) {
      const j = orderedJudgement(raw);
      await tx.query(`INSERT INTO resolve_judgements (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        j.left,
        j.right,
        j.verdict,
        j.reason,
        j.author,
        j.origin,
        j.createdAt,
        nextOrd(),
      ]);
      n++;
    }
  });
  return n;
}

/** Bulk insert (the resolver's own judgements, thousands per run). */
export async function insertJudgements(db: Db, judgements: Judgement[]): Promise<void> {
  if (judgements.length === 0) return;
  const base = nextOrd();
  ordClock = base + judgements.length;
  await db.bulkInsert(
    'resolve_judgements',
    [
      { name: 'left_id', type: 'text' },
      { name: 'right_id', type: 'text' },
      { name: 'verdict', type: 'text' },
      { name: 'reason', type: 'text' },
      { name: 'author', type: 'text' },
      { name: 'origin', type: 'text' },
      { name: 'created_at', type: 'text' },
      { name: 'ord', type: 'bigint' },
    ],
    [
      {
        length: judgements.length,
        columns: [
          judgements.map((j) => j.left),
          judgements.map((j) => j.right),
          judgements.map((j) => j.verdict),
          judgements.map((j) => j.reason),
          judgements.map((j) => j.author),
          judgements.map((j) => j.origin),
          judgements.map((j) => j.createdAt),
          BigInt64Array.from(judgements, (_, i) => BigInt(base + i)),
        ],
      },
    ],
  );
}

/** Judgements in the order they were made; `origins` limits to some origins. */
export async function loadJudgements(
  db: Db,
  opts: { origins?: Origin[]; entityId?: string } = {},
): Promise<Judgement[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (opts.origins) {
    where.push(`origin IN (${opts.origins.map((_, i) => `$${params.length + i + 1}`).join(', ')})`);
    params.push(...opts.origins);
  }
  if (opts.entityId) {
    params.push(opts.entityId);
    where.push(`(left_id = $${params.length} OR right_id = $${params.length})`);
  }
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM resolve_judgements ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ord, left_id, right_id`,
    params,
  );
  return rows.map((r) => ({
    left: String(r.left_id),
    right: String(r.right_id),
    verdict: String(r.verdict) as Verdict,
    reason: String(r.reason),
    author: String(r.author),
    origin: String(r.origin) as Origin,
    createdAt: String(r.created_at),
  }));
}

/** Count and newest ord of the non-automatic judgements: part of the resolution fingerprint. */
export async function judgementsFingerprint(db: Db): Promise<string> {
  const rows = await db.query(
    "SELECT COUNT(*) AS n, MAX(ord) AS m FROM resolve_judgements WHERE origin <> 'automatic'",
  );
  return `${String(rows[0]?.n ?? 0)}:${String(rows[0]?.m ?? '')}`;
}
