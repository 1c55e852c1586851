import { readFileSync } from 'node:fs';
import { parseCsv } from '../ingest/csv.js';
import { dataPath } from '../paths.js';

/**
 * DPRK ports as shipping documents write them: the World Port Index names and alternates in
 * data/ais/geo/dprk_ports_wpi.csv, plus the romanisations and older names documents use. A port field names a
 * DPRK port when one of these names appears in it as whole words ("NAMPO, DPRK", "Port of Chongjin").
 */

const EXTRA = [
  'nampo',
  'namp o',
  'chinnampo',
  'chongjin',
  'rajin',
  'najin',
  'rason',
  'songnim',
  'kyomipo',
  'haeju',
  'wonsan',
  'hungnam',
  'taean',
  'sinpo',
  'tanchon',
  'ryongampo',
  'sonbong',
  'unggi',
  'kimchaek',
  'chaho',
  'dprk',
  'north korea',
];

function key(text: string): string {
  return ` ${text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f'’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}

let names: string[] | undefined;

function dprkNames(): string[] {
  if (names) return names;
  const set = new Set(EXTRA.map((n) => key(n)));
  const records = parseCsv(readFileSync(dataPath('ais', 'geo', 'dprk_ports_wpi.csv'), 'utf8'));
  const header = records[0]!.fields;
  const main = header.indexOf('main_port_name');
  const alt = header.indexOf('alternate_port_name');
  for (const r of records.slice(1)) {
    for (const i of [main, alt]) {
      const v = r.fields[i]?.trim();
      if (v) set.add(key(v));
    }
  }
  names = [...set].filter((n) => n.trim().length >= 4);
  return names;
}

const cache = new Map<string, string | null>();

/** The DPRK port name found in a port field ("nampo"), or null. */
export function dprkPortIn(port: string | null): string | null {
  if (!port) return null;
  let hit = cache.get(port);
  if (hit === undefined) {
    const k = key(port);
    hit =
      dprkNames()
        .find((n) => k.includes(n))
        ?.trim() ?? null;
    if (cache.size > 100_000) cache.clear();
    cache.set(port, hit);
  }
  return hit;
}
