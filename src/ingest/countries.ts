import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
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
  is_historical?: boolean;
}

let table: Map<string, string> | undefined;

export function countryKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
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
    const t = parseYaml(readFileSync(path.join(dir, file), 'utf8')) as Territory;
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
  return table.get(k) ?? table.get(k.replace(/^the /, ''));
}
