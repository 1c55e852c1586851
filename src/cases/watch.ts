import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError, UserError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import type { SqlValue } from '../store/db.js';
import type { Store } from '../store/store.js';
import { caseEntity, mmsiOf, normaliseAddressRef, referentIdsFor, vesselIdsFor, walletIdsFor } from './subjects.js';
import { type Alert, WATCH_KINDS, type Watch, type WatchKind } from './types.js';

/**
 * Watchlists and alerts. A watch names a vessel, entity or address; the findings that concern it when the watch is
 * created are its baseline (unless `includeExisting`), and every finding that concerns it later raises one alert.
 * Alerts are raised by `refreshAlerts`, which the API and CLI run before listing, so detectors need not know about
 * watchlists (findings flow one way: analysers → store → cases).
 */

function s(v: SqlValue | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

export function watchSubjects(kind: WatchKind, ref: string): string[] {
  if (kind === 'vessel') return vesselIdsFor(ref);
  if (kind === 'address') return walletIdsFor(ref);
  return [ref.trim()];
}

/** Findings that concern a watch: its subject ids among the subjects, or (vessels) its MMSI among the vessels. */
async function findingsFor(store: Store, kind: WatchKind, ref: string): Promise<Finding[]> {
  const byId = new Map<string, Finding>();
  for (const subject of kind === 'entity' ? await referentIdsFor(store, ref) : watchSubjects(kind, ref)) {
    for (const f of await store.queryFindings({ subject, limit: 10_000 })) byId.set(f.id, f);
  }
  const mmsi = kind === 'vessel' ? mmsiOf(ref) : undefined;
  if (mmsi !== undefined) {
    for (const f of await store.queryFindings({ subject: `ais-${mmsi}`, limit: 10_000 })) byId.set(f.id, f);
  }
  return [...byId.values()];
}

export async function addWatch(
  store: Store,
  input: { kind: string; ref: string; label?: string; includeExisting?: boolean },
): Promise<Watch> {
  const kind = input.kind as WatchKind;
  if (!WATCH_KINDS.includes(kind))
    throw new UserError(`kind: must be one of ${WATCH_KINDS.join(', ')}, got "${input.kind}"`);
  let ref = (input.ref ?? '').trim();
  if (!ref) throw new UserError('ref: what to watch is empty');
  if (kind === 'address') ref = normaliseAddressRef(ref);
  if (kind === 'vessel' && mmsiOf(ref) !== undefined) ref = String(mmsiOf(ref));
  if (kind === 'entity' && !(await caseEntity(store, ref))) throw new NotFoundError(`no entity with id "${ref}"`);
  const existing = (await listWatches(store)).find((w) => w.kind === kind && w.ref === ref);
  if (existing) return existing;
  const id = `watch-${randomBytes(5).toString('hex')}`;
  const createdAt = new Date().toISOString();
  const baseline = input.includeExisting ? [] : await findingsFor(store, kind, ref);
  await store.db.transaction(async (tx) => {
    await tx.query('INSERT INTO watchlist (id, kind, ref, label, created_at) VALUES ($1, $2, $3, $4, $5)', [
      id,
      kind,
      ref,
      input.label?.trim() || null,
      createdAt,
    ]);
    for (const f of baseline)
      await tx.query('INSERT INTO watch_seen (watch_id, finding_id) VALUES ($1, $2)', [id, f.id]);
  });
  if (input.includeExisting) await refreshAlerts(store);
  return (await listWatches(store)).find((w) => w.id === id)!;
}

export async function listWatches(store: Store): Promise<Watch[]> {
  const rows = await store.db.query(
    `SELECT w.id, w.kind, w.ref, w.label, w.created_at,
            (SELECT COUNT(*) FROM alerts a WHERE a.watch_id = w.id) AS alert_count,
            (SELECT COUNT(*) FROM alerts a WHERE a.watch_id = w.id AND a.read_at IS NULL) AS unread_count
       FROM watchlist w ORDER BY w.created_at, w.id`,
  );
  return rows.map((r) => {
    const kind = s(r.kind) as WatchKind;
    return {
      id: s(r.id),
      kind,
      ref: s(r.ref),
      label: r.label === null ? null : s(r.label),
      createdAt: s(r.created_at),
      subjects: watchSubjects(kind, s(r.ref)),
      alertCount: Number(r.alert_count ?? 0),
      unreadCount: Number(r.unread_count ?? 0),
    };
  });
}

export async function removeWatch(store: Store, id: string): Promise<void> {
  const rows = await store.db.query('SELECT id FROM watchlist WHERE id = $1', [id]);
  if (rows.length === 0) throw new NotFoundError(`no watch with id "${id}"`);
  await store.db.transaction(async (tx) => {
    await tx.query('DELETE FROM alerts WHERE watch_id = $1', [id]);
    await tx.query('DELETE FROM watch_seen WHERE watch_id = $1', [id]);
    await tx.query('DELETE FROM watchlist WHERE id = $1', [id]);
  });
}

/** One refresh at a time per store, so two concurrent requests never raise the same alert twice. */
const refreshing = new WeakMap<Store, Promise<number>>();

/** Raise one alert per new finding on each watch. Returns the number of alerts raised. */
export async function refreshAlerts(store: Store): Promise<number> {
  const previous = refreshing.get(store) ?? Promise.resolve(0);
  const next = previous.catch(() => 0).then(() => refreshOnce(store));
  refreshing.set(store, next);
  return next;
}

async function refreshOnce(store: Store): Promise<number> {
  const watches = await listWatches(store);
  let raised = 0;
  for (const w of watches) {
    const seen = new Set(
      (await store.db.query('SELECT finding_id FROM watch_seen WHERE watch_id = $1', [w.id])).map((r) =>
        s(r.finding_id),
      ),
    );
    const fresh = (await findingsFor(store, w.kind, w.ref)).filter((f) => !seen.has(f.id));
    if (fresh.length === 0) continue;
    const raisedAt = new Date().toISOString();
    await store.db.transaction(async (tx) => {
      for (const f of fresh) {
        const id = `alert-${createHash('sha256').update(`${w.id}\u0000${f.id}`).digest('hex').slice(0, 16)}`;
        await tx.query('INSERT INTO watch_seen (watch_id, finding_id) VALUES ($1, $2)', [w.id, f.id]);
        // Another process (a second worker, the server) may have raised the same alert meanwhile: the id is the key.
        const added = await tx.query(
          'INSERT INTO alerts (id, watch_id, finding_id, raised_at, read_at) VALUES ($1, $2, $3, $4, NULL) ON CONFLICT (id) DO NOTHING RETURNING id',
          [id, w.id, f.id, raisedAt],
        );
        raised += added.length;
      }
    });
  }
  return raised;
}

export async function listAlerts(store: Store, opts: { unread?: boolean; limit?: number } = {}): Promise<Alert[]> {
  await refreshAlerts(store);
  const rows = await store.db.query(
    `SELECT a.id, a.watch_id, a.finding_id, a.raised_at, a.read_at, w.kind, w.ref, w.label
       FROM alerts a JOIN watchlist w ON w.id = a.watch_id
      ${opts.unread ? 'WHERE a.read_at IS NULL' : ''}
      ORDER BY a.raised_at DESC, a.id LIMIT ${Math.max(1, Math.min(opts.limit ?? 200, 1000))}`,
  );
  const out: Alert[] = [];
  for (const r of rows) out.push(await alertFromRow(store, r));
  return out;
}

async function alertFromRow(store: Store, r: Record<string, SqlValue>): Promise<Alert> {
  const f = await store.getFinding(s(r.finding_id));
  return {
    id: s(r.id),
    watchId: s(r.watch_id),
    watchKind: s(r.kind) as WatchKind,
    watchRef: s(r.ref),
    watchLabel: r.label === null ? null : s(r.label),
    findingId: s(r.finding_id),
    findingKind: f?.kind ?? '(finding deleted)',
    findingStart: f?.start ?? '',
    score: f?.score ?? 0,
    explanation: f?.explanation ?? 'The finding behind this alert is no longer in the store.',
    raisedAt: s(r.raised_at),
    readAt: r.read_at === null ? null : s(r.read_at),
  };
}

/** One alert with its watch and finding, without refreshing (alert delivery reads it); null when gone. */
export async function getAlert(store: Store, id: string): Promise<Alert | null> {
  const [r] = await store.db.query(
    `SELECT a.id, a.watch_id, a.finding_id, a.raised_at, a.read_at, w.kind, w.ref, w.label
       FROM alerts a JOIN watchlist w ON w.id = a.watch_id WHERE a.id = $1`,
    [id],
  );
  return r ? alertFromRow(store, r) : null;
}

export async function markAlertRead(store: Store, id: string): Promise<void> {
  const rows = await store.db.query('SELECT id FROM alerts WHERE id = $1', [id]);
  if (rows.length === 0) throw new NotFoundError(`no alert with id "${id}"`);
  await store.db.query('UPDATE alerts SET read_at = $1 WHERE id = $2', [new Date().toISOString(), id]);
}
