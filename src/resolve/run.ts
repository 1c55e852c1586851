import { createHash } from 'node:crypto';
import { CURRENT_FILTER, CURRENT_VERSIONS_SQL } from '../store/repositories/statements.js';
import type { Store } from '../store/store.js';
import { insertJudgements, judgementsFingerprint, loadJudgements } from './judgement-store.js';
import { type Resolution, resolve } from './resolver.js';
import { aisKeys, KEY_PROPS, type KeyRow, RESOLVABLE_SCHEMATA, type StrongKey, strongKeys } from './strong-keys.js';

/**
 * Resolution against a store: read the strong identifiers of the current statements (every source's current
 * version plus statements outside versions) and AIS identities, resolve, and keep the result in
 * resolve_canonical with one resolve_runs row. A run whose inputs did not change (same current list versions,
 * same statements outside versions, same judgements, same AIS identities) is skipped: `ensureResolved` is cheap
 * to call before every read.
 */

/** Bump when the rules change, so stores resolved by an older build re-resolve. */
export const RESOLVER_VERSION = 1;

export interface RunSummary {
  id: string;
  fingerprint: string;
  resolvedAt: string;
  /** Entities with at least one strong identifier. */
  keyed: number;
  clusters: number;
  referents: number;
  merges: number;
  refused: number;
  /** false: the inputs were unchanged and the stored resolution was kept. */
  ran: boolean;
}

const ph = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

/** The strong keys of the store's current entities. */
export async function loadKeys(store: Store): Promise<StrongKey[]> {
  return (await loadInputs(store)).keys;
}

/** Everything the resolver reads, from the store: the keys, and the current entities that can be resolved. */
export async function loadInputs(store: Store): Promise<{ keys: StrongKey[]; entities: Map<string, string> }> {
  const db = store.db;
  const subj = KEY_PROPS.subject as readonly string[];
  const sanc = KEY_PROPS.sanction as readonly string[];
  const docs = KEY_PROPS.document as readonly string[];
  const params = [...subj, ...sanc, ...docs];
  let at = 1;
  const inList = (l: readonly string[]) => {
    const s = ph(l.length, at);
    at += l.length;
    return s;
  };
  const rows = await db.query(
    `SELECT s.entity_id, s.schema, s.prop, s.value, s.source FROM statements s
     WHERE (s.prop IN (${inList(subj)})
        OR (s.schema = 'Sanction' AND s.prop IN (${inList(sanc)}))
        OR (s.schema IN ('Passport', 'Identification') AND s.prop IN (${inList(docs)})))
       AND ${CURRENT_FILTER}`,
    params,
  );
  const keyRows: KeyRow[] = rows.map((r) => ({
    entityId: String(r.entity_id),
    schema: String(r.schema),
    prop: String(r.prop),
    value: String(r.value),
    source: String(r.source),
  }));
  const schemas = await entitySchemas(store);
  const keys = strongKeys(keyRows, (id) => schemas.get(id));
  const ais = await db.query('SELECT mmsi, imo FROM vessel_identity WHERE imo IS NOT NULL');
  keys.push(...aisKeys(ais.map((r) => ({ mmsi: Number(r.mmsi), imo: Number(r.imo) }))));
  return { keys, entities: schemas };
}

/** Schema of every current entity of a resolvable schema. */
async function entitySchemas(store: Store): Promise<Map<string, string>> {
  const rows = await store.db.query(
    `SELECT DISTINCT s.entity_id, s.schema FROM statements s
     WHERE s.schema IN (${ph(RESOLVABLE_SCHEMATA.length)}) AND ${CURRENT_FILTER}`,
    RESOLVABLE_SCHEMATA,
  );
  const out = new Map<string, string>();
  for (const r of rows) out.set(String(r.entity_id), String(r.schema));
  return out;
}

