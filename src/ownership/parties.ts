import { Entity } from '../model/entity.js';
import { vesselNameKey } from '../registry/identity.js';
import type { VesselRegistry } from '../registry/registry.js';

/**
 * Parties across lists: the same company is an entry in the UN, OFAC, EU and UK lists and a row in a registry
 * extract. Entries are joined on strong keys only: the 7-digit IMO company number, the UN reference (KPe.066 on
 * the UN, UK and EU entries) and, for organisations, the exact name (letters and digits). Vessels are nodes
 * `imo-<IMO>` (one per hull, from the registry). Each group is represented by its smallest entity id.
 */
export class PartyIndex {
  private readonly parent = new Map<string, string>();
  readonly entities = new Map<string, Entity>();
  /** Group representative → listed member ids (entities with topic "sanction"). */
  readonly listedMembers = new Map<string, string[]>();

  /** Settable: a network rebuilt for new AIS identities reuses the parties with its new registry (network.ts). */
  constructor(public registry: VesselRegistry) {}

  private root(id: string): string {
    let r = id;
    for (let p = this.parent.get(r); p !== undefined && p !== r; p = this.parent.get(r)) r = p;
    // Path compression.
    let c = id;
    while (c !== r) {
      const p = this.parent.get(c)!;
      this.parent.set(c, r);
      c = p;
    }
    return r;
  }

  union(a: string, b: string): void {
    this.groups = undefined;
    if (!this.parent.has(a)) this.parent.set(a, a);
    if (!this.parent.has(b)) this.parent.set(b, b);
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return;
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }

  /** Canonical id (issue 13) → one member entity id, so a canonical id names its party. */
  readonly canonicalMember = new Map<string, string>();

  /** The graph node of an entity: `imo-<IMO>` for a known hull, the group representative for a party. */
  node(id: string): string {
    const imo = this.registry.imoOfEntity.get(id);
    if (imo !== undefined) return `imo-${imo}`;
    if (this.parent.has(id)) return this.root(id);
    const member = this.canonicalMember.get(id);
    return member !== undefined ? this.root(member) : id;
  }

  /** Group representative → member ids, built on first use (the groups are fixed once the index is built). */
  private groups: Map<string, string[]> | undefined;

  members(node: string): string[] {
    if (!this.groups) {
      this.groups = new Map();
      for (const id of this.parent.keys()) {
        const r = this.root(id);
        const g = this.groups.get(r);
        if (g) g.push(id);
        else this.groups.set(r, [id]);
      }
    }
    return [...(this.groups.get(node) ?? [node])];
  }

  /** Lookup keys of `findParty`, built on first use: UN reference and exact organisation name → entity id. */
  lookup: { unRef: Map<string, string>; name: Map<string, string> } | undefined;

  /** The index as plain data (parties.ts `partiesFromSnapshot`): what load.ts keeps in the store per entity key. */
  snapshot(): PartySnapshot {
    const entities: PartySnapshot['entities'] = [];
    for (const e of this.entities.values()) {
      const props: Array<[string, string[]]> = [];
      for (const [k, v] of e.properties) if (KEPT_PROPS.has(k)) props.push([k, v]);
      entities.push([e.id, e.schema, props, [...e.datasets]]);
    }
    return {
      entities,
      roots: [...this.parent.keys()].map((id) => [id, this.root(id)]),
      listed: [...this.listedMembers],
      canonicalMember: [...this.canonicalMember],
    };
  }

  static fromSnapshot(registry: VesselRegistry, snap: PartySnapshot): PartyIndex {
    const idx = new PartyIndex(registry);
    for (const [id, schema, props, datasets] of snap.entities) {
      const e = new Entity(id, schema);
      for (const [k, vs] of props) for (const v of vs) e.add(k, v);
      for (const d of datasets) e.datasets.add(d);
      idx.entities.set(id, e);
    }
    for (const [id, root] of snap.roots) idx.parent.set(id, root);
    for (const [node, ids] of snap.listed) idx.listedMembers.set(node, ids);
    for (const [cid, id] of snap.canonicalMember) idx.canonicalMember.set(cid, id);
    return idx;
  }

  isListed(node: string): boolean {
    return this.listedMembers.has(node);
  }

  caption(node: string): string {
    if (node.startsWith('imo-')) return `IMO ${node.slice(4)}`;
    const e = this.entities.get(node);
    return e?.first('name') ?? node;
  }
}

