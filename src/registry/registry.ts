import type { IdentityRow } from '../maritime/store/identities.js';
import type { Entity } from '../model/entity.js';
import { type IdentityFact, VESSEL_IDENTITY_PROPS, vesselNameKey } from './identity.js';
import { imoKey } from './imo.js';

/**
 * The vessel registry: one record per hull, keyed by IMO number (check digit validated), holding every identity
 * any source gives it. List entries carry an IMO (OFAC, EU) or only a name (the UK's ship entries): a name-only
 * entry joins a hull when exactly one hull bears that name, and says so in `joinedByName`. AIS identities join
 * by the IMO the transponder broadcast, with first and last seen.
 */
export interface VesselRecord {
  imo: number;
  /** Entities describing this hull (list entries, AIS vessels, registry rows). */
  entityIds: string[];
  /** Entities joined by name only (no IMO in the entry). */
  joinedByName: string[];
  /** List entries for the hull (entities with topic "sanction"). */
  listed: Array<{ entityId: string; source: string }>;
  facts: IdentityFact[];
}

export interface RegistryInput {
  entities: Iterable<Entity>;
  /** Rows of `vessel_identity` (AIS static reports merged per identity). */
  ais?: Iterable<IdentityRow>;
}

export class VesselRegistry {
  readonly byImo = new Map<number, VesselRecord>();
  /** Which hull an entity describes. */
  readonly imoOfEntity = new Map<string, number>();

  get(imo: number): VesselRecord | undefined {
    return this.byImo.get(imo);
  }

  /** The hull an entity id, "IMO8604917" or "8604917" names. */
  find(ref: string): VesselRecord | undefined {
    const byEntity = this.imoOfEntity.get(ref);
    if (byEntity !== undefined) return this.byImo.get(byEntity);
    const imo = imoKey(ref);
    return imo === undefined ? undefined : this.byImo.get(imo);
  }

  get size(): number {
    return this.byImo.size;
  }
}

function record(reg: VesselRegistry, imo: number): VesselRecord {
  let r = reg.byImo.get(imo);
  if (!r) {
    r = { imo, entityIds: [], joinedByName: [], listed: [], facts: [] };
    reg.byImo.set(imo, r);
  }
  return r;
}

function isListed(e: Entity): boolean {
  return e.get('topics').some((t) => t === 'sanction' || t.startsWith('sanction.'));
}

function addEntity(reg: VesselRegistry, r: VesselRecord, e: Entity): void {
  if (r.entityIds.includes(e.id)) return;
  r.entityIds.push(e.id);
  reg.imoOfEntity.set(e.id, r.imo);
  if (isListed(e)) for (const ds of e.datasets) r.listed.push({ entityId: e.id, source: ds });
  for (const st of e.statements) {
    const prop = VESSEL_IDENTITY_PROPS.get(st.prop);
    if (!prop) continue;
    r.facts.push({
      prop,
      value: st.value,
      source: st.source,
      sourceRecord: st.sourceRecord,
      entityId: e.id,
      firstSeen: st.seenAt,
    });
  }
}

function aisFacts(row: IdentityRow): IdentityFact[] {
  const base = {
    source: 'ais',
    sourceRecord: `mmsi:${row.mmsi}@${row.firstSeen}`,
    entityId: `ais-${row.mmsi}`,
    firstSeen: new Date(row.firstSeen).toISOString(),
    lastSeen: new Date(row.lastSeen).toISOString(),
  };
  const out: IdentityFact[] = [{ prop: 'mmsi', value: String(row.mmsi), ...base }];
  if (row.name) out.push({ prop: 'name', value: row.name, ...base });
  if (row.callsign) out.push({ prop: 'callSign', value: row.callsign, ...base });
  if (row.flag) out.push({ prop: 'flag', value: row.flag, ...base });
  if (row.shipType !== null) out.push({ prop: 'type', value: `AIS ship type ${row.shipType}`, ...base });
  return out;
}

