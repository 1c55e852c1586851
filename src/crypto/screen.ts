import { type Chain, detectAddress, displayAddress } from './addresses.js';
import type { AttributionIndex, SdnEntity } from './attribution.js';
import { type TagBrief, tagBrief } from './report.js';

/**
 * Screening: exact list hits for addresses (with the SDN entity and programmes), their tags, and (with stored
 * transfers, see service.ts) the direct counterparties that are listed. In-memory lookups: one Map probe per
 * address after validation, so a million addresses screen in about a second.
 */

export interface ScreenEntity {
  entityId: string;
  name: string;
  programs: string[];
}

export interface ScreenCounterparty {
  address: string;
  direction: 'in' | 'out' | 'both';
  transfers: number;
  /** Total per asset, in asset units. */
  totals: Record<string, string>;
  entityId: string | null;
  label: string;
  txHashes: string[];
}

export interface ScreenResult {
  input: string;
  valid: boolean;
  reason?: string;
  chain?: Chain;
  address?: string;
  /** On a sanctions list (exact address match). */
  listed: boolean;
  /** Attributed to the DPRK (sanctions programme, FBI attribution or Lazarus actor tag). */
  dprk: boolean;
  entities: ScreenEntity[];
  tags: TagBrief[];
  counterparties?: ScreenCounterparty[];
}

export function screenAddress(index: AttributionIndex, input: string, hint?: Chain | null): ScreenResult {
  const c = detectAddress(input, hint ?? null);
  if (!c.ok) return { input, valid: false, reason: c.reason, listed: false, dprk: false, entities: [], tags: [] };
  const tags = index.get(c.chain, c.address);
  const entities = new Map<string, ScreenEntity>();
  for (const t of tags) {
    if (!t.entityId || entities.has(t.entityId)) continue;
    const e: SdnEntity | undefined = index.entities.get(t.entityId);
    entities.set(t.entityId, { entityId: t.entityId, name: e?.name ?? t.label, programs: e?.programs ?? t.programs });
  }
  return {
    input,
    valid: true,
    chain: c.chain,
    address: displayAddress(c.chain, c.address),
    listed: tags.some((t) => t.sanctioned),
    dprk: tags.some((t) => t.dprk),
    entities: [...entities.values()],
    tags: tags.map(tagBrief),
  };
}

/** Screen many addresses; returns only counts plus the hits (for bulk use). */
export function screenMany(
  index: AttributionIndex,
  inputs: Iterable<string>,
  hint?: Chain | null,
): { screened: number; invalid: number; hits: ScreenResult[] } {
  let screened = 0;
  let invalid = 0;
  const hits: ScreenResult[] = [];
  for (const input of inputs) {
    screened++;
    const c = detectAddress(input, hint ?? null);
    if (!c.ok) {
      invalid++;
      continue;
    }
    if (index.get(c.chain, c.address).length > 0) hits.push(screenAddress(index, input, c.chain));
  }
  return { screened, invalid, hits };
}
