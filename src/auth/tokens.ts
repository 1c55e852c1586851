import { randomBytes } from 'node:crypto';
import { NotFoundError, UserError } from '../errors.js';
import type { Db, Row } from '../store/db.js';
import { newId, nowIso, sha256 } from './users.js';

/**
 * API tokens for programs: `wk_` + 32 random bytes. Only their SHA-256 is stored, so the token is shown once, at
 * creation. Scope `read` acts as a viewer; `write` acts with the user's role up to analyst (admin routes need a
 * person's session).
 */
export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  scope: TokenScope;
  createdAt: string;
  revokedAt: string | null;
}

function tokenFromRow(r: Row): ApiToken {
  return {
    id: String(r.id),
    userId: String(r.user_id),
    name: String(r.name),
    scope: String(r.scope) === 'write' ? 'write' : 'read',
    createdAt: String(r.created_at),
    revokedAt: r.revoked_at === null || r.revoked_at === undefined ? null : String(r.revoked_at),
  };
}

export function parseScope(value: string): TokenScope {
  if ((TOKEN_SCOPES as readonly string[]).includes(value)) return value as TokenScope;
  throw new UserError(`scope: must be read or write, got "${value}"`);
}

export async function createToken(
  db: Db,
  userId: string,
  input: { name: string; scope: TokenScope },
): Promise<{ token: string; record: ApiToken }> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw new UserError('name: 1-100 characters');
  const scope = parseScope(input.scope);
  const token = `wk_${randomBytes(32).toString('base64url')}`;
  const id = newId('tok');
  await db.query(
    'INSERT INTO api_tokens (id, user_id, name, token_hash, scope, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)',
    [id, userId, name, sha256(token), scope, nowIso()],
  );
  const rows = await db.query('SELECT * FROM api_tokens WHERE id = $1', [id]);
  return { token, record: tokenFromRow(rows[0]!) };
}

export async function listTokens(db: Db, userId?: string): Promise<ApiToken[]> {
  const rows = userId
    ? await db.query('SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id', [userId])
    : await db.query('SELECT * FROM api_tokens ORDER BY created_at, id');
  return rows.map(tokenFromRow);
}

/** Revoke a token; `userId` limits it to that user's tokens (a token of someone else is "not found"). */
export async function revokeToken(db: Db, id: string, userId?: string): Promise<ApiToken> {
  const rows = await db.query('SELECT * FROM api_tokens WHERE id = $1', [id]);
  const t = rows[0] ? tokenFromRow(rows[0]) : undefined;
  if (!t || (userId !== undefined && t.userId !== userId)) throw new NotFoundError(`no token with id "${id}"`);
  if (t.revokedAt) return t;
  await db.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2', [nowIso(), id]);
  return { ...t, revokedAt: nowIso() };
}

/** The live token with this secret, with its user's name, role and state. */
export async function tokenLookup(
  db: Db,
  token: string,
): Promise<{ token: ApiToken; username: string; role: string; disabled: boolean } | null> {
  const rows = await db.query(
    `SELECT t.*, u.username, u.role, u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
    [sha256(token)],
  );
  const r = rows[0];
  if (!r) return null;
  return { token: tokenFromRow(r), username: String(r.username), role: String(r.role), disabled: r.disabled === true };
}