/**
 * The properties of a party read once the index and the links are built: its caption and the front-company
 * indicators' (front-company.ts) and the acquisitions' (acquisition-input.ts) inputs. The keys it was joined on,
 * its topics and notes are read only while building.
 */
const KEPT_PROPS = new Set(['name', 'address', 'phone', 'email', 'country', 'incorporationDate']);

/** A PartyIndex as plain data: entities (id, schema, the KEPT_PROPS, datasets), each id's group, listings. */
export interface PartySnapshot {
  entities: Array<[string, string, Array<[string, string[]]>, string[]]>;
  roots: Array<[string, string]>;
  listed: Array<[string, string[]]>;
  canonicalMember: Array<[string, string]>;
}

export const PARTY_SCHEMAS = new Set(['Company', 'Organization', 'LegalEntity', 'Person', 'PublicBody']);
const NAMED_JOIN = new Set(['Company', 'Organization', 'LegalEntity']);

function isListed(e: Entity): boolean {
  return e.get('topics').some((t) => t === 'sanction' || t.startsWith('sanction.'));
}

/**
 * `canonical` (entity id → canonical id, from issue 13's resolver: src/resolve/canonical.ts `canonicalIdsOf`) joins
 * the entries the resolver merged (strong identifiers across lists, identity documents, reviewers' judgements), so
 * a company listed by OFAC and the UK is one owner node; a canonical id then names its party too.
 */
export function buildParties(
  entities: Iterable<Entity>,
  registry: VesselRegistry,
  canonical?: ReadonlyMap<string, string>,
): PartyIndex {
  const idx = new PartyIndex(registry);
  const byKey = new Map<string, string>();
  const join = (key: string, id: string): void => {
    const prev = byKey.get(key);
    if (prev === undefined) byKey.set(key, id);
    else idx.union(prev, id);
  };
  const parties: Entity[] = [];
  for (const e of entities) {
    if (!PARTY_SCHEMAS.has(e.schema)) continue;
    parties.push(e);
    idx.entities.set(e.id, e);
    idx.union(e.id, e.id);
    // Company numbers (IMO's 7-digit company and registered owner numbers) carry no ship-style check digit.
    for (const v of e.get('imoNumber')) {
      const m = /(\d{7})/.exec(v);
      if (m) join(`imo:${m[1]}`, e.id);
    }
    for (const v of e.get('idNumber')) if (/^KP[ei]\.\d+$/i.test(v)) join(`un:${v.toUpperCase()}`, e.id);
    const un = /^un-(kp[ei])-(\d+)$/.exec(e.id);
    if (un) join(`un:${un[1]!.toUpperCase()}.${un[2]}`, e.id);
    if (NAMED_JOIN.has(e.schema)) for (const n of e.get('name')) join(`name:${vesselNameKey(n)}`, e.id);
    const cid = canonical?.get(e.id);
    if (cid !== undefined && cid !== e.id) {
      join(`canonical:${cid}`, e.id);
      idx.canonicalMember.set(cid, e.id);
    }
  }
  for (const e of parties) {
    if (!isListed(e)) continue;
    const node = idx.node(e.id);
    const list = idx.listedMembers.get(node) ?? [];
    list.push(e.id);
    idx.listedMembers.set(node, list);
  }
  return idx;
}

/** A party named in free text: by UN reference first, then by exact organisation name. */
export function findParty(idx: PartyIndex, name: string, unRef?: string): string | undefined {
  if (!idx.lookup) {
    // The first entity (iteration order) holding a key wins, as the linear scan this replaces did.
    const unRefs = new Map<string, string>();
    const names = new Map<string, string>();
    for (const e of idx.entities.values()) {
      for (const v of e.get('idNumber')) if (!unRefs.has(v.toUpperCase())) unRefs.set(v.toUpperCase(), e.id);
      const un = /^un-(kp[ei])-(\d+)$/.exec(e.id);
      if (un) {
        const k = `${un[1]!.toUpperCase()}.${un[2]}`;
        if (!unRefs.has(k)) unRefs.set(k, e.id);
      }
      if (NAMED_JOIN.has(e.schema))
        for (const n of e.get('name')) {
          const k = vesselNameKey(n);
          if (!names.has(k)) names.set(k, e.id);
        }
    }
    idx.lookup = { unRef: unRefs, name: names };
  }
  if (unRef) {
    const hit = idx.lookup.unRef.get(unRef.toUpperCase());
    if (hit !== undefined) return idx.node(hit);
  }
  const byName = idx.lookup.name.get(vesselNameKey(name));
  return byName === undefined ? undefined : idx.node(byName);
}
