import { NotFoundError } from '../errors.js';
import { type ControlReport, captionOf, controlOf, inForce, type OwnershipNetwork } from './network.js';

/**
 * The entity page's "vessels owned or managed": the hulls a party (any of its list entries or registry rows) owns,
 * manages or operates, over time, with the party's own 50 % rule status. `GET /ownership/parties/{id}/vessels`.
 */
export interface PartyVessels {
  id: string;
  node: string;
  name: string;
  members: string[];
  listed: boolean;
  blocked: ControlReport['blocked'];
  vessels: Array<{
    imo: number;
    name: string;
    /** An entity id of the hull the vessel page opens (a list entry, else the AIS vessel, else a registry row). */
    entityId: string;
    role: string;
    percentage?: number;
    startDate?: string;
    endDate?: string;
    current: boolean;
    source: string;
    sourceRecord: string;
    /** The hull is listed itself. */
    listed: boolean;
  }>;
}

export function partyVessels(net: OwnershipNetwork, id: string): PartyVessels {
  const node = net.parties.node(id);
  if (node.startsWith('imo-') || (!net.parties.entities.has(id) && !net.nodeIndex.has(node)))
    throw new NotFoundError(`no company or person "${id}" in the ownership data`);
  const c = controlOf(net, id);
  const vessels = net.links
    .filter((l) => l.party === node && l.asset.startsWith('imo-'))
    .map((l) => {
      const imo = Number(l.asset.slice(4));
      const r = net.registry.get(imo);
      return {
        imo,
        name: captionOf(net, l.asset),
        entityId:
          r?.listed[0]?.entityId ?? r?.entityIds.find((e) => e.startsWith('ais-')) ?? r?.entityIds[0] ?? l.asset,
        role: l.role,
        percentage: l.percentage,
        startDate: l.startDate,
        endDate: l.endDate,
        current: inForce(l, net.asOf),
        source: l.source,
        sourceRecord: l.sourceRecord,
        listed: (r?.listed.length ?? 0) > 0,
      };
    })
    .sort(
      (a, b) => a.imo - b.imo || (a.startDate ?? '').localeCompare(b.startDate ?? '') || a.role.localeCompare(b.role),
    );
  return {
    id,
    node,
    name: captionOf(net, node),
    members: net.parties.members(node),
    listed: net.parties.isListed(node),
    blocked: c?.blocked ?? false,
    vessels,
  };
}
