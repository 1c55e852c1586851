import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chainFromAsset, detectAddress, walletEntityId } from '../crypto/addresses.js';
import { InputError } from '../errors.js';
import { makeId, slugId } from '../model/ids.js';
import { schemaModel } from '../model/schema.js';
import { quoted } from '../util/printable.js';
import { countryCode } from './countries.js';
import { readCsvFile } from './csv.js';
import { ListEntity, type ListParseResult, ParseStats } from './list-entity.js';
import { parseRemarks, type RemarkFact } from './ofac-remarks.js';

/**
 * OFAC SDN legacy CSV → FtM entities. Reads a lone `sdn.csv` or the full set (`sdn.csv` + `add.csv` addresses +
 * `alt.csv` aliases + `sdn_comments.csv` remarks overflow), Windows-1252, `-0-` as null, the trailing \x1a EOF
 * byte. SDN type gives the schema (individual → Person, vessel → Vessel, aircraft → Airplane, otherwise
 * Organization). Facts in the remarks become properties (see ofac-remarks.ts); digital currency addresses become
 * CryptoWallet entities held by the SDN, `Linked To:` becomes UnknownLink entities when the name resolves to one
 * SDN; whatever is not understood is kept in `notes`. Ids: `ofac-<ent_num>`.
 */

export const OFAC_SOURCE = 'us_ofac_sdn';
export const OFAC_URLS = {
  sdn: 'https://www.treasury.gov/ofac/downloads/sdn.csv',
  add: 'https://www.treasury.gov/ofac/downloads/add.csv',
  alt: 'https://www.treasury.gov/ofac/downloads/alt.csv',
  comments: 'https://www.treasury.gov/ofac/downloads/sdn_comments.csv',
};
const AUTHORITY = 'Office of Foreign Assets Control';
const ENCODING = 'windows-1252';

export interface OfacFiles {
  sdn: string;
  add?: string;
  alt?: string;
  comments?: string;
}

/** The files of OFAC's legacy CSV set, in the order a set is read and hashed, with the columns of each row. */
export const OFAC_CSV_FILES = {
  sdn: { file: 'sdn.csv', columns: 12 },
  add: { file: 'add.csv', columns: 6 },
  alt: { file: 'alt.csv', columns: 5 },
  comments: { file: 'sdn_comments.csv', columns: 2 },
} as const;

/** The OFAC files in a directory (sdn.csv required; the others when present). */
export function ofacFilesIn(dir: string): OfacFiles | undefined {
  const f = (name: string): string | undefined => {
    for (const n of [name, name.toUpperCase()]) {
      const p = path.join(dir, n);
      if (existsSync(p) && statSync(p).isFile()) return p;
    }
    return undefined;
  };
  const sdn = f(OFAC_CSV_FILES.sdn.file);
  if (!sdn) return undefined;
  return {
    sdn,
    add: f(OFAC_CSV_FILES.add.file),
    alt: f(OFAC_CSV_FILES.alt.file),
    comments: f(OFAC_CSV_FILES.comments.file),
  };
}

interface SdnRow {
  line: number;
  ent: string;
  name: string;
  type: string | undefined;
  programs: string[];
  title?: string;
  callSign?: string;
  vesselType?: string;
  tonnage?: string;
  grt?: string;
  flag?: string;
  owner?: string;
  remarks?: string;
}

const nul = (v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' || t === '-0-' ? undefined : t;
};

const isEof = (fields: string[]): boolean => fields.length === 1 && fields[0]!.replace(/\u001a/g, '').trim() === '';

