/**
 * The vessel identity annex: one table per hull named in the case (by IMO when any source gives one, else by
 * MMSI): names and flags with the dates each source gives, IMO, MMSI, call sign, type, tonnage, owners and managers,
 * and its designation status in each loaded list with the entry's reference and date. Read from the vessel
 * registry and ownership network (src/registry, src/ownership: read-only here) and from AIS identities.
 */
import type { Finding } from '../../findings/finding.js';
import { shipTypeText } from '../../maritime/ais/legends.js';
import type { IdentityRow } from '../../maritime/store/identities.js';
import type { Entity } from '../../model/entity.js';
import { loadNetwork } from '../../ownership/load.js';
import { type VesselView, vesselView } from '../../ownership/vessel-view.js';
import { imoKey } from '../../registry/imo.js';
import type { ListVersion, Store } from '../../store/store.js';
import { sanctionsOf } from '../entity-view.js';
import { longDate } from './format.js';

/** A list entry designating a hull or one of its parties. */
export interface Designation {
  list: string;
  entityId: string;
  name: string;
  /** The list's own reference (UN reference number, OFAC ent_num, EU/UK id). */
  reference: string;
  /** Listing date (YYYY-MM-DD) when the list gives one. */
  listed?: string;
  programme?: string;
  /** The list version read, and the sha256 of its file. */
  version?: ListVersion;
  sourceRecord: string;
}

export interface HullIdentity {
  /** The name the report uses for the hull in prose. */
  name: string;
  /** Its names in Korean or Chinese script, from any source (printed beside the name). */
  scripts: string[];
  imo: number | null;
  mmsis: number[];
  /** Label, value (plain text), source and dates of each identity fact, in table order. */
  rows: Array<{ label: string; value: string; source: string; dates: string }>;
  owners: Array<{ role: string; name: string; dates: string; source: string }>;
  designations: Designation[];
  /** Lists loaded in the store that do not name the hull. */
  notListedIn: string[];
}

const LIST_LABELS: Record<string, string> = {
  un_sc_sanctions: 'UN Security Council Consolidated List',
  un_sc: 'UN Security Council Consolidated List',
  us_ofac_sdn: 'OFAC SDN List',
  eu_fsf: 'EU Financial Sanctions Files',
  gb_hmt_sanctions: 'UK OFSI Consolidated List',
  gb_ofsi: 'UK OFSI Consolidated List',
  ais: 'AIS',
  ship_registry: 'ship registry',
};

export function listLabel(source: string): string {
  return LIST_LABELS[source] ?? source;
}

const HANGUL_HAN = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff]/;

/** True when the text has Hangul or Han characters. */
export function isCjk(text: string): boolean {
  return HANGUL_HAN.test(text);
}

/** An entity's romanised name with its Korean or Chinese name(s) beside it: `KOREA ACHIM SHIPPING CO (조선아침해운회사)`. */
const ENGLISH =
  /\b(of|the|and|korea|dprk|company|co|ltd|corporation|shipping|trading|maritime|administration|bureau|bank|group|general|ministry|department)\b/gi;

