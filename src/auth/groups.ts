import { NotFoundError, UserError } from '../errors.js';
import type { Db, Migration, Row } from '../store/db.js';
import { newId, nowIso, requireUserByName } from './users.js';

/**
 * Groups of users (a team, a desk, a panel): an admin creates them and manages their members, and a case owner
 * shares a case with a group as with a user (src/auth/case-access.ts). Membership is read on every request, so a
 * member removed from a group stops seeing its cases at once. A group gives visibility only: what a member may do
 * with a case they see is still their role's (a viewer member reads).
 *
 * Tables are named user_groups / user_group_members (GROUPS is a keyword in SQL window frames).
 */
export const groupMigrations: Migration[] = [
  {
    id: '0804_groups',
    description: 'groups of users, their members, and cases shared with groups',
    sql: `CREATE TABLE IF NOT EXISTS user_groups (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT
);
CREATE TABLE IF NOT EXISTS user_group_members (
  group_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  added_at TEXT NOT NULL,
  added_by TEXT,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX IF NOT EXISTS user_group_members_user ON user_group_members (user_id);
CREATE TABLE IF NOT EXISTS case_group_access (
  case_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  granted_by TEXT,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (case_id, group_id)
);
CREATE INDEX IF NOT EXISTS case_group_access_group ON case_group_access (group_id);`,
  },
];

export interface GroupMember {
  userId: string;
  username: string;
  addedAt: string;
}

export interface Group {
  id: string;
  name: string;
  createdAt: string;
  members: GroupMember[];
  /** How many cases are shared with the group. */
  cases: number;
}

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._@ -]{0,63}$/;

export function checkGroupName(name: string): string {
  const n = name.trim();
  if (!GROUP_NAME.test(n)) {
    throw new UserError(`name: 1-64 letters, digits, spaces, ".", "_", "@" or "-", got "${name}"`);
  }
  return n;
}

async function membersOf(db: Db, groupIds: string[]): Promise<Map<string, GroupMember[]>> {
  const out = new Map<string, GroupMember[]>();
  if (groupIds.length === 0) return out;
  const marks = groupIds.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await db.query(
    `SELECT m.group_id, m.user_id, u.username, m.added_at FROM user_group_members m JOIN users u ON u.id = m.user_id
      WHERE m.group_id IN (${marks}) ORDER BY u.username`,
    groupIds,
  );
  for (const r of rows) {
    const g = String(r.group_id);
    const list = out.get(g) ?? [];
    list.push({ userId: String(r.user_id), username: String(r.username), addedAt: String(r.added_at) });
    out.set(g, list);
  }
  return out;
}

async function groupsFromRows(db: Db, rows: Row[]): Promise<Group[]> {
  const ids = rows.map((r) => String(r.id));
  const members = await membersOf(db, ids);
  const counts = new Map<string, number>();
  if (ids.length > 0) {
    const marks = ids.map((_, i) => `$${i + 1}`).join(', ');
    const c = await db.query(
      `SELECT group_id, COUNT(*) AS n FROM case_group_access WHERE group_id IN (${marks}) GROUP BY group_id`,
      ids,
    );
    for (const r of c) counts.set(String(r.group_id), Number(r.n));
  }
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    createdAt: String(r.created_at),
    members: members.get(String(r.id)) ?? [],
    cases: counts.get(String(r.id)) ?? 0,
  }));
}

export async function listGroups(db: Db): Promise<Group[]> {
  return groupsFromRows(db, await db.query('SELECT * FROM user_groups ORDER BY name'));
}

/** The groups `userId` is a member of (what a user who is not an admin may list, see and share with). */
export async function listGroupsOf(db: Db, userId: string): Promise<Group[]> {
  return groupsFromRows(
    db,
    await db.query(
      `SELECT g.* FROM user_groups g JOIN user_group_members m ON m.group_id = g.id WHERE m.user_id = $1
        ORDER BY g.name`,
      [userId],
    ),
  );
}

/**
 * A group `userId` is a member of, by its name or id. Any other group, existing or not, gets the same 404: a group
 * you are not in does not exist for you.
 */
export async function requireGroupOf(db: Db, nameOrId: string, userId: string): Promise<Group> {
  const rows = await db.query(
    `SELECT g.* FROM user_groups g JOIN user_group_members m ON m.group_id = g.id
      WHERE (g.name = $1 OR g.id = $1) AND m.user_id = $2`,
    [nameOrId.trim(), userId],
  );
  if (rows.length === 0) {
    throw new NotFoundError(`no group "${nameOrId}" among yours (GET /groups lists the groups you are a member of)`);
  }
  return (await groupsFromRows(db, rows.slice(0, 1)))[0]!;
}

export async function getGroup(db: Db, id: string): Promise<Group> {
  const rows = await db.query('SELECT * FROM user_groups WHERE id = $1', [id]);
  if (rows.length === 0) throw new NotFoundError(`no group with id "${id}" (list them with: watchkeeper groups list)`);
  return (await groupsFromRows(db, rows))[0]!;
}

/** A group by its name or its id (the CLI and the share control take either). */
export async function requireGroup(db: Db, nameOrId: string): Promise<Group> {
  const rows = await db.query('SELECT * FROM user_groups WHERE name = $1 OR id = $1', [nameOrId.trim()]);
  if (rows.length === 0) {
    throw new NotFoundError(`no group "${nameOrId}" (list them with: watchkeeper groups list)`);
  }
  return (await groupsFromRows(db, rows.slice(0, 1)))[0]!;
}

export async function createGroup(db: Db, name: string, createdBy: string | null): Promise<Group> {
  const n = checkGroupName(name);
  const id = newId('group');
  const rows = await db.query(
    `INSERT INTO user_groups (id, name, created_at, created_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO NOTHING RETURNING id`,
    [id, n, nowIso(), createdBy],
  );
  if (rows.length === 0) throw new UserError(`name: group "${n}" already exists`);
  return getGroup(db, id);
}

/** Delete a group: its members and every case shared with it lose that access at once. */
export async function deleteGroup(db: Db, id: string): Promise<Group> {
  const before = await getGroup(db, id);
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM case_group_access WHERE group_id = $1', [id]);
    await tx.query('DELETE FROM user_group_members WHERE group_id = $1', [id]);
    await tx.query('DELETE FROM user_groups WHERE id = $1', [id]);
  });
  return before;
}

export async function addMember(db: Db, groupId: string, username: string, addedBy: string | null): Promise<Group> {
  await getGroup(db, groupId);
  const user = await requireUserByName(db, username);
  await db.query(
    `INSERT INTO user_group_members (group_id, user_id, added_at, added_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (group_id, user_id) DO NOTHING`,
    [groupId, user.id, nowIso(), addedBy],
  );
  return getGroup(db, groupId);
}

/** `user` is a user id or a user name. */
export async function removeMember(db: Db, groupId: string, user: string): Promise<Group> {
  const g = await getGroup(db, groupId);
  const m = g.members.find((x) => x.userId === user || x.username === user);
  if (!m) throw new NotFoundError(`user "${user}" is not a member of group "${g.name}"`);
  await db.query('DELETE FROM user_group_members WHERE group_id = $1 AND user_id = $2', [groupId, m.userId]);
  return getGroup(db, groupId);
}
