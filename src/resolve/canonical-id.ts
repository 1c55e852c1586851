import { createHash } from 'node:crypto';

/**
 * Canonical ids. An entity that nothing was merged with is its own canonical entity and keeps its id (so every
 * existing link, finding and URL stays valid). A cluster of two or more source entities gets `wk-` + the first 16
 * hex digits of the SHA-256 of its smallest referent id (code-unit order): the same referents always give the same
 * id, and adding a referent keeps the id unless the new one sorts first.
 */
export const CANONICAL_PREFIX = 'wk-';

export function canonicalIdFor(referents: readonly string[]): string {
  if (referents.length === 0) throw new Error('canonicalIdFor: no referents');
  let smallest = referents[0]!;
  for (const r of referents) if (r < smallest) smallest = r;
  if (referents.length === 1) return smallest;
  return `${CANONICAL_PREFIX}${createHash('sha256').update(smallest).digest('hex').slice(0, 16)}`;
}

export function isCanonicalId(id: string): boolean {
  return id.startsWith(CANONICAL_PREFIX);
}
