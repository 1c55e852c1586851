import { acronymsOf } from './acronym.js';
import { arabicOrgReadings } from './arabic.js';
import { hanCompanyReading } from './chinese.js';
import { countryCode } from './countries.js';
import {
  normaliseCallSign,
  normaliseCryptoAddress,
  normaliseDocumentNumber,
  normaliseImo,
  normaliseMmsi,
} from './identifiers.js';
import { type NameForm, type NameKind, nameKindForSchema, normaliseName } from './normalise.js';
import { germanSlavicReading } from './slavic.js';

/**
 * An entity (from a list) or a query (FtM-shaped), prepared once for comparison: normalised names, country codes,
 * birth dates and normalised identifiers. Both sides of every comparison have this shape, so features are
 * symmetric pure functions over two `Prepared` values.
 */
export interface Prepared {
  id: string;
  schema: string;
  caption: string;
  kind: NameKind;
  names: NameForm[];
  /** Low-quality aliases (FtM weakAlias): compared with a discount. */
  weakNames: NameForm[];
  /** Organisation names' initials ("BANCO NACIONAL DE CUBA" → bnc), with the name each comes from (acronym.ts). */
  acronyms: Array<{ key: string; from: NameForm }>;
  birthDates: string[];
  countries: Set<string>;
  flags: Set<string>;
  gender?: 'male' | 'female';
  imo: Set<string>;
  mmsi: Set<string>;
  callSigns: Set<string>;
  documents: Set<string>;
  cryptoAddresses: Set<string>;
  datasets: string[];
  properties: Record<string, string[]>;
}

export interface EntityLike {
  id: string;
  schema: string;
  properties: Record<string, string[]> | Map<string, string[]>;
  datasets?: Iterable<string>;
  caption?: string;
}

const NAME_PROPS = ['name', 'alias', 'previousName', 'abbreviation'];
const COUNTRY_PROPS = ['nationality', 'citizenship', 'country', 'jurisdiction', 'mainCountry', 'birthCountry'];
const DOCUMENT_PROPS = [
  'passportNumber',
  'idNumber',
  'registrationNumber',
  'taxNumber',
  'innCode',
  'ogrnCode',
  'leiCode',
  'swiftBic',
  'vatCode',
  'licenseNumber',
  'socialSecurityNumber',
];
/** Hard limit on a name's length; longer values are not names and are refused at the API. */
export const MAX_NAME_LENGTH = 500;

/**
 * One name value sometimes holds several ("Husain Salimi; Hosain Salimi", "X a.k.a. Y"): split on semicolons and
 * the alias phrases of rigour's NAME_SPLIT_PHRASES most common on lists. The whole value is kept as well.
 */
export function splitNames(raw: string): string[] {
  // "Akrin Saleh Akrin (أقرين صالح أقرين)", "Libyan Foreign Investment Company (LFIC)": both halves are names.
  const paren = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(raw);
  if (paren && paren[1]!.trim() !== '') return [raw, paren[1]!.trim(), paren[2]!.trim()];
  const parts = raw
    .split(/\s*;\s*|\s+(?:a\.k\.a\.?|f\.k\.a\.?|also known as|formerly known as)\s+/i)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return parts.length > 1 ? [raw, ...parts] : [raw];
}

function props(e: EntityLike): Record<string, string[]> {
  return e.properties instanceof Map ? Object.fromEntries(e.properties) : e.properties;
}

function addAll<T>(set: Set<T>, values: Array<T | undefined>): void {
  for (const v of values) if (v !== undefined) set.add(v);
}

/** Words separated by spaces or punctuation (a cheap upper bound for acronymsOf, which needs three). */
function wordCount(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const sep = c === 32 || c === 44 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41;
    if (!sep && !inWord) n++;
    inWord = !sep;
  }
  return n;
}

