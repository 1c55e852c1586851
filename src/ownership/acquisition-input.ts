import type { OwnershipChange } from './acquisition.js';
import { BLOCKED, LISTED, POSSIBLE } from './control.js';
import { FRONT_PARAMS, type FrontScore } from './front-company.js';
import { captionOf, type OwnershipNetwork } from './network.js';
import { isOwnershipRole } from './roles.js';

/**
 * The dated ownership changes of a hull, each marked DPRK-linked (listed, blocked or possibly blocked under the
 * 50 % rule, or based in the DPRK) and front (front-company score at the threshold or more): the detector's input.
 */
export function ownershipChanges(net: OwnershipNetwork, imo: number, front: FrontScore[]): OwnershipChange[] {
  const frontBy = new Map(front.map((f) => [f.node, f]));
  const out: OwnershipChange[] = [];
  for (const l of net.links) {
    if (l.asset !== `imo-${imo}` || !isOwnershipRole(l.role) || !l.startDate) continue;
    const v = net.nodeIndex.get(l.party);
    const st = v === undefined ? 0 : net.control.state[v]!;
    const reasons: string[] = [];
    if (st === LISTED) reasons.push('listed');
    else if (st === BLOCKED) reasons.push('blocked under the 50 % rule');
    else if (st === POSSIBLE) reasons.push('possibly blocked under the 50 % rule');
    const members = net.parties.members(l.party).map((id) => net.parties.entities.get(id));
    if (members.some((e) => e?.get('country').includes('kp'))) reasons.push('based in the DPRK');
    const f = frontBy.get(l.party);
    const isFront = f !== undefined && f.score >= FRONT_PARAMS.minScore;
    if (isFront) reasons.push(`front-company score ${f.score}`);
    out.push({
      date: l.startDate,
      party: l.party,
      partyName: captionOf(net, l.party),
      role: l.role,
      dprkLinked: st !== 0 || reasons.includes('based in the DPRK'),
      front: isFront,
      reasons,
      source: l.source,
      record: l.sourceRecord,
    });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
