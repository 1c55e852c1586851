import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.js';
import { nowIso, sha256 } from './users.js';

/** Sessions last 12 hours from login; the cookie holds a random id, the store only its SHA-256. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;

export interface NewSession {
  /** The cookie value (shown to the browser only). */
  id: string;
  /** The CSRF token bound to the session (double-submit: cookie `wk_csrf` and header `x-csrf-token`). */
  csrf: string;
  expiresAt: string;
}

export async function createSession(db: Db, userId: string): Promise<NewSession> {
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS).toISOString();
  // Expired sessions of anyone are swept at each login, so the table stays small.
  await db.query('DELETE FROM sessions WHERE expires_at < $1', [nowIso()]);
  await db.query('INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    sha256(id),
    userId,
    csrf,
    nowIso(),
    expiresAt,
  ]);
  return { id, csrf, expiresAt };
}

export async function sessionLookup(
  db: Db,
  id: string,
): Promise<{ userId: string; username: string; role: string; disabled: boolean; csrf: string } | null> {
  const rows = await db.query(
    `SELECT s.user_id, s.csrf, u.username, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id_hash = $1 AND s.expires_at > $2`,
    [sha256(id), nowIso()],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    userId: String(r.user_id),
    username: String(r.username),
    role: String(r.role),
    disabled: r.disabled === true,
    csrf: String(r.csrf),
  };
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1', [sha256(id)]);
}
