import { createHash } from 'node:crypto';
import type { IdentityRow } from '../maritime/store/identities.js';
import { Entity } from '../model/entity.js';
import { schemaModel } from '../model/schema.js';
import type { Statement } from '../model/statement.js';
import { VESSEL_IDENTITY_PROPS } from '../registry/identity.js';
import { buildRegistry, type VesselRegistry } from '../registry/registry.js';
import { ensureResolvedOnce } from '../resolve/canonical.js';
import { judgementsFingerprint } from '../resolve/judgement-store.js';
import { CURRENT_FILTER, readStatements } from '../store/repositories/statements.js';
import type { Store } from '../store/store.js';
import { type FrontScore, frontCompanyScores } from './front-company.js';
import type { OwnershipLink } from './link.js';
import { baseFits, buildNetwork, canonicalKey, type NetworkBase, type OwnershipNetwork } from './network.js';
import { PARTY_SCHEMAS, PartyIndex, type PartySnapshot } from './parties.js';

/** AIS identities that broadcast an IMO number (the registry's AIS side), from `vessel_identity`. */
export async function aisIdentitiesWithImo(store: Store): Promise<IdentityRow[]> {
  const rows = await store.db.query(
    `SELECT mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen, messages
       FROM vessel_identity WHERE imo IS NOT NULL ORDER BY imo, first_seen`,
  );
  return rows.map((r) => ({
    mmsi: Number(r.mmsi),
    name: (r.name as string | null) ?? null,
    callsign: (r.callsign as string | null) ?? null,
    imo: r.imo === null ? null : Number(r.imo),
    shipType: r.ship_type === null || r.ship_type === undefined ? null : Number(r.ship_type),
    flag: (r.flag as string | null) ?? null,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    messages: Number(r.messages),
  }));
}

/**
 * The properties the network reads (registry identity facts, parties' keys and front-company indicators, the link
 * schemata's ends, roles, shares and dates; src/registry/registry.ts, parties.ts, from-entities.ts,
 * front-company.ts): a third of the lists' statements. The rest (birth dates, nationalities, positions, ...) and
 * the schemata that are never a party, a hull or a link (sanctions, identity documents, wallets, aircraft) are
 * not read, so no entity is built for them.
 */
export const NETWORK_PROPS: readonly string[] = [
  ...VESSEL_IDENTITY_PROPS.keys(),
  ...['topics', 'imoNumber', 'idNumber', 'notes', 'address', 'phone', 'email', 'country', 'incorporationDate'],
  ...['owner', 'operator', 'role', 'percentage', 'startDate', 'date', 'endDate', 'asset', 'subject', 'object'],
  ...['director', 'organization', 'agent', 'client'],
];
const SKIPPED_SCHEMAS = ['Sanction', 'Passport', 'Identification', 'CryptoWallet', 'Airplane', 'Address'];
const quoted = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');
export const NETWORK_FILTER = `s.prop IN (${quoted(NETWORK_PROPS)}) AND s.schema NOT IN (${quoted(SKIPPED_SCHEMAS)})`;

/** Unversioned statements the network reads: everything outside list versions but the AIS vessels (`ais-<mmsi>`),
 * whose identities come from `vessel_identity` with their dates. */
const UNVERSIONED = "s.version_id IS NULL AND s.source <> 'ais'";

/**
 * Statements folded into entities as `entitiesFromStatements` does (src/model/entity.ts), the FtM schema model
 * loaded only when two statements of one entity disagree on the schema (parsing it costs 0.3-0.9 s; the lists'
 * entities never need it).
 */
export function foldEntities(statements: Iterable<Statement>): Entity[] {
  const byId = new Map<string, Entity>();
  for (const st of statements) {
    let entity = byId.get(st.entityId);
    if (!entity) byId.set(st.entityId, (entity = new Entity(st.entityId, st.schema)));
    else if (entity.schema !== st.schema) {
      try {
        entity.schema = schemaModel().common(entity.schema, st.schema);
      } catch {
        // Conflicting schemata from different sources: keep the first (as entitiesFromStatements does).
      }
    }
    entity.statements.push(st);
    entity.datasets.add(st.source);
    entity.add(st.prop, st.value);
  }
  return [...byId.values()];
}