export function buildRegistry(input: RegistryInput): VesselRegistry {
  const reg = new VesselRegistry();
  const nameOnly: Entity[] = [];
  const hasAis = input.ais !== undefined;
  for (const e of input.entities) {
    if (e.schema !== 'Vessel') continue;
    // Vessels seen in AIS come from vessel_identity with their dates, not from their undated statements.
    if (hasAis && e.id.startsWith('ais-')) continue;
    const imos = new Set<number>();
    for (const v of e.get('imoNumber')) {
      const imo = imoKey(v);
      if (imo !== undefined) imos.add(imo);
    }
    if (imos.size === 0) {
      nameOnly.push(e);
      continue;
    }
    for (const imo of imos) addEntity(reg, record(reg, imo), e);
  }
  for (const row of input.ais ?? []) {
    const imo = imoKey(row.imo);
    if (imo === undefined) continue;
    const r = record(reg, imo);
    const id = `ais-${row.mmsi}`;
    if (!r.entityIds.includes(id)) r.entityIds.push(id);
    reg.imoOfEntity.set(id, imo);
    r.facts.push(...aisFacts(row));
  }
  // Name-only entries join the one hull that bears their primary name (never a name two hulls share).
  const hullsByName = new Map<string, Set<number>>();
  for (const r of reg.byImo.values()) {
    for (const f of r.facts) {
      if (f.prop !== 'name' && f.prop !== 'alias' && f.prop !== 'previousName') continue;
      const k = vesselNameKey(f.value);
      if (!k) continue;
      let s = hullsByName.get(k);
      if (!s) hullsByName.set(k, (s = new Set()));
      s.add(r.imo);
    }
  }
  for (const e of nameOnly) {
    const hulls = new Set<number>();
    for (const n of e.get('name')) for (const imo of hullsByName.get(vesselNameKey(n)) ?? []) hulls.add(imo);
    if (hulls.size !== 1) continue;
    const r = reg.byImo.get([...hulls][0]!)!;
    addEntity(reg, r, e);
    r.joinedByName.push(e.id);
  }
  return reg;
}

/** Distinct values of one identity property, first-seen order, each with its sources. */
export function identityValues(
  r: VesselRecord,
  props: IdentityFact['prop'][],
): Array<{ value: string; sources: string[]; firstSeen?: string; lastSeen?: string }> {
  const byKey = new Map<string, { value: string; sources: string[]; firstSeen?: string; lastSeen?: string }>();
  for (const f of r.facts) {
    if (!props.includes(f.prop)) continue;
    const k = f.prop === 'flag' || f.prop === 'pastFlag' ? f.value.toLowerCase() : vesselNameKey(f.value) || f.value;
    let v = byKey.get(k);
    if (!v) byKey.set(k, (v = { value: f.value, sources: [] }));
    if (!v.sources.includes(f.source)) v.sources.push(f.source);
    if (f.firstSeen && (!v.firstSeen || f.firstSeen < v.firstSeen)) v.firstSeen = f.firstSeen;
    if (f.lastSeen && (!v.lastSeen || f.lastSeen > v.lastSeen)) v.lastSeen = f.lastSeen;
  }
  return [...byKey.values()];
}

/**
 * The hull's current names (the list entries' primary names and the latest AIS name) and its former names: every
 * other name any source gives (FtM `previousName`, and list aliases, which for ships are the names it sailed under).
 */
export function namesOf(r: VesselRecord): { current: string[]; former: string[] } {
  const current = new Map<string, string>();
  let latestAis: IdentityFact | undefined;
  for (const f of r.facts) {
    if (f.prop !== 'name') continue;
    if (f.source === 'ais') {
      if (!latestAis || (f.lastSeen ?? '') > (latestAis.lastSeen ?? '')) latestAis = f;
    } else if (!current.has(vesselNameKey(f.value))) current.set(vesselNameKey(f.value), f.value);
  }
  if (latestAis && !current.has(vesselNameKey(latestAis.value)))
    current.set(vesselNameKey(latestAis.value), latestAis.value);
  const former = new Map<string, string>();
  for (const f of r.facts) {
    if (f.prop !== 'name' && f.prop !== 'alias' && f.prop !== 'previousName') continue;
    const k = vesselNameKey(f.value);
    if (!k || current.has(k) || former.has(k)) continue;
    former.set(k, f.value);
  }
  return { current: [...current.values()], former: [...former.values()] };
}
