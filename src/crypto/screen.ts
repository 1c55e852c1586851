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

const HEX40 = /^0x[0-9a-fA-F]{40}$/;
const BECH32ISH = /^(bc|tb|bcrt|ltc)1[02-9ac-hj-np-z]{6,87}$/i;
const BASE58ISH = /^[1-9A-HJ-NP-Za-km-z]{25,35}$/;
const BASE58_CHAINS: Chain[] = ['btc', 'trx', 'ltc', 'btc-testnet'];

/**
 * Screen many addresses; returns counts plus the hits (bulk use). Every input is probed for an exact hit in its
 * normal form (lower-case hex, lower-case bech32, base58 as given) — a hit is then fully validated, checksum
 * included, by `screenAddress`. Inputs without a hit get a shape check only (hex length, bech32/base58
 * alphabet and length): a string with a wrong checksum cannot equal a listed address anyway. `strict` validates
 * every checksum too (base58check costs ~10 µs an address in JS).
 */
export function screenMany(
  index: AttributionIndex,
  inputs: Iterable<string>,
  hint?: Chain | null,
  opts: { strict?: boolean } = {},
): { screened: number; invalid: number; hits: ScreenResult[] } {
  let screened = 0;
  let invalid = 0;
  const hits: ScreenResult[] = [];
  for (const input of inputs) {
    screened++;
    const raw = input.trim();
    let hit: Chain | null = null;
    let shapeOk = false;
    if (HEX40.test(raw)) {
      shapeOk = true;
      if (index.has('eth', raw.toLowerCase())) hit = 'eth';
    } else if (BECH32ISH.test(raw)) {
      shapeOk = true;
      const lower = raw.toLowerCase();
      const chain: Chain = lower.startsWith('ltc1') ? 'ltc' : lower.startsWith('bc1') ? 'btc' : 'btc-testnet';
      if (index.has(chain, lower)) hit = chain;
    } else if (BASE58ISH.test(raw)) {
      shapeOk = true;
      for (const c of BASE58_CHAINS) {
        if (index.has(c, raw)) {
          hit = c;
          break;
        }
      }
    }
    if (hit) {
      const r = screenAddress(index, raw, hint ?? hit);
      if (r.valid) hits.push(r);
      else invalid++;
      continue;
    }
    if (!shapeOk || (opts.strict && !detectAddress(raw, hint ?? null).ok)) invalid++;
  }
  return { screened, invalid, hits };
}