/** A digest of the resolver's inputs: when it is unchanged, so is the resolution. */
export async function inputsFingerprint(store: Store): Promise<string> {
  const db = store.db;
  const versions = await db.query(`SELECT id FROM (${CURRENT_VERSIONS_SQL}) v ORDER BY id`);
  const loose = await db.query('SELECT COUNT(*) AS n, MAX(ord) AS m FROM statements WHERE version_id IS NULL');
  const ais = await db.query('SELECT COUNT(*) AS n, SUM(imo) AS s FROM vessel_identity WHERE imo IS NOT NULL');
  const h = createHash('sha256');
  h.update(`v${RESOLVER_VERSION}\n`);
  for (const v of versions) h.update(`${String(v.id)}\n`);
  h.update(`loose ${String(loose[0]?.n)} ${String(loose[0]?.m)}\n`);
  h.update(`ais ${String(ais[0]?.n)} ${String(ais[0]?.s)}\n`);
  h.update(`judgements ${await judgementsFingerprint(db)}\n`);
  return h.digest('hex');
}

export async function lastRun(store: Store): Promise<Omit<RunSummary, 'ran'> | undefined> {
  const rows = await store.db.query(
    'SELECT id, fingerprint, resolved_at, keyed, clusters, referents, merges, refused FROM resolve_runs ORDER BY resolved_at DESC, id DESC LIMIT 1',
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    id: String(r.id),
    fingerprint: String(r.fingerprint),
    resolvedAt: String(r.resolved_at),
    keyed: Number(r.keyed),
    clusters: Number(r.clusters),
    referents: Number(r.referents),
    merges: Number(r.merges),
    refused: Number(r.refused),
  };
}

/** Resolve the store now (or keep the stored resolution when its inputs are unchanged and `force` is not set). */
export async function resolveStore(
  store: Store,
  opts: { force?: boolean; now?: string } = {},
): Promise<RunSummary & { resolution?: Resolution }> {
  const fingerprint = await inputsFingerprint(store);
  const last = await lastRun(store);
  if (!opts.force && last && last.fingerprint === fingerprint) return { ...last, ran: false };
  const at = opts.now ?? new Date().toISOString();
  const { keys, entities } = await loadInputs(store);
  const judgements = await loadJudgements(store.db, { origins: ['analyst', 'imported'] });
  const resolution = resolve(keys, judgements, at, (id) => entities.has(id) || id.startsWith('ais-'));
  const id = `resolve@${fingerprint.slice(0, 12)}`;
  let referents = 0;
  for (const r of resolution.clusters.values()) referents += r.length;
  const summary: RunSummary = {
    id,
    fingerprint,
    resolvedAt: at,
    keyed: resolution.keyed,
    clusters: resolution.clusters.size,
    referents,
    merges: resolution.merges.length,
    refused: resolution.refused.length,
    ran: true,
  };
  await store.db.transaction(async (tx) => {
    await tx.exec("DELETE FROM resolve_canonical; DELETE FROM resolve_judgements WHERE origin = 'automatic'");
    const entityIds = [...resolution.canonicalOf.keys()];
    if (entityIds.length > 0) {
      await tx.bulkInsert(
        'resolve_canonical',
        [
          { name: 'entity_id', type: 'text' },
          { name: 'canonical_id', type: 'text' },
        ],
        [{ length: entityIds.length, columns: [entityIds, entityIds.map((e) => resolution.canonicalOf.get(e)!)] }],
      );
    }
    await insertJudgements(tx, [...resolution.merges, ...resolution.refused]);
    await tx.query(
      'INSERT INTO resolve_runs (id, fingerprint, resolved_at, keyed, clusters, referents, merges, refused) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [id, fingerprint, at, summary.keyed, summary.clusters, summary.referents, summary.merges, summary.refused],
    );
  });
  return { ...summary, resolution };
}

/** Make sure the stored resolution matches the store's current inputs (resolves when it does not). */
export async function ensureResolved(store: Store): Promise<void> {
  await resolveStore(store);
}
