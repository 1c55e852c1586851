import { NotFoundError, UserError } from '../errors.js';
import type { Db } from '../store/db.js';
import { requireGroup, requireGroupOf } from './groups.js';
import { nowIso, requireUserByName } from './users.js';

/**
 * Who may see a case when auth is on: its owner, the users it is shared with, the members of the groups it is
 * shared with (src/auth/groups.ts), and admins. To everyone else the case does not exist (404, never 403), so its
 * id does not even confirm an investigation. Cases made in local mode have no owner: admins see them and can share
 * them. Seeing a case never lifts a role: a viewer who sees it (directly or through a group) only reads it.
 */
export interface CaseViewer {
  userId: string | null;
  role: string;
}

/** null: no restriction (local mode or admin). */
export function restrictsCases(viewer: CaseViewer | null): viewer is CaseViewer & { userId: string } {
  return viewer !== null && viewer.userId !== null && viewer.role !== 'admin';
}

export async function canSeeCase(db: Db, viewer: CaseViewer | null, caseId: string): Promise<boolean> {
  if (!restrictsCases(viewer)) return true;
  // Membership is read here on every request: removing a member from a group takes effect at once.
  const rows = await db.query(
    `SELECT 1 AS ok FROM case_access WHERE case_id = $1 AND user_id = $2
     UNION ALL
     SELECT 1 AS ok FROM case_group_access g JOIN user_group_members m ON m.group_id = g.group_id
      WHERE g.case_id = $1 AND m.user_id = $2
     LIMIT 1`,
    [caseId, viewer.userId],
  );
  return rows.length > 0;
}

export async function assertCaseVisible(db: Db, viewer: CaseViewer | null, caseId: string): Promise<void> {
  if (!(await canSeeCase(db, viewer, caseId))) {
    throw new NotFoundError(`no case with id "${caseId}" (list them with: watchkeeper cases list)`);
  }
}

/** Keep only the cases the viewer may see (same order). */
export async function visibleCases<T extends { id: string }>(
  db: Db,
  viewer: CaseViewer | null,
  cases: T[],
): Promise<T[]> {
  if (!restrictsCases(viewer)) return cases;
  const rows = await db.query(
    `SELECT case_id FROM case_access WHERE user_id = $1
     UNION
     SELECT g.case_id FROM case_group_access g JOIN user_group_members m ON m.group_id = g.group_id
      WHERE m.user_id = $1`,
    [viewer.userId],
  );
  const ids = new Set(rows.map((r) => String(r.case_id)));
  return cases.filter((c) => ids.has(c.id));
}

export async function setCaseOwner(db: Db, caseId: string, userId: string): Promise<void> {
  await db.query(
    `INSERT INTO case_access (case_id, user_id, access, granted_by, granted_at) VALUES ($1, $2, 'owner', $2, $3)
     ON CONFLICT (case_id, user_id) DO NOTHING`,
    [caseId, userId, nowIso()],
  );
}

export interface CaseShare {
  userId: string;
  username: string;
  access: 'owner' | 'shared';
  grantedAt: string;
}

export async function listShares(db: Db, caseId: string): Promise<CaseShare[]> {
  const rows = await db.query(
    `SELECT a.user_id, u.username, a.access, a.granted_at FROM case_access a JOIN users u ON u.id = a.user_id
      WHERE a.case_id = $1 ORDER BY a.access DESC, u.username`,
    [caseId],
  );
  return rows.map((r) => ({
    userId: String(r.user_id),
    username: String(r.username),
    access: String(r.access) === 'owner' ? 'owner' : 'shared',
    grantedAt: String(r.granted_at),
  }));
}

/** Only the owner or an admin may change who sees a case (and only a case that exists). */
async function assertMayShare(db: Db, viewer: CaseViewer | null, caseId: string): Promise<void> {
  if (!restrictsCases(viewer)) {
    // Admins and local mode pass the visibility check: the case itself must still exist.
    const found = await db.query('SELECT id FROM cases WHERE id = $1', [caseId]);
    if (found.length === 0) {
      throw new NotFoundError(`no case with id "${caseId}" (list them with: watchkeeper cases list)`);
    }
    return;
  }
  const rows = await db.query('SELECT access FROM case_access WHERE case_id = $1 AND user_id = $2', [
    caseId,
    viewer.userId,
  ]);
  if (rows[0]?.access !== 'owner') throw new UserError('only the owner of a case or an admin can change who sees it');
}

