import { type Chain, chainFromAsset, checkAddress, detectAddress } from '../crypto/addresses.js';
import { normaliseImo } from '../screening/identifiers.js';

/**
 * Strong identifiers: the only evidence the resolver merges on by itself. Each key names the kind of thing it
 * identifies (a person's UN reference never joins a company), so a key is `<group>|<kind>|<value>`:
 *
 * - `unsc`: the UN Security Council reference number (KPi.13, KPe.5, ...). The UN importer stores it as the
 *   entity's `idNumber` and the Sanction's `unscId`; the EU and UK importers do the same; OFAC's sdn.csv carries
 *   none. Normalised to prefix upper case, the i/e letter lower case and the number without leading zeros.
 * - `imo`: a vessel's IMO number with a valid check digit; a company's IMO number (registered owner or
 *   manager, seven digits: these have no check digit) in the `org` group.
 * - `address`: a crypto address normalised per chain by src/crypto/addresses.ts.
 * - `doc`: a passport or identity document number with its issuing country (a Passport or Identification entity
 *   with holder, number and country). A number without a country never merges.
 * - AIS: `ais-<mmsi>` carries the `imo` key of the only valid IMO number its static reports gave.
 *
 * `unsc`, `imo` and `address` are exclusive: one real thing has one of each, so two clusters holding different
 * values are never joined (the merge is refused and reported). Names never make a key.
 */

export type Group = 'person' | 'org' | 'vessel' | 'wallet' | 'airplane';
export type KeyKind = 'unsc' | 'imo' | 'address' | 'doc';

/** Kinds in merge order; the first three are exclusive. */
export const KEY_KINDS: readonly KeyKind[] = ['unsc', 'imo', 'address', 'doc'];
export const EXCLUSIVE_KINDS: readonly KeyKind[] = ['unsc', 'imo', 'address'];

const GROUPS: Record<string, Group> = {
  Person: 'person',
  Organization: 'org',
  Company: 'org',
  LegalEntity: 'org',
  PublicBody: 'org',
  Vessel: 'vessel',
  CryptoWallet: 'wallet',
  Airplane: 'airplane',
};

/** The schemata the resolver joins (things that exist in the world), with their group. */
export const RESOLVABLE_SCHEMATA = Object.keys(GROUPS);

export function groupOf(schema: string): Group | undefined {
  return GROUPS[schema];
}

/** One strong identifier on one entity, with the statement it came from (for the judgement's reason). */
export interface StrongKey {
  entityId: string;
  kind: KeyKind;
  /** `<group>|<kind>|<normalised value>`. */
  key: string;
  /** The value as the source wrote it. */
  value: string;
  source: string;
}

/** A statement row as the resolver reads it (only the props that can hold a strong identifier). */
export interface KeyRow {
  entityId: string;
  schema: string;
  prop: string;
  value: string;
  source: string;
}

/** The props read from the store for keys (see loadKeyRows in store-io.ts). */
export const KEY_PROPS = {
  subject: ['idNumber', 'imoNumber', 'publicKey', 'currency'],
  sanction: ['unscId', 'entity'],
  document: ['holder', 'number', 'country'],
} as const;

const UN_REF = /^([A-Z]{2})\s*([ie])\s*\.\s*0*(\d+)$/i;

/** `KPi.013` → `KPi.13`; undefined when the value is not a UN reference number. */
export function normaliseUnRef(value: string): string | undefined {
  const m = UN_REF.exec(value.trim());
  return m ? `${m[1]!.toUpperCase()}${m[2]!.toLowerCase()}.${Number(m[3])}` : undefined;
}

/** Document number: letters and digits only, upper case; undefined when shorter than 4 characters or digitless ("NONE"). */
export function normaliseDocNumber(value: string): string | undefined {
  const n = value.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
  return n.length >= 4 && /\p{N}/u.test(n) ? n : undefined;
}

/** A crypto wallet's chain and normalised address, from its publicKey and currency. */
export function walletAddress(
  publicKey: string,
  currency: string | undefined,
): { chain: Chain; address: string } | undefined {
  const hint = currency ? chainFromAsset(currency) : null;
  const c = hint ? checkAddress(hint, publicKey) : detectAddress(publicKey, null);
  if (c.ok) return { chain: c.chain, address: c.address };
  const d = detectAddress(publicKey, null);
  return d.ok ? { chain: d.chain, address: d.address } : undefined;
}

/**
 * The strong keys in `rows`. `schemaOf` gives the schema of an entity a Sanction or a document points at (the
 * rows alone do not always say it).
 */
