import { NotFoundError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import { RED_FLAGS, type RedFlag } from '../findings/red-flags.js';
import type { Entity } from '../model/entity.js';
import type { Store } from '../store/store.js';
import { type IdentityRow, identityHistory } from './ais-tables.js';
import { type EntityLink, entityLinks, safeCaption } from './entity-view.js';
import { mmsiOf } from './subjects.js';

/**
 * The vessel page's data: identity over time (names, flags, call signs, IMO from AIS), list entries for the same
 * hull (matched by IMO number and MMSI), owners and operators where known, the findings about it and a risk
 * profile that adds up the red flags with their explanation.
 */

export interface RiskItem {
  code: string;
  title: string;
  description: string;
  reference: string;
  weight: number;
  findings: number;
  maxScore: number;
  /** weight × strongest finding score: this flag's share of the risk. */
  contribution: number;
}

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
  risk: { score: number; items: RiskItem[]; explanation: string };
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

/** Combined risk: 1 − Π(1 − weight × maxScore) over the red flags raised; each flag counts once. */
export function riskProfile(findings: Finding[]): VesselProfile['risk'] {
  const byCode = new Map<string, RiskItem>();
  for (const f of findings) {
    for (const code of f.redFlags) {
      const rf = (RED_FLAGS as Record<string, RedFlag>)[code];
      const item = byCode.get(code) ?? {
        code,
        title: rf?.title ?? code,
        description: rf?.description ?? '',
        reference: rf?.reference ?? '',
        weight: rf?.weight ?? 0.5,
        findings: 0,
        maxScore: 0,
        contribution: 0,
      };
      item.findings++;
      item.maxScore = Math.max(item.maxScore, f.score);
      item.contribution = item.weight * item.maxScore;
      byCode.set(code, item);
    }
  }
  const items = [...byCode.values()].sort((a, b) => b.contribution - a.contribution);
  const score = 1 - items.reduce((p, i) => p * (1 - i.contribution), 1);
  const explanation = items.length
    ? `Risk ${score.toFixed(2)} from ${items.length} red flag(s): ${items.map((i) => `${i.title} (${i.findings} finding(s), weight ${i.weight} × score ${i.maxScore.toFixed(2)})`).join('; ')}.`
    : 'No red flags raised by the findings in the store.';
  return { score: Math.round(score * 1000) / 1000, items, explanation };
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
    risk: riskProfile(fs),
  };
}
