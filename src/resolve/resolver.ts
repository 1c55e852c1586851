import { canonicalIdFor } from './canonical-id.js';
import { type Judgement, latestPerPair } from './judgement.js';
import { describeKey, EXCLUSIVE_KINDS, KEY_KINDS, type StrongKey } from './strong-keys.js';
import { UnionFind } from './union-find.js';

/**
 * Entity resolution as a pure function: strong keys and judgements in, canonical clusters out. Deterministic:
 * ids are numbered in sorted order, analyst positives are applied first (sorted by pair), then keys kind by kind
 * (UN reference, IMO, crypto address, document) in sorted key order. A merge is refused when
 * - a negative judgement names one member of each side, or
 * - the two sides hold different values of an exclusive key kind (two UN references, two IMO numbers, two
 *   addresses): one real thing has one of each, so such a merge would be a chain of coincidences.
 * Every merge made is returned as an automatic positive judgement with its reason, every refusal as an unsure one.
 */

export interface Resolution {
  /** Clusters of two or more source entities: canonical id → referents (sorted). */
  clusters: Map<string, string[]>;
  /** Referent → canonical id, for every entity in a cluster (entities not here are their own canonical entity). */
  canonicalOf: Map<string, string>;
  /** The merges made, one per union, with the identifier that justified it (or the analyst's judgement). */
  merges: Judgement[];
  /** Merges refused (negative judgement or conflicting exclusive identifiers), as unsure judgements. */
  refused: Judgement[];
  /** Entities that carried at least one strong key. */
  keyed: number;
}