/** A name key for resolving `Linked To:` targets: upper case, letters and digits only. */
export function ofacNameKey(name: string): string {
  const folded = /^[\x00-\x7f]*$/.test(name) ? name : name.normalize('NFKD').replace(/\p{M}+/gu, '');
  return folded
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

async function readRows(file: string, columns: number): Promise<Array<{ fields: string[]; line: number }>> {
  const base = path.basename(file);
  const rows: Array<{ fields: string[]; line: number }> = [];
  for await (const r of readCsvFile(file, { encoding: ENCODING, name: base })) {
    if (isEof(r.fields)) continue;
    // Tolerate a header row (some mirrors add one: ent_num,SDN_Name,...).
    if (rows.length === 0 && /^\s*ent_num\s*$/i.test(r.fields[0]!)) continue;
    if (r.fields.length !== columns) {
      throw new InputError(
        `${base}:${r.line}: expected ${columns} columns, found ${r.fields.length}, starting ${quoted(r.fields.join(','), 40)} (is this an OFAC ${base}?)`,
      );
    }
    if (!/^\d+$/.test(r.fields[0]!.trim())) {
      throw new InputError(`${base}:${r.line}: ent_num ${quoted(r.fields[0]!, 40)} is not a number`);
    }
    rows.push(r);
  }
  return rows;
}

export async function parseOfacCsv(input: string | OfacFiles): Promise<ListParseResult> {
  const files = typeof input === 'string' ? { sdn: input } : input;
  const stats = new ParseStats();
  const sdnBase = path.basename(files.sdn);

  const comments = new Map<string, string>();
  if (files.comments) {
    for (const r of await readRows(files.comments, OFAC_CSV_FILES.comments.columns)) {
      const ent = r.fields[0]!.trim();
      comments.set(ent, (comments.get(ent) ?? '') + r.fields[1]!);
      stats.count('commentRows');
    }
  }

  const rows: SdnRow[] = [];
  for (const r of await readRows(files.sdn, OFAC_CSV_FILES.sdn.columns)) {
    const f = r.fields;
    const ent = f[0]!.trim();
    const name = nul(f[1]);
    if (!name) throw new InputError(`${sdnBase}:${r.line}: SDN ${ent} has no name`);
    let remarks = nul(f[11]);
    const extra = comments.get(ent);
    if (extra) remarks = (remarks ?? '') + extra;
    rows.push({
      line: r.line,
      ent,
      name,
      type: nul(f[2])?.toLowerCase(),
      programs: (nul(f[3]) ?? '')
        .split(/\]\s*\[/)
        .map((p) => p.replace(/[[\]]/g, '').trim())
        .filter(Boolean),
      title: nul(f[4]),
      callSign: nul(f[5]),
      vesselType: nul(f[6]),
      tonnage: nul(f[7]),
      grt: nul(f[8]),
      flag: nul(f[9]),
      owner: nul(f[10]),
      remarks,
    });
  }
  stats.records = rows.length;

  // Names → SDN ids, to resolve "Linked To:", vessel owners and aircraft operators. Ambiguous names stay text.
  const byName = new Map<string, string | null>();
  const index = (name: string, id: string): void => {
    const k = ofacNameKey(name);
    if (!k) return;
    const prev = byName.get(k);
    if (prev === undefined) byName.set(k, id);
    else if (prev !== id) byName.set(k, null);
  };
  for (const row of rows) index(row.name, `ofac-${row.ent}`);
  const resolve = (name: string): string | undefined => byName.get(ofacNameKey(name.replace(/\.$/, ''))) ?? undefined;

  const model = schemaModel();
  const entities: ListEntity[] = [];
  const byEnt = new Map<string, ListEntity>();
  const wallets = new Map<string, ListEntity>();
  for (const row of rows) {
    const schema =
      row.type === 'individual'
        ? 'Person'
        : row.type === 'vessel'
          ? 'Vessel'
          : row.type === 'aircraft'
            ? 'Airplane'
            : row.type === undefined
              ? 'Organization'
              : 'LegalEntity';
    if (schema === 'LegalEntity') stats.warn(`${sdnBase}:${row.line}: unknown SDN type "${row.type}"`);
    const id = `ofac-${row.ent}`;
    const rec = `${sdnBase}:${row.line}#${row.ent}`;
    const e = new ListEntity(id, schema, rec);
    const has = (prop: string): boolean => model.get(e.schema).properties.has(prop);
    entities.push(e);
    byEnt.set(row.ent, e);
    stats.count(schema);
    e.add('name', row.name);
    if (schema === 'Person' && row.name.includes(',')) {
      const [last, ...first] = row.name.split(',');
      e.add('lastName', last);
      e.add('firstName', first.join(','));
    }
    e.add('topics', 'sanction');
    for (const p of row.programs) e.add('programId', p);
    if (row.title) e.add(schema === 'Person' ? 'position' : 'notes', row.title);
    if (schema === 'Vessel') {
      e.add('callSign', row.callSign);
      e.add('type', row.vesselType);
      e.add('tonnage', row.tonnage?.replace(/,/g, ''));
      e.add('grossRegisteredTonnage', row.grt?.replace(/,/g, ''));
      if (row.flag) {
        const code = countryCode(row.flag);
        if (code) e.add('flag', code);
        else e.add('notes', `Vessel flag: ${row.flag}`);
      }
      if (row.owner) {
        const owner = resolve(row.owner);
        if (owner) e.add('owner', owner);
        else e.add('notes', `Vessel owner: ${row.owner}`);
      }
    } else {
      for (const [label, v] of [
        ['Call sign', row.callSign],
        ['Vessel type', row.vesselType],
        ['Tonnage', row.tonnage],
        ['GRT', row.grt],
        ['Vessel flag', row.flag],
        ['Vessel owner', row.owner],
      ] as const) {
        if (v) e.add('notes', `${label}: ${v}`);
      }
    }

    const sanction = new ListEntity(slugId('ofac-sanction', row.ent), 'Sanction', rec);
    sanction.add('entity', id);
    sanction.add('authority', AUTHORITY);
    sanction.add('authorityId', row.ent);
    for (const p of row.programs) sanction.add('programId', p);
    sanction.add('sourceUrl', `https://sanctionssearch.ofac.treas.gov/Details.aspx?id=${row.ent}`);
    stats.count('Sanction');

    const extra: ListEntity[] = [sanction];
    for (const fact of row.remarks ? parseRemarks(row.remarks) : []) {
      stats.count(`facts.${fact.kind}`);
      applyFact(fact, { e, has, rec, row, resolve, stats, extra, wallets, sanction });
    }
    entities.push(...extra);
  }

  if (files.alt) {
    const base = path.basename(files.alt);
    for (const r of await readRows(files.alt, OFAC_CSV_FILES.alt.columns)) {
      const [entRaw, altNum, type, name, remarks] = r.fields;
      const e = byEnt.get(entRaw!.trim());
      const rec = `${base}:${r.line}#${entRaw!.trim()}.${altNum!.trim()}`;
      if (!e) {
        stats.warn(`${rec}: alias for unknown SDN ${entRaw}`);
        continue;
      }
      const alias = nul(name);
      if (!alias) continue;
      const t = (nul(type) ?? 'aka').toLowerCase().replace(/\./g, '');
      const prop = t === 'fka' ? 'previousName' : t === 'weak aka' ? 'weakAlias' : 'alias';
      e.add(prop, alias, rec);
      stats.count(`alt.${prop}`);
      const note = nul(remarks);
      if (note) e.add('notes', `Alias ${alias}: ${note}`, rec);
    }
  }

  if (files.add) {
    const base = path.basename(files.add);
    for (const r of await readRows(files.add, OFAC_CSV_FILES.add.columns)) {
      const [entRaw, addNum, street, cityLine, country, remarks] = r.fields;
      const e = byEnt.get(entRaw!.trim());
      const rec = `${base}:${r.line}#${entRaw!.trim()}.${addNum!.trim()}`;
      if (!e) {
        stats.warn(`${rec}: address for unknown SDN ${entRaw}`);
        continue;
      }
      const full = [nul(street), nul(cityLine), nul(country)].filter(Boolean).join(', ');
      if (full) {
        e.add('address', full, rec);
        stats.count('addresses');
      }
      const c = nul(country);
      if (c) {
        const code = countryCode(c);
        if (code) e.add('country', code, rec);
        else e.add('notes', `Address country: ${c}`, rec);
      }
      const note = nul(remarks);
      if (note) e.add('notes', `Address ${full}: ${note}`, rec);
    }
  }

  entities.push(...wallets.values());
  return { format: 'ofac-csv', entities, stats };
}

/**
 * Chain name for a wallet id when the crypto module does not model the chain (XMR, ZEC, DASH, ...): the currency
 * code lower-cased, with the EVM and token cases folded onto their chain.
 */
export function walletChain(currency: string, address: string): string {
  if (/^0x[0-9a-fA-F]{40}$/.test(address)) {
    return currency === 'BSC' ? 'bsc' : currency === 'ARB' ? 'arb' : currency === 'ETC' ? 'etc' : 'eth';
  }
  if (currency === 'USDT' || currency === 'USDC') return /^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(address) ? 'trx' : 'eth';
  const chains: Record<string, string> = { XBT: 'btc', BTC: 'btc', BCH: 'bch', BSV: 'bsv', BTG: 'btg' };
  return chains[currency] ?? currency.toLowerCase();
}

/** Normalised address: hex and bech32 addresses are case-insensitive, so lower-cased; base58 stays as is. */
export function normaliseWalletAddress(address: string): string {
  if (/^0x[0-9a-fA-F]+$/.test(address)) return address.toLowerCase();
  if (/^(bc|tb|ltc|bcrt)1[0-9a-zA-Z]+$/.test(address)) return address.toLowerCase();
  return address;
}

interface FactContext {
  e: ListEntity;
  has: (prop: string) => boolean;
  rec: string;
  row: SdnRow;
  resolve: (name: string) => string | undefined;
  stats: ParseStats;
  extra: ListEntity[];
  wallets: Map<string, ListEntity>;
  sanction: ListEntity;
}

function applyFact(fact: RemarkFact, c: FactContext): void {
  const { e, has, stats } = c;
  const note = (text: string): void => {
    e.add('notes', text);
    stats.count('notes');
  };
  switch (fact.kind) {
    case 'alias':
      e.add(fact.quality === 'fka' ? 'previousName' : 'alias', fact.value);
      return;
    case 'birthDate':
      if (has('birthDate')) e.add('birthDate', fact.value);
      else note(`DOB ${fact.value}`);
      return;
    case 'prop':
      if (has(fact.prop)) {
        e.add(fact.prop, fact.value);
        if (fact.prop === 'birthPlace') {
          const country = countryCode(fact.value.split(',').pop());
          if (country) e.add('birthCountry', country);
        }
      } else note(`${fact.label} ${fact.value}`);
      return;
    case 'country': {
      const code = countryCode(fact.value);
      const prop = has(fact.prop) ? fact.prop : 'country';
      if (code) e.add(prop, code);
      else note(`${fact.label} ${fact.value}`);
      return;
    }
    case 'identifier':
      e.add(has(fact.prop) ? fact.prop : 'idNumber', fact.value);
      if (fact.details || fact.country)
        note(`${fact.label} ${fact.value}${fact.country ? ` (${fact.country})` : ''} ${fact.details ?? ''}`.trim());
      return;
    case 'passport': {
      e.add(has('passportNumber') ? 'passportNumber' : 'idNumber', fact.value);
      const p = new ListEntity(makeId('ofac-passport', c.row.ent, fact.value), 'Passport', c.rec);
      p.add('holder', e.id);
      p.add('number', fact.value);
      p.add('passportNumber', fact.value);
      const code = countryCode(fact.country);
      if (code) p.add('country', code);
      else if (fact.country) p.add('summary', fact.country);
      p.add('description', fact.details);
      c.extra.push(p);
      stats.count('Passport');
      return;
    }
    case 'imo':
      if (has('imoNumber')) e.add('imoNumber', fact.value);
      else e.add('idNumber', fact.value);
      return;
    case 'wallet': {
      // Same ids as the crypto module (wallet-<chain>-<normalised address>) so list and chain data merge.
      const check = detectAddress(fact.address, chainFromAsset(fact.currency));
      const id = check.ok
        ? walletEntityId(check.chain, check.address)
        : `wallet-${walletChain(fact.currency, fact.address)}-${normaliseWalletAddress(fact.address)}`;
      if (!check.ok) stats.count('wallets.unvalidated');
      let w = c.wallets.get(id);
      if (!w) {
        w = new ListEntity(id, 'CryptoWallet', c.rec);
        w.add('publicKey', fact.address);
        w.add('currency', fact.currency);
        w.add('topics', 'sanction');
        c.wallets.set(id, w);
        stats.count('CryptoWallet');
      }
      w.add('holder', e.id, c.rec);
      for (const p of c.row.programs) w.add('programId', p, c.rec);
      return;
    }
    case 'link': {
      const target = c.resolve(fact.value);
      if (fact.label === 'Aircraft Operator' && target && has('operator')) {
        e.add('operator', target);
        stats.count('links.resolved');
        return;
      }
      if (!target || target === e.id) {
        note(`${fact.label}: ${fact.value}`);
        stats.count('links.unresolved');
        return;
      }
      const l = new ListEntity(makeId('ofac-link', e.id, target, fact.label), 'UnknownLink', c.rec);
      l.add('subject', e.id);
      l.add('object', target);
      l.add('role', fact.label);
      c.extra.push(l);
      stats.count('links.resolved');
      return;
    }
    case 'provision':
      c.sanction.add('provisions', fact.value);
      return;
    case 'unparsed':
      if (fact.value === c.row.title) return;
      note(fact.value);
      stats.count('unparsedFacts');
      return;
  }
}
