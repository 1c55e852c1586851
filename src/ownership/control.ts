/**
 * The OFAC 50 % rule over an ownership graph held in typed arrays: an entity owned 50 % or more, directly or
 * indirectly, individually or in the aggregate, by blocked persons is itself blocked. Following OFAC's guidance
 * (FAQ 398-401, the 2014 revised guidance), an entity blocked by the rule is a blocked person in turn, so its
 * holdings count in full toward the entities it holds (shares are added, never multiplied along a chain).
 *
 * Two monotone passes, each visiting every edge at most once (O(nodes + edges)):
 * 1. blocked: starting from the listed nodes, add each blocked owner's known percentage to its asset's share;
 *    a share reaching 50 blocks the asset, which is then processed in turn.
 * 2. possible: an upper bound where an unknown percentage may be anything up to 100 and a possibly blocked owner
 *    may be blocked; an asset whose upper bound reaches 50 but whose known share does not is "possible". Unknown
 *    percentages are never counted silently toward "blocked".
 */

export const THRESHOLD_PCT = 50;
const EPS = 1e-9;

/** Node states. */
export const NOT_BLOCKED = 0;
export const POSSIBLE = 1;
export const BLOCKED = 2;
export const LISTED = 3;

/** Edges owner → asset in compressed sparse rows, both directions. `pct` is NaN when unknown. */
export interface ControlGraph {
  nodeCount: number;
  outStart: Int32Array;
  outAsset: Int32Array;
  outPct: Float64Array;
  outEdge: Int32Array;
  inStart: Int32Array;
  inOwner: Int32Array;
  inPct: Float64Array;
  inEdge: Int32Array;
}

/** Build the graph from parallel arrays of edges (edge i: owner[i] holds pct[i] % of asset[i]). */
export function buildControlGraph(
  nodeCount: number,
  owner: Int32Array,
  asset: Int32Array,
  pct: Float64Array,
): ControlGraph {
  const m = owner.length;
  const outStart = new Int32Array(nodeCount + 1);
  const inStart = new Int32Array(nodeCount + 1);
  for (let i = 0; i < m; i++) {
    outStart[owner[i]! + 1]!++;
    inStart[asset[i]! + 1]!++;
  }
  for (let v = 0; v < nodeCount; v++) {
    outStart[v + 1]! += outStart[v]!;
    inStart[v + 1]! += inStart[v]!;
  }
  const outPos = outStart.slice(0, nodeCount);
  const inPos = inStart.slice(0, nodeCount);
  const outAsset = new Int32Array(m);
  const outPct = new Float64Array(m);
  const outEdge = new Int32Array(m);
  const inOwner = new Int32Array(m);
  const inPct = new Float64Array(m);
  const inEdge = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const o = owner[i]!;
    const a = asset[i]!;
    const p = outPos[o]!++;
    outAsset[p] = a;
    outPct[p] = pct[i]!;
    outEdge[p] = i;
    const q = inPos[a]!++;
    inOwner[q] = o;
    inPct[q] = pct[i]!;
    inEdge[q] = i;
  }
  return { nodeCount, outStart, outAsset, outPct, outEdge, inStart, inOwner, inPct, inEdge };
}

export interface ControlResult {
  /** NOT_BLOCKED, POSSIBLE, BLOCKED or LISTED per node. */
  state: Uint8Array;
  /** Aggregate known share (%) held by blocked or listed owners. */
  share: Float64Array;
  /** Upper bound of that share when unknown percentages and possibly blocked owners are counted in full. */
  upper: Float64Array;
}

/** The closure: which nodes the rule blocks, given the listed ones (`listed[v] = 1`). */
export function computeControl(g: ControlGraph, listed: Uint8Array): ControlResult {
  const n = g.nodeCount;
  const state = new Uint8Array(n);
  const share = new Float64Array(n);
  const upper = new Float64Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) {
    if (listed[v]) {
      state[v] = LISTED;
      queue[tail++] = v;
    }
  }
  // Pass 1: blocked by known percentages.
  while (head < tail) {
    const v = queue[head++]!;
    for (let e = g.outStart[v]!, end = g.outStart[v + 1]!; e < end; e++) {
      const p = g.outPct[e]!;
      if (Number.isNaN(p)) continue;
      const a = g.outAsset[e]!;
      share[a]! += p;
      if (state[a] === NOT_BLOCKED && share[a]! >= THRESHOLD_PCT - EPS) {
        state[a] = BLOCKED;
        queue[tail++] = a;
      }
    }
  }
  // Pass 2: the upper bound. Blocked nodes contribute their unknown edges; possible nodes all their edges.
  upper.set(share);
  const blockedCount = tail;
  for (let i = 0; i < blockedCount; i++) {
    const v = queue[i]!;
    for (let e = g.outStart[v]!, end = g.outStart[v + 1]!; e < end; e++) {
      if (!Number.isNaN(g.outPct[e]!)) continue;
      raise(g.outAsset[e]!, 100);
    }
  }
  while (head < tail) {
    const v = queue[head++]!;
    for (let e = g.outStart[v]!, end = g.outStart[v + 1]!; e < end; e++) {
      const p = g.outPct[e]!;
      raise(g.outAsset[e]!, Number.isNaN(p) ? 100 : p);
    }
  }
  return { state, share, upper };

  function raise(a: number, p: number): void {
    upper[a] = Math.min(100, upper[a]! + p);
    if (state[a] === NOT_BLOCKED && upper[a]! >= THRESHOLD_PCT - EPS) {
      state[a] = POSSIBLE;
      queue[tail++] = a;
    }
  }
}

/** One ownership path from a listed node down to the target: node indices and the edges between them. */
export interface ControlPath {
  nodes: number[];
  edges: number[];
}

/**
 * Ownership paths from listed nodes down to `target` through blocked or possibly blocked owners (the evidence of
 * a finding): depth-first up the in-edges, without cycles, at most `maxPaths`, each at most `maxDepth` links.
 */
export function controlPaths(
  g: ControlGraph,
  r: ControlResult,
  target: number,
  opts: { maxPaths?: number; maxDepth?: number } = {},
): ControlPath[] {
  const maxPaths = opts.maxPaths ?? 20;
  const maxDepth = opts.maxDepth ?? 8;
  const out: ControlPath[] = [];
  const onPath = new Set<number>([target]);
  const nodes: number[] = [target];
  const edges: number[] = [];
  const walk = (v: number): void => {
    if (out.length >= maxPaths) return;
    if (r.state[v] === LISTED && v !== target) {
      out.push({ nodes: [...nodes].reverse(), edges: [...edges].reverse() });
      return;
    }
    if (edges.length >= maxDepth) return;
    for (let e = g.inStart[v]!, end = g.inStart[v + 1]!; e < end; e++) {
      const o = g.inOwner[e]!;
      if (r.state[o] === NOT_BLOCKED || onPath.has(o)) continue;
      onPath.add(o);
      nodes.push(o);
      edges.push(g.inEdge[e]!);
      walk(o);
      nodes.pop();
      edges.pop();
      onPath.delete(o);
    }
  };
  walk(target);
  return out;
}
