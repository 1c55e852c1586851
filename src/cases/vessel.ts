import { NotFoundError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import type { VesselRiskProfile } from '../maritime/risk/profile.js';
import { vesselRisk } from '../maritime/risk/profile.js';
import { vesselRiskOf } from '../maritime/risk/store.js';
import type { Entity } from '../model/entity.js';
import type { Store } from '../store/store.js';
import { type IdentityRow, identityHistory } from './ais-tables.js';
import { type EntityLink, entityLinks, safeCaption } from './entity-view.js';
import { mmsiOf } from './subjects.js';

/**
 * The vessel page's data: identity over time (names, flags, call signs, IMO from AIS), list entries for the same
 * hull (matched by IMO number and MMSI), owners and operators where known, the findings about it and its risk.
 * The risk is the maritime risk profile (maritime/risk/profile.ts), the very document `GET /vessels/:mmsi/risk` and
 * `watchkeeper vessel risk` return for the vessel's MMSI: there is one risk model.
 */

export interface VesselProfile {
  id: string;
  mmsi: number | null;
  imo: number | null;
  name: string;
  flag: string | null;
  entity: { id: string; schema: string; datasets: string[] } | null;
  identity: IdentityRow[];
  /** Entity statements that name the vessel (name, flag, callSign, imoNumber, mmsi) with their dates and sources. */
  identityStatements: Array<{ prop: string; value: string; source: string; seenAt: string; entityId: string }>;
  listEntries: Array<{ id: string; caption: string; schema: string; datasets: string[]; sanctioned: boolean }>;
  owners: EntityLink[];
  findings: Finding[];
  /**
   * The vessel's risk profile: for a vessel seen in AIS, exactly what `GET /vessels/{mmsi}/risk` answers; for a
   * listed vessel never seen in AIS, the same model over the findings naming its list entries.
   */
  risk: VesselRiskProfile;
}

const IDENTITY_PROPS = ['name', 'previousName', 'flag', 'callSign', 'imoNumber', 'mmsi'];
const OWNER_RELATIONS = new Set(['owner', 'operator', 'Ownership', 'manager', 'pastOwners', 'Directorship']);

function imoOf(values: string[]): number | undefined {
  for (const v of values) {
    const m = /(\d{7})/.exec(v);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export async function vesselProfile(store: Store, ref: string): Promise<VesselProfile> {
  const mmsiRef = mmsiOf(ref);
  const id = mmsiRef !== undefined ? `ais-${mmsiRef}` : ref;
  const entity = await store.getEntity(id);
  let mmsi = mmsiRef ?? (entity ? Number(entity.first('mmsi')) || undefined : undefined);
  let imo = entity ? imoOf(entity.get('imoNumber')) : undefined;
  let identity = await identityHistory(store, mmsi, imo);
  if (!entity && identity.length === 0) {
    throw new NotFoundError(`no vessel "${ref}": give an MMSI, "ais-<mmsi>" or a listed vessel's entity id`);
  }
  imo ??= identity.find((r) => r.imo)?.imo ?? undefined;
  mmsi ??= identity[0]?.mmsi;
  if (imo !== undefined && identity.every((r) => r.imo !== imo)) identity = await identityHistory(store, mmsi, imo);

  // Other entities for the same hull: list entries carrying the IMO number or MMSI.
  const related = new Map<string, Entity>();
  if (entity) related.set(entity.id, entity);
  const keys = [
    ...(imo !== undefined ? [String(imo), `IMO${imo}`, `IMO ${imo}`] : []),
    ...(mmsi !== undefined ? [String(mmsi)] : []),
  ];
  for (const k of keys) {
    for (const e of await store.entitiesReferencing(k)) {
      if (e.schema === 'Vessel' || e.get('imoNumber').length || e.get('mmsi').length) related.set(e.id, e);
    }
  }
  if (mmsi !== undefined && !related.has(`ais-${mmsi}`)) {
    const ais = await store.getEntity(`ais-${mmsi}`);
    if (ais) related.set(ais.id, ais);
  }
  const findings = new Map<string, Finding>();
  for (const eid of new Set([...related.keys(), ...(mmsi !== undefined ? [`ais-${mmsi}`] : [])])) {
    for (const f of await store.queryFindings({ subject: eid, limit: 500 })) findings.set(f.id, f);
  }
  const listEntries: VesselProfile['listEntries'] = [];
  const owners: EntityLink[] = [];
  const identityStatements: VesselProfile['identityStatements'] = [];
  for (const e of related.values()) {
    const refs = await store.entitiesReferencing(e.id);
    const sanctioned = e.get('topics').includes('sanction') || refs.some((r) => r.schema === 'Sanction');
    if (!e.id.startsWith('ais-')) {
      listEntries.push({ id: e.id, caption: safeCaption(e), schema: e.schema, datasets: [...e.datasets], sanctioned });
    }
    for (const l of await entityLinks(store, e)) if (OWNER_RELATIONS.has(l.relation)) owners.push(l);
    for (const st of e.statements) {
      if (IDENTITY_PROPS.includes(st.prop)) {
        identityStatements.push({
          prop: st.prop,
          value: st.value,
          source: st.source,
          seenAt: st.seenAt,
          entityId: e.id,
        });
      }
    }
  }
  identityStatements.sort((a, b) => (a.seenAt < b.seenAt ? -1 : a.seenAt > b.seenAt ? 1 : 0));
  const fs = [...findings.values()].sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0));
  const latest = identity[identity.length - 1];
  const sanctionedEntity = listEntries.find((l) => l.sanctioned) ?? listEntries[0];
  return {
    id,
    mmsi: mmsi ?? null,
    imo: imo ?? null,
    name: latest?.name ?? (entity ? safeCaption(entity) : (sanctionedEntity?.caption ?? id)),
    flag: latest?.flag ?? entity?.first('flag') ?? null,
    entity: entity ? { id: entity.id, schema: entity.schema, datasets: [...entity.datasets] } : null,
    identity,
    identityStatements,
    listEntries,
    owners,
    findings: fs,
    risk:
      (mmsi !== undefined ? await vesselRiskOf(store, [mmsi], imo ?? null) : null) ??
      vesselRisk(fs, { mmsis: mmsi !== undefined ? [mmsi] : [], imo: imo ?? null, name: latest?.name ?? null }),
  };
}
