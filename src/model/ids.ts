import { createHash } from 'node:crypto';

/**
 * Stable entity ids in the OpenSanctions style: `<prefix>-<slug-or-hash>`. The same source key always gives the
 * same id, so a re-import updates statements instead of creating new entities.
 */
export function makeId(prefix: string, ...parts: Array<string | number | null | undefined>): string {
  const key = parts
    .filter((p) => p !== null && p !== undefined && p !== '')
    .map(String)
    .join('.');
  if (key === '') throw new Error(`makeId(${prefix}): no key parts given`);
  return `${prefix}-${sha1(key).slice(0, 20)}`;
}

/** Readable ids for keys that are already identifiers (UN reference numbers, OFAC ent_num). */
export function slugId(prefix: string, key: string | number): string {
  const slug = String(key)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  if (slug === '') throw new Error(`slugId(${prefix}): empty key`);
  return `${prefix}-${slug}`;
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
