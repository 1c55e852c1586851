import type { Entity } from '../model/entity.js';
import type { Statement } from '../model/statement.js';
import { vesselNameKey } from '../registry/identity.js';
import type { VesselRegistry } from '../registry/registry.js';
import { type OwnershipLink, parsePercentage } from './link.js';
import { parseAssetOf, parseOwnerRemarks } from './list-remarks.js';
import { findParty, type PartyIndex } from './parties.js';
import { parseRole, type Role } from './roles.js';

/**
 * Ownership and management links from FtM entities, with graph nodes already resolved (hulls to `imo-<IMO>`,
 * parties to their group): FtM Ownership/Directorship/Representation/UnknownLink entities, a Vessel's
 * `owner`/`operator`, OFAC's "Vessel owner:" notes and the owner sentences of UN/UK/EU entries.
 */
/** Name key → the hulls bearing it (names, aliases, former names, from every source). */
export function hullNameIndex(registry: VesselRegistry): Map<string, Set<number>> {
  const hullsByName = new Map<string, Set<number>>();
  for (const r of registry.byImo.values()) {
    for (const f of r.facts) {
      if (f.prop !== 'name' && f.prop !== 'alias' && f.prop !== 'previousName') continue;
      const k = vesselNameKey(f.value);
      let s = hullsByName.get(k);
      if (!s) hullsByName.set(k, (s = new Set()));
      s.add(r.imo);
    }
  }
  return hullsByName;
}

/** The one hull bearing a name key (undefined when none or several do). */
export function hullOfNameKey(index: Map<string, Set<number>>, key: string): string | undefined {
  const s = index.get(key);
  return s && s.size === 1 ? `imo-${[...s][0]}` : undefined;
}

/**
 * `resolved`, when given, records each ship name the list remarks asked for and the hull it resolved to: the only
 * way the links depend on the registry's names, so a caller can tell whether new AIS identities change them.
 */
export function linksFromEntities(
  entities: Iterable<Entity>,
  registry: VesselRegistry,
  parties: PartyIndex,
  resolved?: Map<string, string | undefined>,
): OwnershipLink[] {
  const out: OwnershipLink[] = [];
  const hullsByName = hullNameIndex(registry);
  const hullNamed = (name: string): string | undefined => {
    const key = vesselNameKey(name);
    const hull = hullOfNameKey(hullsByName, key);
    resolved?.set(key, hull);
    return hull;
  };
  const first = (e: Entity, prop: string): Statement | undefined => e.statements.find((s) => s.prop === prop);
  const push = (
    e: Entity,
    party: string | undefined,
    asset: string | undefined,
    role: Role,
    via: string,
    st: Statement | undefined,
    extra: Partial<OwnershipLink> = {},
  ): void => {
    if (!party || !asset || party === asset) return;
    out.push({
      id: e.id,
      party: parties.node(party),
      asset: parties.node(asset),
      role,
      source: st?.source ?? [...e.datasets][0] ?? 'unknown',
      sourceRecord: st?.sourceRecord ?? e.id,
      via,
      ...extra,
    });
  };
  for (const e of entities) {
    const dates = { startDate: e.first('startDate') ?? e.first('date'), endDate: e.first('endDate') };
    switch (e.schema) {
      case 'Ownership': {
        const role = parseRole(e.first('role') ?? '') ?? 'shareholder';
        const pct = parsePercentage(e.first('percentage'));
        push(e, e.first('owner'), e.first('asset'), role, 'FtM Ownership', first(e, 'owner'), {
          ...dates,
          percentage: pct,
        });
        continue;
      }
      case 'Directorship':
        push(
          e,
          e.first('director'),
          e.first('organization'),
          'director',
          'FtM Directorship',
          first(e, 'director'),
          dates,
        );
        continue;
      case 'Representation':
        push(e, e.first('agent'), e.first('client'), 'representative', 'FtM Representation', first(e, 'agent'), dates);
        continue;
      case 'UnknownLink': {
        const label = e.first('role') ?? '';
        const role = parseRole(label) ?? parseRole(label.replace(/:$/, '')) ?? 'linked to';
        const subject = e.first('subject');
        const object = e.first('object');
        // OFAC puts "Linked To: <owner>" on the vessel: the vessel is the subject, the company the party.
        const subjectIsVessel = subject !== undefined && registry.imoOfEntity.has(subject);
        const [party, asset] = subjectIsVessel
          ? [object, subject]
          : role === 'linked to'
            ? [object, subject]
            : [subject, object];
        const pct = parsePercentage(e.first('percentage'));
        push(
          e,
          party,
          asset,
          subjectIsVessel && role === 'linked to' ? 'linked to' : role,
          `link "${label}"`,
          first(e, 'subject'),
          {
            ...dates,
            percentage: pct,
          },
        );
        continue;
      }
      case 'Vessel': {
        for (const o of e.get('owner')) push(e, o, e.id, 'registered owner', 'Vessel owner', first(e, 'owner'));
        for (const o of e.get('operator')) push(e, o, e.id, 'operator', 'Vessel operator', first(e, 'operator'));
        for (const st of e.statements) {
          if (st.prop !== 'notes') continue;
          const owner = /^Vessel owner:\s*(.+)$/.exec(st.value);
          if (owner) push(e, findParty(parties, owner[1]!), e.id, 'registered owner', 'list: Vessel owner', st);
          const asset = parseAssetOf(st.value);
          if (asset)
            push(
              e,
              findParty(parties, asset.name, asset.unRef),
              e.id,
              'registered owner',
              'list: Listed as asset of',
              st,
            );
        }
        continue;
      }
      default:
        if (!parties.entities.has(e.id)) continue;
        for (const st of e.statements) {
          if (st.prop !== 'notes') continue;
          for (const claim of parseOwnerRemarks(st.value)) {
            for (const name of claim.vesselNames) {
              const hull = hullNamed(name);
              if (!hull) continue;
              for (const role of claim.roles) push(e, e.id, hull, role, `list: "${claim.sentence.slice(0, 80)}"`, st);
            }
          }
        }
    }
  }
  return dedupe(out);
}

/** One link per (party, asset, role, percentage, dates, source): several list entries say the same thing. */
function dedupe(links: OwnershipLink[]): OwnershipLink[] {
  const seen = new Set<string>();
  const out: OwnershipLink[] = [];
  for (const l of links) {
    const k = [l.party, l.asset, l.role, l.percentage, l.startDate, l.endDate, l.source].join('\u0001');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(l);
  }
  return out;
}
