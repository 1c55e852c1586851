import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataPath } from '../paths.js';

/**
 * OpenSanctions' rigour reference data (data/sanctions/reference/rigour, MIT): person-name prefixes, organisation
 * types and symbols, and territory names in many languages. Loaded lazily, once per process. The raw strings are
 * returned; normalise.ts folds them exactly like the names they are compared with.
 */

const RIGOUR = (...parts: string[]): string => dataPath('sanctions', 'reference', 'rigour', ...parts);

export interface OrgType {
  /** The form compared: the generic class when rigour gives one (LLC, JSC, ...), else compare, else display. */
  compare: string;
  aliases: string[];
}

export interface Territory {
  /** ISO 3166-1 alpha-2 (or rigour's code, e.g. "ru-mow" for regions), lower case. */
  code: string;
  isCountry: boolean;
  names: string[];
}

export interface Stopwords {
  personPrefixes: string[];
  orgPrefixes: string[];
  objectPrefixes: string[];
}

let stopwords: Stopwords | undefined;
let orgTypes: OrgType[] | undefined;
let orgSymbols: Map<string, string[]> | undefined;
let territories: Territory[] | undefined;

function readYaml<T>(file: string): T {
  return parseYaml(readFileSync(file, 'utf8')) as T;
}

export function loadStopwords(): Stopwords {
  if (!stopwords) {
    const raw = readYaml<Record<string, string[] | null>>(RIGOUR('names', 'stopwords.yml'));
    stopwords = {
      personPrefixes: raw.PERSON_NAME_PREFIXES ?? [],
      orgPrefixes: raw.ORG_NAME_PREFIXES ?? [],
      objectPrefixes: raw.OBJ_NAME_PREFIXES ?? [],
    };
  }
  return stopwords;
}

export function loadOrgTypes(): OrgType[] {
  if (!orgTypes) {
    const raw = readYaml<{
      types: Array<{ display?: string; compare?: string; generic?: string; aliases?: string[] }>;
    }>(RIGOUR('names', 'org_types.yml'));
    orgTypes = [];
    for (const t of raw.types ?? []) {
      const compare = t.generic ?? t.compare ?? t.display;
      if (!compare) continue;
      const aliases = [...(t.aliases ?? [])];
      if (t.display) aliases.push(t.display);
      if (t.compare) aliases.push(t.compare);
      orgTypes.push({ compare, aliases });
    }
  }
  return orgTypes;
}

/** Organisation-name symbols: key ("co") → spellings ("company", "corporation", "компания", ...). */
export function loadOrgSymbols(): Map<string, string[]> {
  if (!orgSymbols) {
    const raw = readYaml<{ org_symbols?: Record<string, Array<string | number>> }>(RIGOUR('names', 'symbols.yml'));
    orgSymbols = new Map();
    for (const [key, values] of Object.entries(raw.org_symbols ?? {})) {
      orgSymbols.set(key, (values ?? []).map(String));
    }
  }
  return orgSymbols;
}

export function loadTerritories(): Territory[] {
  if (!territories) {
    const dir = RIGOUR('territories');
    territories = [];
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.yml')) continue;
      const code = file.slice(0, -4).replace(/_/g, '-');
      territories.push(parseTerritory(code, readFileSync(path.join(dir, file), 'utf8')));
    }
  }
  return territories;
}

/**
 * A territory file read line by line: the files are flat (scalar keys and `names_strong`/`names_weak` lists), and
 * a full YAML parse of all 612 of them costs seconds at start-up, this a few milliseconds.
 */
export function parseTerritory(code: string, text: string): Territory {
  const names: string[] = [code];
  let isCountry = false;
  let inNames = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('  - ') || line.startsWith('- ')) {
      if (inNames) {
        const v = scalar(line.slice(line.indexOf('-') + 1));
        if (v !== '') names.push(v);
      }
      continue;
    }
    if (/^\S/.test(line)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon);
      const value = scalar(line.slice(colon + 1));
      inNames = key === 'names_strong' || key === 'names_weak';
      if ((key === 'name' || key === 'full_name' || key === 'alpha3') && value !== '' && value !== '>-')
        names.push(value);
      if (key === 'is_country') isCountry = value === 'true';
    }
  }
  return { code, isCountry, names };
}

function scalar(raw: string): string {
  let v = raw.trim();
  const hash = v.search(/\s#/);
  if (hash >= 0 && !v.startsWith('"') && !v.startsWith("'")) v = v.slice(0, hash).trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
    v = v.slice(1, -1);
    if (raw.trim().startsWith("'")) v = v.replace(/''/g, "'");
  }
  return v === '[]' ? '' : v;
}