export function prepare(e: EntityLike): Prepared {
  const p = props(e);
  const get = (k: string): string[] => (p[k] ?? []).filter((v) => typeof v === 'string' && v.trim() !== '');
  const kind = nameKindForSchema(e.schema);
  const rawNames = new Set<string>();
  for (const k of NAME_PROPS) for (const v of get(k)) rawNames.add(v);
  if (rawNames.size === 0) {
    const parts = [...get('firstName'), ...get('secondName'), ...get('middleName'), ...get('lastName')];
    if (parts.length > 0) rawNames.add(parts.join(' '));
  }
  const names: NameForm[] = [];
  const weakNames: NameForm[] = [];
  const seen = new Set<string>();
  // A LegalEntity/Thing may be a person or an organisation: keep both normalisations when they differ.
  const kinds: NameKind[] = kind === 'any' ? ['person', 'org'] : [kind];
  const addName = (raw: string, into: NameForm[]): void => {
    if (raw.length > MAX_NAME_LENGTH) return;
    for (const k of kinds) {
      const form = normaliseName(raw, k);
      const key = form.tokens.join(' ');
      if (form.tokens.length === 0 || seen.has(key)) continue;
      seen.add(key);
      into.push(form);
    }
  };
  for (const raw of rawNames) {
    for (const part of splitNames(raw)) {
      addName(part, names);
      // A Russian or Ukrainian name in German spelling is also read in English-style spelling (slavic.ts).
      const slavic = germanSlavicReading(part);
      if (slavic) addName(slavic, names);
      // A Han company name is also read with its company words translated (chinese.ts), an Arabic organisation
      // name with its common words in English (arabic.ts).
      if (kind !== 'person') {
        const reading = hanCompanyReading(part);
        if (reading) addName(reading, names);
        for (const r of arabicOrgReadings(part) ?? []) addName(r, names);
      }
    }
  }
  for (const raw of get('weakAlias')) for (const part of splitNames(raw)) addName(part, weakNames);
  const acronyms: Prepared['acronyms'] = [];
  if (kind !== 'person') {
    for (let i = 0; i < names.length; i++) {
      const form = names[i]!;
      // A LegalEntity's person and organisation forms of one name are adjacent: one is enough. Fewer than three
      // words give no acronym (checked before folding the name again).
      if (names[i - 1]?.original === form.original || wordCount(form.original) < 3) continue;
      for (const key of acronymsOf(form.original)) {
        const own = names.some((n) => n.tokens.length === 1 && n.tokens[0] === key);
        if (!own && !acronyms.some((a) => a.key === key)) acronyms.push({ key, from: form });
      }
    }
  }
  const countries = new Set<string>();
  for (const k of COUNTRY_PROPS) addAll(countries, get(k).map(countryCode));
  const flags = new Set<string>();
  addAll(flags, get('flag').map(countryCode));
  const imo = new Set<string>();
  addAll(imo, get('imoNumber').map(normaliseImo));
  const mmsi = new Set<string>();
  addAll(mmsi, get('mmsi').map(normaliseMmsi));
  const callSigns = new Set<string>();
  addAll(callSigns, get('callSign').map(normaliseCallSign));
  const documents = new Set<string>();
  for (const k of DOCUMENT_PROPS) addAll(documents, get(k).map(normaliseDocumentNumber));
  const cryptoAddresses = new Set<string>();
  const currency = get('currency')[0] ?? get('currencySymbol')[0];
  addAll(
    cryptoAddresses,
    get('publicKey').map((a) => normaliseCryptoAddress(a, currency)),
  );
  const g = get('gender')[0]?.toLowerCase();
  const gender = g === 'male' || g === 'm' ? 'male' : g === 'female' || g === 'f' ? 'female' : undefined;
  const birthDates = get('birthDate')
    .map((d) => d.trim())
    .filter((d) => /^\d{4}/.test(d));
  const caption =
    e.caption ?? [...rawNames][0] ?? get('publicKey')[0] ?? get('imoNumber')[0] ?? get('mmsi')[0] ?? e.id ?? '';
  return {
    id: e.id,
    schema: e.schema,
    caption,
    kind,
    names,
    weakNames,
    acronyms,
    birthDates,
    countries,
    flags,
    gender,
    imo,
    mmsi,
    callSigns,
    documents,
    cryptoAddresses,
    datasets: [...(e.datasets ?? [])],
    properties: p,
  };
}
