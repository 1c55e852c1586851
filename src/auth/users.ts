import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, UserError } from '../errors.js';
import type { Db, Row } from '../store/db.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';

/** Roles, weakest first: viewer reads, analyst also writes cases/watchlists/imports, admin also manages users. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function parseRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new UserError(`role: must be one of ${ROLES.join(', ')}, got "${value}"`);
}

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  disabled: boolean;
}

export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function userFromRow(r: Row): User {
  return {
    id: String(r.id),
    username: String(r.username),
    role: parseRole(String(r.role)),
    createdAt: String(r.created_at),
    disabled: r.disabled === true,
  };
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UserError(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > 1024) throw new UserError('password: at most 1024 characters');
}

export async function createUser(db: Db, input: { username: string; password: string; role: Role }): Promise<User> {
  const username = input.username.trim();
  if (!USERNAME.test(username)) {
    throw new UserError(`username: 1-64 letters, digits, ".", "_", "@" or "-", got "${input.username}"`);
  }
  checkPassword(input.password);
  const role = parseRole(input.role);
  if (await findUserByName(db, username)) throw new UserError(`username: "${username}" already exists`);
  const id = newId('user');
  await db.query(
    'INSERT INTO users (id, username, password_hash, role, created_at, disabled) VALUES ($1, $2, $3, $4, $5, FALSE)',
    [id, username, await hashPassword(input.password), role, nowIso()],
  );
  return getUser(db, id);
}

export async function getUser(db: Db, id: string): Promise<User> {
  const rows = await db.query('SELECT * FROM users WHERE id = $1', [id]);
  if (rows.length === 0) throw new NotFoundError(`no user with id "${id}"`);
  return userFromRow(rows[0]!);
}

export async function findUserByName(db: Db, username: string): Promise<(User & { passwordHash: string }) | null> {
  const rows = await db.query('SELECT * FROM users WHERE username = $1', [username.trim()]);
  if (rows.length === 0) return null;
  return { ...userFromRow(rows[0]!), passwordHash: String(rows[0]!.password_hash) };
}

export async function requireUserByName(db: Db, username: string): Promise<User> {
  const u = await findUserByName(db, username);
  if (!u) throw new NotFoundError(`no user "${username}" (list them with: watchkeeper users list)`);
  const { passwordHash: _, ...user } = u;
  return user;
}

export async function listUsers(db: Db): Promise<User[]> {
  return (await db.query('SELECT * FROM users ORDER BY username')).map(userFromRow);
}

export async function countUsers(db: Db): Promise<number> {
  const rows = await db.query('SELECT COUNT(*) AS n FROM users');
  return Number(rows[0]?.n ?? 0);
}

export async function setPassword(db: Db, id: string, password: string): Promise<void> {
  checkPassword(password);
  await getUser(db, id);
  await db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [await hashPassword(password), id]);
  // A new password ends every session of the user.
  await db.query('DELETE FROM sessions WHERE user_id = $1', [id]);
}

export async function setRole(db: Db, id: string, role: Role): Promise<User> {
  const r = parseRole(role);
  const before = await getUser(db, id);
  if (before.role === 'admin' && r !== 'admin') await assertAnotherAdmin(db, id);
  await db.query('UPDATE users SET role = $1 WHERE id = $2', [r, id]);
  return getUser(db, id);
}

export async function setDisabled(db: Db, id: string, disabled: boolean): Promise<User> {
  const before = await getUser(db, id);
  if (disabled && before.role === 'admin') await assertAnotherAdmin(db, id);
  await db.query('UPDATE users SET disabled = $1 WHERE id = $2', [disabled, id]);
  if (disabled) await db.query('DELETE FROM sessions WHERE user_id = $1', [id]);
  return getUser(db, id);
}

/** Never leave the server without an active admin. */
async function assertAnotherAdmin(db: Db, id: string): Promise<void> {
  const rows = await db.query(
    "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = FALSE AND id <> $1",
    [id],
  );
  if (Number(rows[0]?.n ?? 0) === 0)
    throw new UserError('role: this is the last active admin; make another admin first');
}
