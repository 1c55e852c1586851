import { BLOCKED, LISTED, POSSIBLE } from './control.js';
import { captionOf, type OwnershipNetwork } from './network.js';

/**
 * The ownership chain of a hull up to its ultimate owners (issue 14's vessel page): the equity links in force
 * (registered and beneficial owners, shareholders), walked up from the hull breadth first, whoever the owners are
 * (the 50 % rule's paths only start at listed owners). An ultimate owner is one with no owner above it in the loaded
 * sources. Bounded in depth and steps; an ownership cycle is walked once.
 */
export interface ChainStep {
  owner: string;
  ownerName: string;
  asset: string;
  assetName: string;
  /** Absent when no source states the share. */
  percentage?: number;
  role: string;
  startDate?: string;
  /** 1 for the hull's own owners, 2 for their owners, ... */
  depth: number;
  ownerListed: boolean;
  /** The owner's 50 % rule state: listed or blocked (true), possibly blocked, or not. */
  ownerBlocked: true | false | 'possible';
  sources: string[];
}

export interface OwnershipChain {
  steps: ChainStep[];
  /** Owners with no owner above them, in the order reached. */
  ultimateOwners: Array<{ party: string; name: string; listed: boolean; blocked: true | false | 'possible' }>;
  /** True when the depth or step bound stopped the walk. */
  truncated: boolean;
}

export function ownershipChain(
  net: OwnershipNetwork,
  node: string,
  opts: { maxDepth?: number; maxSteps?: number } = {},
): OwnershipChain {
  const maxDepth = opts.maxDepth ?? 10;
  const maxSteps = opts.maxSteps ?? 200;
  const { graph: g, control, nodeIds } = net;
  const start = net.nodeIndex.get(node);
  const out: OwnershipChain = { steps: [], ultimateOwners: [], truncated: false };
  if (start === undefined) return out;
  const blockedOf = (v: number): true | false | 'possible' => {
    const s = control.state[v]!;
    return s === LISTED || s === BLOCKED ? true : s === POSSIBLE ? 'possible' : false;
  };
  const seen = new Set<number>([start]);
  let level = [start];
  for (let depth = 1; level.length > 0; depth++) {
    const next: number[] = [];
    for (const a of level) {
      for (let e = g.inStart[a]!, end = g.inStart[a + 1]!; e < end; e++) {
        if (out.steps.length >= maxSteps || depth > maxDepth) {
          out.truncated = true;
          break;
        }
        const o = g.inOwner[e]!;
        const links = net.edgeLinks[g.inEdge[e]!]!;
        const pct = g.inPct[e]!;
        out.steps.push({
          owner: nodeIds[o]!,
          ownerName: captionOf(net, nodeIds[o]!),
          asset: nodeIds[a]!,
          assetName: captionOf(net, nodeIds[a]!),
          ...(Number.isNaN(pct) ? {} : { percentage: pct }),
          role: [...new Set(links.map((l) => l.role))].join(', '),
          ...(links.some((l) => l.startDate)
            ? { startDate: links.map((l) => l.startDate).find((d) => d !== undefined) }
            : {}),
          depth,
          ownerListed: control.state[o] === LISTED,
          ownerBlocked: blockedOf(o),
          sources: [...new Set(links.map((l) => l.source))].sort(),
        });
        if (!seen.has(o)) {
          seen.add(o);
          next.push(o);
        }
      }
    }
    level = next;
  }
  for (const v of seen) {
    if (v === start || g.inStart[v + 1]! > g.inStart[v]!) continue;
    out.ultimateOwners.push({
      party: nodeIds[v]!,
      name: captionOf(net, nodeIds[v]!),
      listed: control.state[v] === LISTED,
      blocked: blockedOf(v),
    });
  }
  return out;
}