/** The romanised name to print: the first non-CJK name, else the alias that reads most like English. */
function romanised(e: Entity): string {
  const name = e.get('name').find((n) => !isCjk(n));
  if (name) return name;
  const aliases = [...e.get('alias'), ...e.get('weakAlias'), ...e.get('previousName')].filter((n) => !isCjk(n));
  let best: string | undefined;
  let bestScore = -1;
  for (const a of aliases) {
    const score = (a.match(ENGLISH) ?? []).length * 2 + (/^[\x20-\x7e]+$/.test(a) ? 1 : 0);
    if (score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  return best ?? e.caption();
}

export function nameWithScripts(e: Entity): string {
  const all = [...e.get('name'), ...e.get('alias'), ...e.get('weakAlias'), ...e.get('previousName')];
  const latin = romanised(e);
  const scripts = [...new Set(all.filter(isCjk))];
  return scripts.length ? `${latin} (${scripts.join('; ')})` : latin;
}

function span(first?: string, last?: string): string {
  if (!first && !last) return '';
  const a = first ? longDate(first) : '';
  const b = last ? longDate(last) : '';
  if (first && last && a !== b) return `${a} to ${b}`;
  return first && last ? a : a || `until ${b}`;
}

/** Entity ids on AIS vessels the case's findings name, by MMSI, with the IMO the finding recorded. */
function hullsOf(
  findings: Finding[],
  entities: Entity[],
): Array<{ imo: number | null; mmsi: number | null; name: string }> {
  const out: Array<{ imo: number | null; mmsi: number | null; name: string }> = [];
  const seen = new Set<string>();
  const push = (imo: number | null, mmsi: number | null, name: string) => {
    const key = imo ? `imo${imo}` : `mmsi${mmsi}`;
    if (seen.has(key)) {
      // A later MMSI for a known IMO (a hull that changed MMSI) still joins it.
      return;
    }
    seen.add(key);
    out.push({ imo, mmsi, name });
  };
  for (const f of findings)
    for (const v of f.vessels ?? []) push(imoKey(v.imo) ?? null, v.mmsi, v.name ?? `MMSI ${v.mmsi}`);
  for (const e of entities) {
    if (e.schema !== 'Vessel') continue;
    const imo = e
      .get('imoNumber')
      .map((x) => imoKey(x))
      .find((x) => x !== undefined);
    const mmsi = Number(e.first('mmsi') ?? Number.NaN);
    if (imo !== undefined || Number.isFinite(mmsi)) push(imo ?? null, Number.isFinite(mmsi) ? mmsi : null, e.caption());
  }
  return out;
}

async function aisRows(store: Store, mmsi: number): Promise<IdentityRow[]> {
  const rows = await store.db.query(
    'SELECT mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen, messages FROM vessel_identity WHERE mmsi = $1 ORDER BY first_seen',
    [mmsi],
  );
  return rows.map((r) => ({
    mmsi: Number(r.mmsi),
    name: (r.name as string | null) ?? null,
    callsign: (r.callsign as string | null) ?? null,
    imo: r.imo === null || r.imo === undefined ? null : Number(r.imo),
    shipType: r.ship_type === null || r.ship_type === undefined ? null : Number(r.ship_type),
    flag: (r.flag as string | null) ?? null,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    messages: Number(r.messages),
  }));
}

/** Sanction entities per entity id, read once per report (the identity annex, footnotes and entity table share them). */
export type SanctionsMemo = Map<string, Promise<Entity[]>>;

/** `sanctionsOf(store, e)`, read once per entity for the life of `memo`. */
export function sanctionsMemoised(store: Store, e: Entity, memo: SanctionsMemo): Promise<Entity[]> {
  let p = memo.get(e.id);
  if (!p) {
    p = sanctionsOf(store, e);
    memo.set(e.id, p);
  }
  return p;
}

/** The list entries designating `entityId`: its Sanction entities' authority ids and dates. */
export async function designationsOf(
  store: Store,
  e: Entity,
  versions: Map<string, ListVersion>,
  memo: SanctionsMemo = new Map(),
): Promise<Designation[]> {
  const out: Designation[] = [];
  const sanctions = await sanctionsMemoised(store, e, memo);
  const versionOf = (ent: Entity): ListVersion | undefined => {
    for (const st of ent.statements) if (st.versionId && versions.has(st.versionId)) return versions.get(st.versionId);
    return undefined;
  };
  const listedTopic = e.get('topics').some((t) => t === 'sanction' || t.startsWith('sanction.'));
  for (const s of sanctions) {
    const ds = [...s.datasets][0] ?? [...e.datasets][0] ?? '';
    out.push({
      list: listLabel(ds),
      entityId: e.id,
      name: nameWithScripts(e),
      reference: s.first('unscId') ?? s.first('authorityId') ?? e.id,
      listed: s.first('listingDate') ?? s.first('startDate') ?? undefined,
      programme: s.first('programId') ?? s.first('program') ?? undefined,
      version: versionOf(s) ?? versionOf(e),
      sourceRecord: s.statements[0]?.sourceRecord ?? e.statements[0]?.sourceRecord ?? '',
    });
  }
  if (out.length === 0 && listedTopic) {
    const ds = [...e.datasets][0] ?? '';
    out.push({
      list: listLabel(ds),
      entityId: e.id,
      name: nameWithScripts(e),
      reference: e.first('unscId') ?? e.id,
      version: versionOf(e),
      sourceRecord: e.statements[0]?.sourceRecord ?? '',
    });
  }
  return out;
}

/** "AIS ship type 80" (the registry's AIS-derived type) with its ITU-R M.1371 meaning in words. */
function shipTypeWords(value: string): string {
  const m = /^AIS ship type (\d{1,2})$/.exec(value);
  return m ? `${shipTypeText(Number(m[1]))} (${value})` : value;
}

function factRows(view: VesselView): HullIdentity['rows'] {
  const labels: Record<string, string> = {
    name: 'Name',
    alias: 'Other name',
    previousName: 'Former name',
    flag: 'Flag',
    pastFlag: 'Former flag',
    callSign: 'Call sign',
    mmsi: 'MMSI',
    type: 'Type',
    tonnage: 'Tonnage',
    grossRegisteredTonnage: 'Gross tonnage',
    buildDate: 'Built',
  };
  // One row per property, value and source; AIS spans of the same value merge (first seen to last seen).
  const merged = new Map<
    string,
    { label: string; value: string; source: string; first?: string; last?: string; listed?: string }
  >();
  for (const f of view.identity) {
    const value =
      f.prop === 'flag' || f.prop === 'pastFlag'
        ? f.value.toUpperCase()
        : f.prop === 'type'
          ? shipTypeWords(f.value)
          : f.value;
    const key = `${f.prop}\u0000${value}\u0000${f.source}`;
    const row = merged.get(key) ?? { label: labels[f.prop] ?? f.prop, value, source: listLabel(f.source) };
    if (f.source === 'ais') {
      if (f.firstSeen && (!row.first || f.firstSeen < row.first)) row.first = f.firstSeen;
      if (f.lastSeen && (!row.last || f.lastSeen > row.last)) row.last = f.lastSeen;
    } else if (f.firstSeen && (!row.listed || f.firstSeen < row.listed)) row.listed = f.firstSeen;
    merged.set(key, row);
  }
  return [...merged.values()].map((r) => ({
    label: r.label,
    value: r.value,
    source: r.source,
    dates: r.first || r.last ? span(r.first, r.last) : r.listed ? `as listed on ${longDate(r.listed)}` : '',
  }));
}

/** Identity tables for every hull the case's findings and vessel entities name. */
export async function hullIdentities(
  store: Store,
  findings: Finding[],
  entities: Entity[],
  memo: SanctionsMemo = new Map(),
): Promise<HullIdentity[]> {
  const hulls = hullsOf(findings, entities);
  if (hulls.length === 0) return [];
  const current = await store.currentVersions();
  const versions = new Map(current.map((v) => [v.id, v]));
  const needsNetwork = hulls.some((h) => h.imo !== null);
  const net = needsNetwork ? await loadNetwork(store) : undefined;
  const out: HullIdentity[] = [];
  for (const h of hulls) {
    let view: VesselView | undefined;
    if (net && h.imo !== null) {
      try {
        view = vesselView(net, String(h.imo));
      } catch {
        view = undefined;
      }
    }
    const rows: HullIdentity['rows'] = [];
    const mmsis = new Set<number>();
    if (h.mmsi !== null) mmsis.add(h.mmsi);
    let owners: HullIdentity['owners'] = [];
    const designations: Designation[] = [];
    if (view) {
      rows.push({ label: 'IMO number', value: String(view.imo), source: 'registry', dates: '' });
      rows.push(...factRows(view));
      for (const f of view.identity) if (f.prop === 'mmsi') mmsis.add(Number(f.value));
      const partyIds = [...new Set(view.parties.map((p) => p.party))];
      const partyEntities = new Map((await store.getEntities(partyIds)).map((e) => [e.id, e]));
      owners = view.parties.map((p) => {
        const pe = partyEntities.get(p.party);
        return {
          role: p.role,
          name: pe ? nameWithScripts(pe) : p.name,
          dates: span(p.startDate, p.endDate) || (p.current ? 'current' : ''),
          source: listLabel(p.source),
        };
      });
      const listed = await store.getEntities([...new Set(view.listed.map((l) => l.entityId))]);
      for (const e of listed) designations.push(...(await designationsOf(store, e, versions, memo)));
      // An owner or manager is designated in every list that names one of its entries (a company listed by the UN,
      // OFAC, the EU and the UK is one party with four entries), not only in the list of the entry naming the party.
      const ownerEntries = [...new Set(view.parties.flatMap((p) => p.listEntries))].sort();
      for (const e of await store.getEntities(ownerEntries))
        for (const d of await designationsOf(store, e, versions, memo))
          designations.push({ ...d, name: `${d.name} (owner or manager)` });
    } else if (h.mmsi !== null) {
      if (h.imo !== null) rows.push({ label: 'IMO number', value: String(h.imo), source: 'AIS', dates: '' });
      for (const r of await aisRows(store, h.mmsi)) {
        const dates = span(new Date(r.firstSeen).toISOString(), new Date(r.lastSeen).toISOString());
        rows.push({ label: 'MMSI', value: String(r.mmsi), source: 'AIS', dates });
        if (r.name) rows.push({ label: 'Name', value: r.name, source: 'AIS', dates });
        if (r.flag) rows.push({ label: 'Flag', value: r.flag, source: 'AIS (from the MMSI)', dates });
        if (r.callsign) rows.push({ label: 'Call sign', value: r.callsign, source: 'AIS', dates });
        if (r.shipType !== null)
          rows.push({
            label: 'Type',
            value: shipTypeWords(`AIS ship type ${r.shipType}`),
            source: 'AIS',
            dates,
          });
      }
    }
    const listedIn = new Set(designations.filter((d) => !d.name.endsWith('(owner or manager)')).map((d) => d.list));
    // Sanctions lists only: a ship-registry extract is a source of identity facts, not a list that designates.
    const notListedIn = current
      .filter((v) => v.format !== 'registry-csv' && !listedIn.has(listLabel(v.source)))
      .map((v) => `${listLabel(v.source)} (version of ${longDate(v.fetchedAt)})`);
    const scripts = [
      ...new Set(
        (view?.identity ?? [])
          .filter((f) => (f.prop === 'name' || f.prop === 'alias' || f.prop === 'previousName') && isCjk(f.value))
          .map((f) => f.value),
      ),
    ];
    out.push({
      name: view?.names.current[0] ?? h.name,
      scripts,
      imo: view?.imo ?? h.imo,
      mmsis: [...mmsis],
      rows,
      owners,
      designations,
      notListedIn,
    });
  }
  return out;
}
