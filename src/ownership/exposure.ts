import { type Finding, findingId } from '../findings/finding.js';
import { BLOCKED, controlPaths, LISTED, POSSIBLE } from './control.js';
import { dateStartIso, type OwnershipLink } from './link.js';
import { captionOf, inForce, type OwnershipNetwork } from './network.js';
import { EXPOSING_ROLES } from './roles.js';

/**
 * `vessel.ownership_exposure`: a ship whose owner, manager or operator is listed, is blocked (or possibly blocked)
 * under the 50 % rule, or also owns or manages a listed ship. One finding per (ship, party, reason), explained
 * in one sentence ("managed by X, which is 60 % owned by listed Y since 2023-04-01") with the statements as
 * evidence.
 */
export const EXPOSURE_KIND = 'vessel.ownership_exposure';

export const EXPOSURE_PARAMS = {
  /** Score when the party itself is listed. */
  listedScore: 0.9,
  /** Score when the party is blocked by the 50 % rule. */
  blockedScore: 0.8,
  /** Score when the party shares control of a listed ship. */
  sharedControllerScore: 0.6,
  /** Score when the party is possibly blocked (unknown percentages). */
  possibleScore: 0.5,
} as const;

const ROLE_VERB: Record<string, string> = {
  'registered owner': 'owned by',
  'beneficial owner': 'beneficially owned by',
  shareholder: 'owned by',
  'ship manager': 'managed by',
  'ISM/DOC company': 'ISM-managed by',
  operator: 'operated by',
  'commercial manager': 'commercially managed by',
  'linked to': 'linked to',
};

function pctText(p: number | undefined): string {
  return p === undefined ? 'an unknown share' : `${Number(p.toFixed(2))} %`;
}

function evidenceOf(links: OwnershipLink[], note: string): Finding['evidence'] {
  return links.map((l) => ({ source: l.source, record: l.sourceRecord, note: `${note} (${l.via})` }));
}

export function vesselExposure(net: OwnershipNetwork, opts: { imo?: number } = {}): Finding[] {
  const out: Finding[] = [];
  const { control, nodeIndex } = net;
  // Exposing links in force, per asset hull and per party.
  const byHull = new Map<string, OwnershipLink[]>();
  const hullsOfParty = new Map<string, Set<string>>();
  for (const l of net.links) {
    if (!l.asset.startsWith('imo-') || !EXPOSING_ROLES.has(l.role) || !inForce(l, net.asOf)) continue;
    if (opts.imo !== undefined && l.asset !== `imo-${opts.imo}`) {
      let s = hullsOfParty.get(l.party);
      if (!s) hullsOfParty.set(l.party, (s = new Set()));
      s.add(l.asset);
      continue;
    }
    let list = byHull.get(l.asset);
    if (!list) byHull.set(l.asset, (list = []));
    list.push(l);
    let s = hullsOfParty.get(l.party);
    if (!s) hullsOfParty.set(l.party, (s = new Set()));
    s.add(l.asset);
  }
  const stateOf = (node: string): number => {
    const v = nodeIndex.get(node);
    return v === undefined ? 0 : control.state[v]!;
  };
  for (const [hull, links] of byHull) {
    const imo = Number(hull.slice(4));
    const record = net.registry.get(imo);
    const shipName = captionOf(net, hull);
    const vesselIds = record ? record.entityIds : [hull];
    const byParty = new Map<string, OwnershipLink[]>();
    for (const l of links) {
      const list = byParty.get(l.party) ?? [];
      list.push(l);
      byParty.set(l.party, list);
    }
    for (const [party, pls] of byParty) {
      const roles = [...new Set(pls.map((l) => l.role))];
      const verbs = roles.map((r) => ROLE_VERB[r] ?? r);
      const verb = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)}` : verbs[0]!;
      const partyName = captionOf(net, party);
      const since = pls.map((l) => l.startDate).find(Boolean);
      const st = stateOf(party);
      let reason: string | undefined;
      let score = 0;
      let because = '';
      const evidence = evidenceOf(pls, `${partyName}: ${roles.join(', ')} of ${shipName}`);
      if (st === LISTED) {
        const members = net.parties.listedMembers.get(party) ?? [];
        reason = 'listed';
        score = EXPOSURE_PARAMS.listedScore;
        because = `listed ${partyName} (${members.join(', ')})`;
        for (const m of members) evidence.push({ source: 'lists', record: m, note: `${partyName} list entry` });
      } else if (st === BLOCKED || st === POSSIBLE) {
        const v = nodeIndex.get(party)!;
        const paths = controlPaths(net.graph, control, v, { maxPaths: 3 });
        const chainOf = (steps: { nodes: number[]; edges: number[] }): string =>
          steps.edges
            .map((e, i) => {
              const owner = captionOf(net, net.nodeIds[steps.nodes[i]!]!);
              const ls = net.edgeLinks[e]!;
              const start = ls.map((l) => l.startDate).find(Boolean);
              const pct = pctText(Number.isNaN(net.edgePct[e]!) ? undefined : net.edgePct[e]);
              for (const l of ls)
                evidence.push({ source: l.source, record: l.sourceRecord, note: `${owner} holds ${pct}` });
              return `${pct} owned by ${i === 0 ? 'listed ' : ''}${owner}${start ? ` since ${start}` : ''}`;
            })
            .reverse()
            .join(', which is ');
        const chain = paths.map(chainOf).join(' and ');
        reason = st === BLOCKED ? 'blocked_50pct' : 'possibly_blocked_50pct';
        score = st === BLOCKED ? EXPOSURE_PARAMS.blockedScore : EXPOSURE_PARAMS.possibleScore;
        const share = control.share[v]!;
        because =
          st === BLOCKED
            ? `${partyName}, which is ${chain || `${share} % owned by blocked persons`} (blocked under the 50 % rule: ${Number(share.toFixed(2))} % in the aggregate)`
            : `${partyName}, which is ${chain || 'owned by blocked persons'} (possibly blocked under the 50 % rule: ${Number(share.toFixed(2))} % known, up to ${Number(control.upper[v]!.toFixed(2))} % with unknown shares)`;
      } else {
        const others = [...(hullsOfParty.get(party) ?? [])].filter((h) => h !== hull && stateOf(h) === LISTED);
        if (others.length > 0) {
          reason = 'shares_controller_with_listed_ship';
          score = EXPOSURE_PARAMS.sharedControllerScore;
          because = `${partyName}, which also controls listed ${others.map((h) => captionOf(net, h)).join(', ')}`;
        }
      }
      if (!reason) continue;
      const explanation =
        reason === 'listed'
          ? `${shipName} is ${verb} ${because}${since ? `, since ${since}` : ''}.`
          : `${shipName} is ${verb} ${because}${since && reason === 'shares_controller_with_listed_ship' ? `, since ${since}` : ''}.`;
      const start = dateStartIso(since ?? net.asOf);
      const subjects = [...vesselIds, ...net.parties.members(party)];
      out.push({
        id: findingId(EXPOSURE_KIND, [hull, party, reason], start),
        kind: EXPOSURE_KIND,
        subjects,
        start,
        score,
        redFlags: ['COMPLEX_OWNERSHIP'],
        explanation,
        evidence,
        params: { ...EXPOSURE_PARAMS, threshold: 50, asOf: net.asOf },
        details: { imo, party, partyName, roles, reason },
      });
    }
  }
  return out.sort((a, b) => b.score - a.score || a.explanation.localeCompare(b.explanation));
}
