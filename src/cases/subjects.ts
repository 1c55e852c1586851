import { UserError } from '../errors.js';
import type { Entity } from '../model/entity.js';
import { canonicalEntity, canonicalIdOf, referentsOf } from '../resolve/canonical.js';
import type { Store } from '../store/store.js';

/**
 * Turning what an investigator types (an MMSI, an entity id, a wallet address) into the entity ids findings name
 * among their subjects. Ids follow docs/CONVENTIONS.md: `ais-<mmsi>` for vessels seen in AIS and
 * `wallet-<chain>-<normalised address>` for wallets.
 */

const EVM = /^0x[0-9a-fA-F]{40}$/;
const BTC = /^(bc1[0-9a-z]{8,87}|[13][1-9A-HJ-NP-Za-km-z]{25,34}|tb1[0-9a-z]{8,87})$/;

/** EVM addresses are case-insensitive (checksums aside): keep them lower-case; others as typed. */
export function normaliseAddressRef(address: string): string {
  const a = address.trim();
  if (a.startsWith('wallet-')) return a;
  if (EVM.test(a)) return a.toLowerCase();
  if (BTC.test(a)) return a.startsWith('bc1') || a.startsWith('tb1') ? a.toLowerCase() : a;
  throw new UserError(`address: "${address}" is not an Ethereum (0x + 40 hex) or Bitcoin address`);
}

/** Wallet entity ids an address can have, for the chain names in use. */
export function walletIdsFor(address: string): string[] {
  const a = normaliseAddressRef(address);
  if (a.startsWith('wallet-')) return [a];
  if (EVM.test(a)) return ['eth', 'ethereum', 'evm'].map((c) => `wallet-${c}-${a}`);
  return ['btc', 'bitcoin'].map((c) => `wallet-${c}-${a}`);
}

/** Entity ids for a vessel given as an MMSI (9 digits), `ais-<mmsi>`, or any entity id (a listed vessel). */
export function vesselIdsFor(ref: string): string[] {
  const r = ref.trim();
  if (/^\d{9}$/.test(r)) return [`ais-${r}`];
  if (r === '') throw new UserError('vessel: give an MMSI (9 digits) or a vessel entity id');
  return [r];
}

/** The MMSI of an `ais-<mmsi>` id or a bare MMSI, else undefined. */
export function mmsiOf(ref: string): number | undefined {
  const m = /^(?:ais-)?(\d{9})$/.exec(ref.trim());
  return m ? Number(m[1]) : undefined;
}

/**
 * The entity a case or watch item names, read as its canonical entity (docs/graph.md): a source id or a canonical
 * `wk-` id gives one entity with every referent's statements, each keeping its own entity id and source.
 */
export async function caseEntity(store: Store, ref: string): Promise<Entity | undefined> {
  return (await canonicalEntity(store, ref.trim()))?.entity;
}

/** Every source id of the real-world thing `ref` names (its canonical entity's referents, `ref` included). */
export async function referentIdsFor(store: Store, ref: string): Promise<string[]> {
  const id = ref.trim();
  const refs = await referentsOf(store, await canonicalIdOf(store, id));
  return [...new Set([id, ...refs])];
}
