import { addressKey, type Chain, detectAddress, displayAddress, quickValid } from './addresses.js';
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

/** An input bulk screening could not read as an address: where it was and why. */
export interface InvalidRow {
  /** 1-based position in the input (the line number for a file of one address per line). */
  row: number;
  input: string;
  reason: string;
}

export interface ScreenManyResult {
  screened: number;
  invalid: number;
  hits: ScreenResult[];
  /** The first `maxInvalidRows` invalid inputs with their reason (`invalid` counts them all). */
  invalidRows: InvalidRow[];
}

/**
 * Screen many addresses; returns counts, the hits and the invalid rows (bulk use). Every input is normalised by
 * addresses.ts exactly as single screening does (`detectAddress`), so both agree on every input.
 *
 * Strict (the default): every address is fully validated, checksum included; a bad checksum is an invalid row,
 * never a clean address. With `strict: false` inputs without a hit get a shape check only (`addressKey`: hex
 * length, bech32/base58 alphabet and length), which is faster on base58 (no double SHA-256 per address) but
 * counts a mistyped address as screened and clean; hits are still fully validated.
 */
export function screenMany(
  index: AttributionIndex,
  inputs: Iterable<string>,
  hint?: Chain | null,
  opts: { strict?: boolean; maxInvalidRows?: number } = {},
): ScreenManyResult {
  const strict = opts.strict ?? true;
  const maxRows = opts.maxInvalidRows ?? 1000;
  let screened = 0;
  let invalid = 0;
  const hits: ScreenResult[] = [];
  const invalidRows: InvalidRow[] = [];
  const bad = (row: number, input: string, reason: string) => {
    invalid++;
    if (invalidRows.length < maxRows) invalidRows.push({ row, input, reason });
  };
  for (const input of inputs) {
    screened++;
    const k = addressKey(input);
    let hit: Chain | null = null;
    if (k) {
      for (const c of k.chains) {
        if (index.has(c, k.key)) {
          hit = c;
          break;
        }
      }
    }
    if (hit) {
      const r = screenAddress(index, input, hint ?? hit);
      if (r.valid) hits.push(r);
      else bad(screened, input, r.reason ?? 'invalid address');
      continue;
    }
    if (!strict) {
      if (!k) {
        const d = detectAddress(input, hint ?? null);
        bad(screened, input, d.ok ? 'not an address' : d.reason);
      }
      continue;
    }
    // No hit under its shape's key: only validity is left to decide (lower-case hex and Bitcoin base58check
    // without the general path's regexes and objects; anything else through detectAddress, which names the reason).
    if (k && quickValid(input, k)) continue;
    const d = detectAddress(input, hint ?? null);
    if (!d.ok) bad(screened, input, d.reason);
    else if (index.has(d.chain, d.address)) hits.push(screenAddress(index, input, d.chain));
  }
  return { screened, invalid, hits, invalidRows };
}
