import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataPath } from '../paths.js';

/**
 * Country names → FtM country codes (lower-case ISO 3166-1 alpha-2, or rigour's territory codes such as
 * "ae-du"), from OpenSanctions' rigour territory data bundled under data/sanctions/reference/rigour/territories.
 * Lists write "Democratic People's Republic of Korea", "Korea, North", "DPRK", "North Korean": all give "kp".
 */

interface Territory {
  name?: string;
  full_name?: string;
  alpha3?: string;
  names_strong?: string[];
  names_weak?: string[];
}

let table: Map<string, string> | undefined;

/**
 * The few fields we need from a rigour territory file, read line by line: the files are flat YAML (scalars and
 * lists of scalars) and a full YAML parse of all 612 of them costs over a second at every import.
 */
export function readTerritory(text: string): Territory {
  const t: Territory = {};
  let list: string[] | undefined;
  for (const raw of text.split('\n')) {
    if (raw.startsWith('  - ') || raw.startsWith('- ')) {
      if (list) list.push(scalar(raw.slice(raw.indexOf('-') + 1)));
      continue;
    }
    const m = /^([a-z_0-9]+):\s*(.*)$/.exec(raw);
    if (!m) continue;
    list = undefined;
    const [, key, value] = m;
    if (key === 'names_strong' || key === 'names_weak') {
      list = [];
      t[key] = list;
    } else if (key === 'name' || key === 'full_name' || key === 'alpha3') t[key] = scalar(value!);
  }
  return t;
}

function scalar(text: string): string {
  let v = text.trim();
  const quoted = /^(["'])(.*)\1(\s+#.*)?$/.exec(v);
  if (quoted) return quoted[1] === "'" ? quoted[2]!.replace(/''/g, "'") : quoted[2]!;
  const hash = v.search(/\s#/);
  if (hash !== -1) v = v.slice(0, hash).trim();
  return v;
}

const ASCII = /^[\x00-\x7f]*$/;

export function countryKey(text: string): string {
  const folded = ASCII.test(text) ? text : text.normalize('NFKD').replace(/\p{M}+/gu, '');
  return folded
    .toLowerCase()
    .replace(/[`'’‘]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function load(): Map<string, string> {
  const dir = dataPath('sanctions', 'reference', 'rigour', 'territories');
  const strong = new Map<string, string>();
  const weak = new Map<string, string>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.yml')) continue;
    const code = file.slice(0, -4).replace(/_/g, '-');
    const t = readTerritory(readFileSync(path.join(dir, file), 'utf8'));
    const put = (m: Map<string, string>, name: string | undefined): void => {
      if (!name) return;
      const k = countryKey(name);
      if (k && !m.has(k)) m.set(k, code);
    };
    put(strong, code);
    put(strong, t.name);
    put(strong, t.full_name);
    put(strong, t.alpha3);
    for (const n of t.names_strong ?? []) put(strong, n);
    for (const n of t.names_weak ?? []) put(weak, n);
  }
  for (const [k, v] of weak) if (!strong.has(k)) strong.set(k, v);
  // Spellings the lists use that rigour does not carry.
  for (const [name, code] of [
    ['Korea, North', 'kp'],
    ['North Korea', 'kp'],
    ['Korea, South', 'kr'],
    ['Russian Federation', 'ru'],
    ['Iran (Islamic Republic of)', 'ir'],
    ['Syrian Arab Republic', 'sy'],
    ['Burma', 'mm'],
    ['United Republic of Tanzania', 'tz'],
    ['Palestinian', 'ps'],
    ['Palestinian Territories', 'ps'],
    ['Region: Gaza', 'ps'],
    ['Region: West Bank', 'ps'],
  ] as const) {
    const k = countryKey(name);
    if (!strong.has(k)) strong.set(k, code);
  }
  return strong;
}

/** The country code for a name, or undefined when it is not a known country name. */
export function countryCode(name: string | undefined): string | undefined {
  if (!name) return undefined;
  table ??= load();
  const k = countryKey(name);
  if (!k) return undefined;
  const found = table.get(k) ?? table.get(k.replace(/^the /, ''));
  if (found) return found;
  // OFAC's inverted forms: "Man, Isle of", "Virgin Islands, British", "Korea, North".
  const comma = name.indexOf(',');
  if (comma > 0) return table.get(countryKey(`${name.slice(comma + 1)} ${name.slice(0, comma)}`));
  return undefined;
}
