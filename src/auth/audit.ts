import type { Db, SqlValue } from '../store/db.js';
import { newId, nowIso } from './users.js';

/**
 * The audit trail: one append-only row per write (who, when, what, from where, and for edits the state before and
 * after). Rows are never updated or deleted (a trigger refuses it on PostgreSQL). Ids sort by time.
 */
export interface AuditEntry {
  id: string;
  ts: string;
  userId: string | null;
  username: string;
  /** session | token | local | cli */
  via: string;
  method: string;
  route: string;
  path: string;
  operation: string | null;
  status: number;
  ip: string | null;
  userAgent: string | null;
  before: unknown;
  after: unknown;
  /** For case writes: the hash of the case log entry the write made (src/cases/log.ts), tying the two together. */
  chainHash: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'ts' | 'chainHash'> & { chainHash?: string | null };

/** Before/after documents are capped so one huge import body does not bloat the trail. */
export const MAX_AUDIT_DOC_CHARS = 64 * 1024;

function docText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > MAX_AUDIT_DOC_CHARS
    ? JSON.stringify({ truncated: true, chars: text.length, head: text.slice(0, 1024) })
    : text;
}

function parseDoc(v: SqlValue | undefined): unknown {
  if (v === null || v === undefined) return null;
  try {
    return JSON.parse(String(v));
  } catch {
    return String(v);
  }
}

export async function appendAudit(db: Db, e: NewAuditEntry): Promise<string> {
  const ts = nowIso();
  const id = `${ts}-${newId('a')}`;
  await db.query(
    `INSERT INTO audit_log (id, ts, user_id, username, via, method, route, path, operation, status, ip, user_agent,
       before_json, after_json, chain_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      id,
      ts,
      e.userId,
      e.username,
      e.via,
      e.method,
      e.route,
      e.path.slice(0, 2000),
      e.operation,
      e.status,
      e.ip,
      e.userAgent?.slice(0, 500) ?? null,
      docText(e.before),
      docText(e.after),
      e.chainHash ?? null,
    ],
  );
  return id;
}

export interface AuditQuery {
  limit?: number;
  offset?: number;
  username?: string;
  since?: string;
}

export async function listAudit(db: Db, q: AuditQuery = {}): Promise<{ total: number; results: AuditEntry[] }> {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (q.username) {
    params.push(q.username);
    where.push(`username = $${params.length}`);
  }
  if (q.since) {
    params.push(q.since);
    where.push(`ts >= $${params.length}`);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = Number((await db.query(`SELECT COUNT(*) AS n FROM audit_log ${w}`, params))[0]?.n ?? 0);
  const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 10_000);
  const offset = Math.max(0, Math.trunc(q.offset ?? 0));
  const rows = await db.query(`SELECT * FROM audit_log ${w} ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`, params);
  return {
    total,
    results: rows.map((r) => ({
      id: String(r.id),
      ts: String(r.ts),
      userId: r.user_id === null ? null : String(r.user_id),
      username: String(r.username),
      via: String(r.via),
      method: String(r.method),
      route: String(r.route),
      path: String(r.path),
      operation: r.operation === null ? null : String(r.operation),
      status: Number(r.status),
      ip: r.ip === null ? null : String(r.ip),
      userAgent: r.user_agent === null ? null : String(r.user_agent),
      before: parseDoc(r.before_json),
      after: parseDoc(r.after_json),
      chainHash: r.chain_hash === null || r.chain_hash === undefined ? null : String(r.chain_hash),
    })),
  };
}