export async function shareCase(
  db: Db,
  viewer: CaseViewer | null,
  caseId: string,
  username: string,
): Promise<CaseShare[]> {
  await assertMayShare(db, viewer, caseId);
  const user = await requireUserByName(db, username);
  await db.query(
    `INSERT INTO case_access (case_id, user_id, access, granted_by, granted_at) VALUES ($1, $2, 'shared', $3, $4)
     ON CONFLICT (case_id, user_id) DO NOTHING`,
    [caseId, user.id, viewer?.userId ?? null, nowIso()],
  );
  return listShares(db, caseId);
}

export async function unshareCase(
  db: Db,
  viewer: CaseViewer | null,
  caseId: string,
  userId: string,
): Promise<CaseShare[]> {
  await assertMayShare(db, viewer, caseId);
  const rows = await db.query('SELECT access FROM case_access WHERE case_id = $1 AND user_id = $2', [caseId, userId]);
  if (rows.length === 0) throw new NotFoundError(`case ${caseId} is not shared with user "${userId}"`);
  if (rows[0]!.access === 'owner') throw new UserError('the owner cannot be removed from a case');
  await db.query('DELETE FROM case_access WHERE case_id = $1 AND user_id = $2', [caseId, userId]);
  return listShares(db, caseId);
}

export interface CaseGroupShare {
  groupId: string;
  name: string;
  grantedAt: string;
}

export async function listGroupShares(db: Db, caseId: string): Promise<CaseGroupShare[]> {
  const rows = await db.query(
    `SELECT a.group_id, g.name, a.granted_at FROM case_group_access a JOIN user_groups g ON g.id = a.group_id
      WHERE a.case_id = $1 ORDER BY g.name`,
    [caseId],
  );
  return rows.map((r) => ({ groupId: String(r.group_id), name: String(r.name), grantedAt: String(r.granted_at) }));
}

/** Everyone a case is shared with: users (owner first) and groups. */
export async function caseShares(db: Db, caseId: string): Promise<{ results: CaseShare[]; groups: CaseGroupShare[] }> {
  return { results: await listShares(db, caseId), groups: await listGroupShares(db, caseId) };
}

/**
 * Share a case with a group (by name or id): its members see the case as long as they are members. An owner who is
 * not an admin shares only with a group they belong to; any other group does not exist for them (404, as in
 * GET /groups/{id}). Admins (and the CLI) share with any group.
 */
export async function shareCaseWithGroup(
  db: Db,
  viewer: CaseViewer | null,
  caseId: string,
  group: string,
): Promise<CaseGroupShare[]> {
  await assertMayShare(db, viewer, caseId);
  const g = restrictsCases(viewer) ? await requireGroupOf(db, group, viewer.userId) : await requireGroup(db, group);
  await db.query(
    `INSERT INTO case_group_access (case_id, group_id, granted_by, granted_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (case_id, group_id) DO NOTHING`,
    [caseId, g.id, viewer?.userId ?? null, nowIso()],
  );
  return listGroupShares(db, caseId);
}

/** `group` is a group id or name. */
export async function unshareCaseWithGroup(
  db: Db,
  viewer: CaseViewer | null,
  caseId: string,
  group: string,
): Promise<CaseGroupShare[]> {
  await assertMayShare(db, viewer, caseId);
  const share = (await listGroupShares(db, caseId)).find((s) => s.groupId === group || s.name === group);
  if (!share) throw new NotFoundError(`case ${caseId} is not shared with group "${group}"`);
  await db.query('DELETE FROM case_group_access WHERE case_id = $1 AND group_id = $2', [caseId, share.groupId]);
  return listGroupShares(db, caseId);
}

export async function forgetCase(db: Db, caseId: string): Promise<void> {
  await db.query('DELETE FROM case_access WHERE case_id = $1', [caseId]);
  await db.query('DELETE FROM case_group_access WHERE case_id = $1', [caseId]);
}