export function strongKeys(rows: Iterable<KeyRow>, schemaOf: (id: string) => string | undefined): StrongKey[] {
  const out: StrongKey[] = [];
  const sanctions = new Map<string, { refs: KeyRow[]; entities: string[] }>();
  const docs = new Map<string, { schema: string; holders: string[]; numbers: KeyRow[]; countries: string[] }>();
  const wallets = new Map<string, { keys: KeyRow[]; currencies: string[] }>();
  for (const r of rows) {
    if (r.schema === 'Sanction') {
      let s = sanctions.get(r.entityId);
      if (!s) sanctions.set(r.entityId, (s = { refs: [], entities: [] }));
      if (r.prop === 'unscId') s.refs.push(r);
      else if (r.prop === 'entity') s.entities.push(r.value);
      continue;
    }
    if (r.schema === 'Passport' || r.schema === 'Identification') {
      let d = docs.get(r.entityId);
      if (!d) docs.set(r.entityId, (d = { schema: r.schema, holders: [], numbers: [], countries: [] }));
      if (r.prop === 'holder') d.holders.push(r.value);
      else if (r.prop === 'number') d.numbers.push(r);
      else if (r.prop === 'country') d.countries.push(r.value.toLowerCase());
      continue;
    }
    const group = groupOf(r.schema);
    if (!group) continue;
    if (r.prop === 'idNumber') {
      const ref = normaliseUnRef(r.value);
      if (ref) out.push(key(r.entityId, 'unsc', `${group}|unsc|${ref}`, r));
    } else if (r.prop === 'imoNumber') {
      if (group === 'vessel') {
        const imo = normaliseImo(r.value);
        if (imo) out.push(key(r.entityId, 'imo', `vessel|imo|${imo}`, r));
      } else if (group === 'org') {
        const digits = r.value.replace(/^\s*imo[\s:.-]*/i, '').replace(/[\s-]/g, '');
        if (/^\d{7}$/.test(digits)) out.push(key(r.entityId, 'imo', `org|imo|${digits}`, r));
      }
    } else if (group === 'wallet' && (r.prop === 'publicKey' || r.prop === 'currency')) {
      let w = wallets.get(r.entityId);
      if (!w) wallets.set(r.entityId, (w = { keys: [], currencies: [] }));
      if (r.prop === 'publicKey') w.keys.push(r);
      else w.currencies.push(r.value);
    }
  }
  for (const s of sanctions.values()) {
    for (const ref of s.refs) {
      const n = normaliseUnRef(ref.value);
      if (!n) continue;
      for (const id of s.entities) {
        const group = groupOf(schemaOf(id) ?? '');
        if (group) out.push(key(id, 'unsc', `${group}|unsc|${n}`, ref));
      }
    }
  }
  for (const [id, w] of wallets) {
    for (const k of w.keys) {
      const a = walletAddress(k.value, w.currencies[0]);
      if (a) out.push(key(id, 'address', `wallet|${a.chain}|${a.address}`, k));
    }
  }
  for (const d of docs.values()) {
    if (d.countries.length !== 1) continue; // no country, or several: not a document number with its country
    const kind = d.schema === 'Passport' ? 'passport' : 'id';
    for (const num of d.numbers) {
      const n = normaliseDocNumber(num.value);
      if (!n) continue;
      for (const holder of d.holders) {
        const group = groupOf(schemaOf(holder) ?? '');
        if (group) out.push(key(holder, 'doc', `${group}|${kind}|${d.countries[0]}|${n}`, num));
      }
    }
  }
  return out;
}

function key(entityId: string, kind: KeyKind, k: string, r: KeyRow): StrongKey {
  return { entityId, kind, key: k, value: r.value, source: r.source };
}

/** AIS: `ais-<mmsi>` gets the IMO key when every valid IMO its static reports gave is one and the same. */
export function aisKeys(pairs: Iterable<{ mmsi: number; imo: number }>): StrongKey[] {
  const byMmsi = new Map<number, Set<string>>();
  for (const p of pairs) {
    const imo = normaliseImo(String(p.imo).padStart(7, '0'));
    if (!imo) continue;
    let s = byMmsi.get(p.mmsi);
    if (!s) byMmsi.set(p.mmsi, (s = new Set()));
    s.add(imo);
  }
  const out: StrongKey[] = [];
  for (const [mmsi, imos] of byMmsi) {
    if (imos.size !== 1) continue;
    const imo = [...imos][0]!;
    out.push({
      entityId: `ais-${mmsi}`,
      kind: 'imo',
      key: `vessel|imo|${imo}`,
      value: `MMSI ${mmsi} IMO ${imo}`,
      source: 'ais',
    });
  }
  return out;
}

/** A key's value for people: "UN reference KPi.13", "IMO 9123456", "ETH address 0x...", "kp passport 745132109". */
export function describeKey(key: string): string {
  const [group, kind, ...rest] = key.split('|');
  if (kind === 'unsc') return `UN reference ${rest[0]}`;
  if (kind === 'imo') return group === 'org' ? `IMO company number ${rest[0]}` : `IMO ${rest[0]}`;
  if (group === 'wallet') return `${kind!.toUpperCase()} address ${rest[0]}`;
  if (kind === 'passport' || kind === 'id')
    return `${rest[0]} ${kind === 'id' ? 'identity document' : 'passport'} ${rest[1]}`;
  return key;
}
