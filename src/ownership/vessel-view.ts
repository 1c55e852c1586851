import { NotFoundError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import { type IdentityConflicts, identityConflicts } from '../registry/conflicts.js';
import type { IdentityFact } from '../registry/identity.js';
import { namesOf } from '../registry/registry.js';
import { type OwnershipChain, ownershipChain } from './chain.js';
import { vesselExposure } from './exposure.js';
import { type ControlReport, captionOf, controlOf, inForce, type OwnershipNetwork } from './network.js';

/**
 * `watchkeeper vessel show IMO` and `GET /ownership/vessels/{imo}`: one hull's identity timeline with sources,
 * its owners and managers over time, the 50 % computation and the exposure findings.
 */
export interface VesselView {
  imo: number;
  names: { current: string[]; former: string[] };
  entityIds: string[];
  joinedByName: string[];
  listed: Array<{ entityId: string; source: string }>;
  identity: IdentityFact[];
  /** AIS identities of the IMO: MMSI succession and MMSIs claiming it at the same time. */
  conflicts: IdentityConflicts;
  parties: Array<{
    party: string;
    name: string;
    role: string;
    percentage?: number;
    startDate?: string;
    endDate?: string;
    current: boolean;
    source: string;
    sourceRecord: string;
    via: string;
    /** The party's own status: listed (its list entries), blocked under the 50 % rule, or possibly blocked. */
    listed: boolean;
    listEntries: string[];
    blocked: ControlReport['blocked'];
    /** The 50 % rule's answer for the party (share held by blocked persons and the ownership paths). */
    partyControl?: Pick<ControlReport, 'share' | 'upperShare' | 'paths'>;
  }>;
  /** The equity owners in force up to the ultimate owners, whoever they are (the 50 % paths start at listed ones). */
  chain: OwnershipChain;
  control: ControlReport;
  exposure: Finding[];
}

const PROP_ORDER = [
  'name',
  'alias',
  'previousName',
  'flag',
  'pastFlag',
  'callSign',
  'mmsi',
  'type',
  'tonnage',
  'grossRegisteredTonnage',
  'buildDate',
];

export function vesselView(net: OwnershipNetwork, ref: string): VesselView {
  const r = net.registry.find(ref);
  if (!r)
    throw new NotFoundError(
      `no vessel with IMO "${ref}" in the registry (give a 7-digit IMO number with a valid check digit)`,
    );
  const hull = `imo-${r.imo}`;
  const identity = [...r.facts].sort(
    (a, b) =>
      PROP_ORDER.indexOf(a.prop) - PROP_ORDER.indexOf(b.prop) ||
      (a.firstSeen ?? '').localeCompare(b.firstSeen ?? '') ||
      a.source.localeCompare(b.source),
  );
  const controls = new Map<string, ControlReport | undefined>();
  const controlOfParty = (party: string): ControlReport | undefined => {
    if (!controls.has(party)) controls.set(party, controlOf(net, party));
    return controls.get(party);
  };
  const parties = net.links
    .filter((l) => l.asset === hull)
    .map((l) => {
      const c = controlOfParty(l.party);
      return {
        party: l.party,
        name: captionOf(net, l.party),
        role: l.role,
        percentage: l.percentage,
        startDate: l.startDate,
        endDate: l.endDate,
        current: inForce(l, net.asOf),
        source: l.source,
        sourceRecord: l.sourceRecord,
        via: l.via,
        listed: net.parties.isListed(l.party),
        listEntries: net.parties.listedMembers.get(l.party) ?? [],
        blocked: c?.blocked ?? false,
        ...(c && c.blocked !== false && !c.listed
          ? { partyControl: { share: c.share, upperShare: c.upperShare, paths: c.paths } }
          : {}),
      };
    })
    .sort((a, b) => (a.startDate ?? '').localeCompare(b.startDate ?? '') || a.role.localeCompare(b.role));
  return {
    imo: r.imo,
    names: namesOf(r),
    entityIds: r.entityIds,
    joinedByName: r.joinedByName,
    listed: r.listed,
    identity,
    conflicts: identityConflicts(r),
    parties,
    chain: ownershipChain(net, hull),
    control: controlOf(net, String(r.imo))!,
    exposure: vesselExposure(net, { imo: r.imo }),
  };
}