export function resolve(
  keys: readonly StrongKey[],
  judgements: readonly Judgement[],
  at: string,
  /** Whether an entity exists now: judgements naming an entity no current source has wait until it comes back. */
  exists: (id: string) => boolean = () => true,
): Resolution {
  const decided = latestPerPair(
    judgements.filter((j) => j.origin !== 'automatic' && exists(j.left) && exists(j.right)),
  );
  const idSet = new Set<string>();
  for (const k of keys) idSet.add(k.entityId);
  const keyed = idSet.size;
  for (const j of decided) {
    if (j.verdict === 'unsure') continue;
    idSet.add(j.left);
    idSet.add(j.right);
  }
  const ids = [...idSet].sort();
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i]!, i);
  const n = ids.length;
  const uf = new UnionFind(n);
  // Circular member lists (next[i]), spliced on union, to walk a set when checking negatives.
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;

  // Exclusive values per root: one Int32Array per exclusive kind, -1 = none.
  const valueIds = new Map<string, number>();
  const exclusive = EXCLUSIVE_KINDS.map(() => new Int32Array(n).fill(-1));
  const exclusiveIdx = new Map(EXCLUSIVE_KINDS.map((k, i) => [k, i]));
  const sortedKeys = [...keys].sort(
    (a, b) =>
      KEY_KINDS.indexOf(a.kind) - KEY_KINDS.indexOf(b.kind) ||
      cmp(a.key, b.key) ||
      cmp(a.entityId, b.entityId) ||
      cmp(a.source, b.source) ||
      cmp(a.value, b.value),
  );
  for (const k of sortedKeys) {
    const x = exclusiveIdx.get(k.kind);
    if (x === undefined) continue;
    let v = valueIds.get(k.key);
    if (v === undefined) valueIds.set(k.key, (v = valueIds.size));
    const arr = exclusive[x]!;
    const i = index.get(k.entityId)!;
    if (arr[i] === -1) arr[i] = v;
  }

  const negatives = new Map<number, number[]>();
  for (const j of decided) {
    if (j.verdict !== 'negative') continue;
    const a = index.get(j.left)!;
    const b = index.get(j.right)!;
    (negatives.get(a) ?? negatives.set(a, []).get(a)!).push(b);
    (negatives.get(b) ?? negatives.set(b, []).get(b)!).push(a);
  }

  const merges: Judgement[] = [];
  const refused: Judgement[] = [];
  const auto = (a: number, b: number, verdict: 'positive' | 'unsure', reason: string): Judgement => {
    const [l, r] = ids[a]! < ids[b]! ? [ids[a]!, ids[b]!] : [ids[b]!, ids[a]!];
    return { left: l, right: r, verdict, reason, author: 'watchkeeper-resolver', createdAt: at, origin: 'automatic' };
  };

  /** Why a and b may not join, or undefined. */
  const blocker = (ra: number, rb: number, checkExclusive: boolean): string | undefined => {
    if (checkExclusive) {
      for (let x = 0; x < exclusive.length; x++) {
        const va = exclusive[x]![ra]!;
        const vb = exclusive[x]![rb]!;
        if (va !== -1 && vb !== -1 && va !== vb) {
          return `different ${EXCLUSIVE_KINDS[x]} identifiers (${describeKey(keyOfValue(va))} / ${describeKey(keyOfValue(vb))})`;
        }
      }
    }
    if (negatives.size > 0) {
      const [small, other] = uf.size[ra]! <= uf.size[rb]! ? [ra, rb] : [rb, ra];
      let m = small;
      do {
        const neg = negatives.get(m);
        if (neg) for (const p of neg) if (uf.find(p) === other) return `negative judgement on ${ids[m]} / ${ids[p]}`;
        m = next[m]!;
      } while (m !== small);
    }
    return undefined;
  };
  let valueKeys: string[] | undefined;
  const keyOfValue = (v: number): string => {
    valueKeys ??= [...valueIds.keys()];
    return valueKeys[v]!;
  };

  /** Join the sets of a and b; returns why not (the refusal, not yet recorded) or undefined. */
  const join = (a: number, b: number, checkExclusive: boolean, reason: string): Judgement | undefined => {
    const ra = uf.find(a);
    const rb = uf.find(b);
    if (ra === rb) return undefined;
    const why = blocker(ra, rb, checkExclusive);
    if (why) return auto(a, b, 'unsure', `not merged: ${reason}, but ${why}`);
    const root = uf.union(ra, rb);
    const gone = root === ra ? rb : ra;
    for (const arr of exclusive) if (arr[root] === -1) arr[root] = arr[gone]!;
    const t = next[ra]!;
    next[ra] = next[rb]!;
    next[rb] = t;
    merges.push(auto(a, b, 'positive', reason));
    return undefined;
  };

  for (const j of [...decided].sort((a, b) => cmp(a.left, b.left) || cmp(a.right, b.right))) {
    if (j.verdict !== 'positive') continue;
    const no = join(
      index.get(j.left)!,
      index.get(j.right)!,
      false,
      `analyst judgement by ${j.author}${j.reason ? `: ${j.reason}` : ''}`,
    );
    if (no) refused.push(no);
  }

  // Keys: group the entities holding each key, join each to the first it may join.
  let i = 0;
  while (i < sortedKeys.length) {
    let end = i;
    const members: number[] = [];
    const sources = new Set<string>();
    while (end < sortedKeys.length && sortedKeys[end]!.key === sortedKeys[i]!.key) {
      const m = index.get(sortedKeys[end]!.entityId)!;
      if (members[members.length - 1] !== m) members.push(m);
      sources.add(sortedKeys[end]!.source);
      end++;
    }
    if (members.length > 1) {
      const reason = `same ${describeKey(sortedKeys[i]!.key)} (${[...sources].sort().join(', ')})`;
      // Each member joins the first earlier member it may join; when it may join none, the first refusal is kept.
      for (let a = 1; a < members.length; a++) {
        let first: Judgement | undefined;
        for (let b = 0; b < a; b++) {
          const no = join(members[b]!, members[a]!, true, reason);
          if (!no) {
            first = undefined;
            break;
          }
          first ??= no;
        }
        if (first) refused.push(first);
      }
    }
    i = end;
  }

  const byRoot = new Map<number, string[]>();
  for (let x = 0; x < n; x++) {
    const r = uf.find(x);
    if (uf.size[r]! < 2) continue;
    (byRoot.get(r) ?? byRoot.set(r, []).get(r)!).push(ids[x]!);
  }
  const clusters = new Map<string, string[]>();
  const canonicalOf = new Map<string, string>();
  for (const referents of byRoot.values()) {
    const id = canonicalIdFor(referents);
    clusters.set(id, referents);
    for (const r of referents) canonicalOf.set(r, id);
  }
  return { clusters, canonicalOf, merges, refused: dedupeRefusals(refused), keyed };
}

function dedupeRefusals(list: Judgement[]): Judgement[] {
  const seen = new Set<string>();
  return list.filter((j) => {
    const k = `${j.left}\u0000${j.right}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
