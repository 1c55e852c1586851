/** Compare our gpsd JSON with gpsdecode's, message by message, allowing only the documented differences. */
import { readFileSync } from 'node:fs';
import { GpsdJsonWriter } from '../../src/maritime/ais/gpsd-json.js';
import type { GpsdCompat } from '../../src/maritime/ais/json-out.js';
import { NmeaAisDecoder } from '../../src/maritime/ais/nmea.js';

/** Talkers gpsd 3.22's packet lexer does not accept (we decode any talker, as NMEA allows). */
export const GPSD_REJECTED_TALKERS = new Set(['BY', 'SS', '--']);

export interface OurLine {
  json: string;
  talker: string;
}

/** Our gpsd JSON lines for a file: `compat` '3.22' to compare with Debian's gpsdecode 3.22, 'current' for ours. */
export function decodeFileLines(nmea: Buffer | string, scaled: boolean, compat: GpsdCompat): OurLine[] {
  const w = new GpsdJsonWriter({ scaled, device: 'stdin', compat });
  const out: OurLine[] = [];
  const d = new NmeaAisDecoder({
    onMessage: (msg, meta) => {
      const json = w.render(msg, meta.channel);
      if (json !== null) out.push({ json, talker: meta.talker });
    },
  });
  d.push(typeof nmea === 'string' ? Buffer.from(nmea) : nmea);
  d.end();
  return out;
}

export interface Comparison {
  gpsdLines: number;
  /** gpsd lines that are not valid JSON (gpsd bugs: unescaped quotes, a missing comma). */
  gpsdInvalid: number;
  matched: number;
  /** Messages gpsd did not print, by reason. */
  oursOnly: { rejectedTalker: number; gpsdInvalid: number; other: number };
  /** Fields that differ beyond the documented differences: "type/field". */
  unexpected: string[];
  /** Documented differences seen, by rule. */
  documented: Record<string, number>;
}

type Obj = Record<string, unknown>;

/** Compare field for field. Documented differences are counted, anything else is listed as unexpected. */
export function compareWithGpsd(gpsdText: string, ours: OurLine[]): Comparison {
  const gpsd: Array<Obj | null> = gpsdText
    .split('\n')
    .filter((l) => l.includes('"class":"AIS"'))
    .map((l) => {
      try {
        return JSON.parse(l) as Obj;
      } catch {
        return null;
      }
    });
  const res: Comparison = {
    gpsdLines: gpsd.length,
    gpsdInvalid: gpsd.filter((g) => g === null).length,
    matched: 0,
    oursOnly: { rejectedTalker: 0, gpsdInvalid: 0, other: 0 },
    unexpected: [],
    documented: {},
  };
  const note = (k: string) => {
    res.documented[k] = (res.documented[k] ?? 0) + 1;
  };
  let j = 0;
  let invalidPending = 0;
  for (const g of gpsd) {
    if (g === null) {
      invalidPending++;
      continue;
    }
    let k = j;
    while (k < ours.length) {
      const o = JSON.parse(ours[k]!.json) as Obj;
      if (o.type === g.type && o.mmsi === g.mmsi) break;
      k++;
    }
    if (k >= ours.length) {
      res.unexpected.push(`missing ${g.type}/${g.mmsi}`);
      continue;
    }
    for (const skipped of ours.slice(j, k)) {
      if (GPSD_REJECTED_TALKERS.has(skipped.talker)) res.oursOnly.rejectedTalker++;
      else if (invalidPending > 0) {
        res.oursOnly.gpsdInvalid++;
        invalidPending--;
      } else res.oursOnly.other++;
    }
    const o = JSON.parse(ours[k]!.json) as Obj;
    j = k + 1;
    res.matched++;
    for (const f of new Set([...Object.keys(g), ...Object.keys(o)])) {
      const a = g[f];
      const b = o[f];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      if (f === 'turn' && typeof a === 'number' && typeof b === 'number' && b === -a) note('turn sign');
      else if (f === 'radio' && g.type === 26 && a === 0) note('type 26 radio');
      else if (f === 'targets' && sameTargetsModulo32(a, b)) note('dac1fid17 42-bit id');
      else res.unexpected.push(`${g.type}/${f}: gpsd ${JSON.stringify(a)} ours ${JSON.stringify(b)}`);
    }
  }
  for (const rest of ours.slice(j)) {
    if (GPSD_REJECTED_TALKERS.has(rest.talker)) res.oursOnly.rejectedTalker++;
    else if (invalidPending > 0) {
      res.oursOnly.gpsdInvalid++;
      invalidPending--;
    } else res.oursOnly.other++;
  }
  return res;
}

function sameTargetsModulo32(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((t: Obj, i) => {
    const u = b[i] as Obj;
    const norm = (x: Obj) => ({ ...x, mmsi: undefined, imo: undefined });
    if (JSON.stringify(norm(t)) !== JSON.stringify(norm(u))) return false;
    for (const key of ['mmsi', 'imo']) {
      if (t[key] === undefined && u[key] === undefined) continue;
      if (String(Number(u[key]) % 2 ** 32) !== t[key]) return false;
    }
    return true;
  });
}

export function readFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/ais/${name}`, import.meta.url), 'utf8');
}