interface StoreCache {
  /** Entities of each list version, built once: a version's statements never change. */
  versions: Map<string, Entity[]>;
  unversioned?: { key: string; entities: Entity[] };
  /** The merged entities of the last entity key (an AIS-only change keeps them). */
  merged?: { key: string; entities: Entity[] };
  net?: { key: string; entityKey: string; net: OwnershipNetwork };
  /** Canonical ids (issue 13) of the party entities, per entity key and judgements. */
  canonical?: { key: string; ids: Map<string, string> };
  /** The entity key (with judgements) whose entity side is known to be kept in the store. */
  keptKey?: string;
}

const caches = new WeakMap<Store, StoreCache>();

/** Entities from several groups (list versions, unversioned statements); an id in two groups gets all its statements. */
function mergeEntities(groups: Entity[][]): Entity[] {
  const byId = new Map<string, Entity>();
  for (const g of groups)
    for (const e of g) {
      const prev = byId.get(e.id);
      byId.set(e.id, prev ? foldEntities([...prev.statements, ...e.statements])[0]! : e);
    }
  // The order currentStatements gives (by entity id), which the first-match lookups rely on.
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The current list versions and the unversioned statements' count and newest ord: what the entities depend on. */
async function entityInputs(store: Store): Promise<{ ids: string[]; uKey: string; uCount: number; key: string }> {
  const ids = (await store.currentVersions()).map((v) => v.id).sort();
  const [u] = await store.db.query(`SELECT count(*) AS n, max(ord) AS m FROM statements s WHERE ${UNVERSIONED}`);
  const uKey = `${String(u?.n)}:${String(u?.m)}`;
  return { ids, uKey, uCount: Number(u?.n), key: JSON.stringify([ids, uKey]) };
}

/** Statements of `where` split per list version (null: outside versions), folded into entities per group. */
async function entitiesPerVersion(store: Store, where: string): Promise<Map<string | null, Entity[]>> {
  const groups = new Map<string | null, Statement[]>();
  for (const st of await readStatements(store.db, where)) {
    const g = st.versionId ?? null;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(st);
  }
  const out = new Map<string | null, Entity[]>();
  for (const [g, sts] of groups) out.set(g, foldEntities(sts));
  return out;
}

const CURRENT_NOT_AIS = `${CURRENT_FILTER} AND NOT (s.version_id IS NULL AND s.source = 'ais')`;

/**
 * The store's current entities for the network, read incrementally: the entities of each current list version are
 * kept per version (an import adds a version and reads only its statements; a removed version is dropped), and the
 * unversioned statements (entity imports, ...; not the AIS vessels) are re-read only when their count or newest
 * ord changes.
 */
async function currentEntities(
  store: Store,
  cache: StoreCache,
  inputs: { ids: string[]; uKey: string; uCount: number; key: string },
): Promise<Entity[]> {
  const { ids, uKey, key } = inputs;
  if (cache.merged?.key === key) return cache.merged.entities;
  for (const id of [...cache.versions.keys()]) if (!ids.includes(id)) cache.versions.delete(id);
  if (cache.versions.size === 0 && ids.length > 0) {
    // First read: one pass over the current statements the network reads, split per version.
    const groups = await entitiesPerVersion(store, `${CURRENT_NOT_AIS} AND ${NETWORK_FILTER}`);
    for (const id of ids) cache.versions.set(id, groups.get(id) ?? []);
    cache.unversioned = { key: uKey, entities: groups.get(null) ?? [] };
  }
  for (const id of ids)
    if (!cache.versions.has(id))
      cache.versions.set(
        id,
        foldEntities(await readStatements(store.db, `s.version_id = $1 AND ${NETWORK_FILTER}`, [id])),
      );
  if (cache.unversioned?.key !== uKey)
    cache.unversioned = {
      key: uKey,
      entities:
        inputs.uCount > 0 ? foldEntities(await readStatements(store.db, `${UNVERSIONED} AND ${NETWORK_FILTER}`)) : [],
    };
  cache.merged = {
    key,
    entities: mergeEntities([...ids.map((id) => cache.versions.get(id)!), cache.unversioned!.entities]),
  };
  return cache.merged.entities;
}

/** The current Vessel entities alone (the registry's list side), merged across versions as currentEntities does. */
async function currentVessels(store: Store, ids: string[]): Promise<Entity[]> {
  const groups = await entitiesPerVersion(
    store,
    `${CURRENT_NOT_AIS} AND ${NETWORK_FILTER} AND s.entity_id IN (SELECT v.entity_id FROM statements v WHERE v.schema = 'Vessel')`,
  );
  return mergeEntities([...ids.map((id) => groups.get(id) ?? []), groups.get(null) ?? []]);
}

/**
 * The entity side of the network (parties, links, what they read from the registry, the canonical ids they were
 * joined on) is kept in the store per entity key (list versions, unversioned statements, judgements), in
 * `ownership_runs` under the fingerprint `base:<sha256>` (one row): a new process (the CLI's `detect`, `vessel
 * show`) whose lists did not change since reads it instead of every list entity. Bump BASE_VERSION when what the
 * parties or links hold changes.
 */
const BASE_VERSION = 2;

/** How this process built its networks: from every entity, or on an entity side built before (tests read it). */
export const networkStats = { fromEntities: 0, onPreviousBase: 0, onKeptBase: 0 };
const BASE_PREFIX = 'base:';

interface KeptBase {
  parties: PartySnapshot;
  links: OwnershipLink[];
  names: Array<[string, string | null]>;
  joins: string;
  canonical: string;
  canonicalIds: Array<[string, string]>;
  front?: FrontScore[];
}

function baseKey(canonKey: string): string {
  return `${BASE_PREFIX}${createHash('sha256').update(`v${BASE_VERSION} ${canonKey}`).digest('hex')}`;
}

async function readKeptBase(
  store: Store,
  canonKey: string,
): Promise<{ kept: KeptBase; canonical: Map<string, string> } | undefined> {
  const rows = await store.db.query('SELECT findings FROM ownership_runs WHERE fingerprint = $1 LIMIT 1', [
    baseKey(canonKey),
  ]);
  if (!rows[0]) return undefined;
  const kept = JSON.parse(String(rows[0].findings)) as KeptBase;
  return { kept, canonical: new Map(kept.canonicalIds) };
}

async function writeKeptBase(
  store: Store,
  canonKey: string,
  base: NetworkBase,
  canonical: Map<string, string>,
): Promise<void> {
  const kept: KeptBase = {
    parties: base.parties.snapshot(),
    links: base.links,
    names: [...base.names].map(([k, v]) => [k, v ?? null]),
    joins: base.joins,
    canonical: base.canonical,
    canonicalIds: [...canonical],
    front: base.front,
  };
  await store.db.transaction(async (tx) => {
    await tx.query(`DELETE FROM ownership_runs WHERE fingerprint LIKE '${BASE_PREFIX}%'`);
    await tx.query('INSERT INTO ownership_runs (fingerprint, computed_at, findings) VALUES ($1, $2, $3)', [
      baseKey(canonKey),
      new Date().toISOString(),
      JSON.stringify(kept),
    ]);
  });
}

/**
 * The network on an entity side built before (this process's previous network, or the one kept in the store) and
 * the current Vessel entities, when the current registry gives the same hulls to the names it read (baseFits).
 */
function networkOnBase(
  makeBase: (registry: VesselRegistry) => NetworkBase,
  canonical: ReadonlyMap<string, string>,
  vessels: Entity[],
  ais: IdentityRow[],
  asOf: string,
): OwnershipNetwork | undefined {
  const registry = buildRegistry({ entities: vessels, ais });
  const base = makeBase(registry);
  if (!baseFits(base, registry, canonicalKey(canonical))) return undefined;
  return buildNetwork(vessels, { ais, asOf, base, canonical });
}

function keptToBase(kept: KeptBase, registry: VesselRegistry): NetworkBase {
  return {
    parties: PartyIndex.fromSnapshot(registry, kept.parties),
    links: kept.links,
    names: new Map(kept.names.map(([k, v]) => [k, v ?? undefined])),
    joins: kept.joins,
    canonical: kept.canonical,
    front: kept.front,
  };
}

/**
 * Canonical ids (issue 13) of the party entities that the resolver merged with another entity: the only ones
 * parties.ts reads (an entity that is its own canonical id joins nothing). One read of the merged pairs instead of
 * a lookup per party id.
 */
async function mergedCanonicalIds(store: Store, entities: Entity[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const parties = new Set(entities.filter((e) => PARTY_SCHEMAS.has(e.schema)).map((e) => e.id));
  // No party, nothing to resolve (an AIS-only store does not run the resolver for the ownership network).
  if (parties.size === 0) return out;
  await ensureResolvedOnce(store);
  const rows = await store.db.query(
    'SELECT entity_id, canonical_id FROM resolve_canonical WHERE entity_id <> canonical_id ORDER BY entity_id',
  );
  for (const r of rows) if (parties.has(String(r.entity_id))) out.set(String(r.entity_id), String(r.canonical_id));
  return out;
}

/**
 * The ownership network over the store's current statements and AIS identities. Kept per store while the list
 * versions, the unversioned statements, the AIS identities and the date are unchanged; after a change only what
 * changed is read again (a new list version's statements, the AIS identities), and the network is rebuilt from
 * the kept entities. `keep`: also keep the entity side in the store for later processes (detect's step does; a
 * page read does not pay for writing it).
 */
export async function loadNetwork(
  store: Store,
  opts: { asOf?: string; keep?: boolean } = {},
): Promise<OwnershipNetwork> {
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = { versions: new Map() }));
  const [ais] = await store.db.query('SELECT count(*) AS n, max(last_seen) AS m FROM vessel_identity');
  const aisKey = `${String(ais?.n)}:${String(ais?.m)}`;
  const inputs = await entityInputs(store);
  const entityKey = inputs.key;
  // Reviewers' judgements (issue 13) change the canonical ids without changing a statement.
  const judged = await judgementsFingerprint(store.db);
  const key = JSON.stringify([asOf, entityKey, aisKey, judged]);
  // The parties' canonical ids depend on the entities and the judgements only: an AIS import keeps them.
  const canonKey = JSON.stringify([entityKey, judged]);
  const done = async (net: OwnershipNetwork): Promise<OwnershipNetwork> => {
    if (opts.keep && cache.keptKey !== canonKey && inputs.ids.length > 0 && cache.canonical?.key === canonKey) {
      net.base.front ??= frontCompanyScores(net);
      await writeKeptBase(store, canonKey, net.base, cache.canonical.ids);
      cache.keptKey = canonKey;
    }
    return net;
  };
  if (cache.net?.key === key) return done(cache.net.net);
  // Same entities (an AIS-only change, or another date): the parties and links are reused when the new AIS
  // identities do not change what they read from the registry (network.ts baseFits).
  const prev = cache.net;
  const base = prev && prev.entityKey === entityKey ? prev.net.base : undefined;
  const aisRows = await aisIdentitiesWithImo(store);
  if (cache.merged?.key !== entityKey && inputs.ids.length > 0) {
    // The entities are not in memory: the entity side of the previous network (same entities), else the one kept
    // in the store, with the current Vessel entities only, when it fits the new registry.
    let net: OwnershipNetwork | undefined;
    if (base && cache.canonical?.key === canonKey) {
      const vessels = await currentVessels(store, inputs.ids);
      net = networkOnBase(() => base, cache.canonical.ids, vessels, aisRows, asOf);
      if (net) networkStats.onPreviousBase++;
    } else if (!base) {
      const found = await readKeptBase(store, canonKey);
      if (found) {
        const vessels = await currentVessels(store, inputs.ids);
        net = networkOnBase((r) => keptToBase(found.kept, r), found.canonical, vessels, aisRows, asOf);
        if (net) {
          cache.canonical = { key: canonKey, ids: found.canonical };
          cache.keptKey = canonKey;
          networkStats.onKeptBase++;
        }
      }
    }
    if (net) {
      cache.net = { key, entityKey, net };
      return done(net);
    }
  }
  const all = await currentEntities(store, cache, inputs);
  if (cache.canonical?.key !== canonKey) cache.canonical = { key: canonKey, ids: await mergedCanonicalIds(store, all) };
  const net = buildNetwork(all, { ais: aisRows, asOf, base, canonical: cache.canonical.ids });
  networkStats.fromEntities++;
  cache.net = { key, entityKey, net };
  return done(net);
}
