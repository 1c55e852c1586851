import { REGISTRY_COLUMNS, type RegistryColumn } from '../../ownership/registry-csv.js';
import type { VesselHull } from '../cargo/hulls.js';
import type { StaticReport } from '../tracks/types.js';
import { PositionBuilder, type PositionColumns } from '../tracks/types.js';
import { type Activity, stateAt } from './motion.js';
import { encodePosition, encodeType24, type StaticData, singleSentence, type5Sentences } from './nmea-encoder.js';
import { Rng } from './prng.js';
import { buildScenario, identityAt, type RegistryRow, type Scenario, type SimVessel } from './scenario.js';

/**
 * Turn a scenario into AIS: each vessel reports at its own interval (10–30 s under way, 3 min when slow or
 * moored; class B every 30 s / 3 min), with GPS and speed noise, and static data every 30 minutes and whenever
 * identity or draught changes. The same messages come out as typed tracks (for tests and detectors) and as NMEA
 * with tag-block times (for the importer).
 */

export interface SimMessage {
  tsMs: number;
  vessel: number;
  kind: 'pos' | 'static';
  mmsi: number;
  lat: number;
  lon: number;
  sogKn: number;
  cogDeg: number;
  headingDeg: number | null;
  navStatus: number;
  msgType: 1 | 3 | 5 | 18 | 24;
  static?: StaticData;
}

export interface SimOutput {
  scenario: Scenario;
  messages: SimMessage[];
  positions: PositionColumns;
  statics: StaticReport[];
  source: string;
}

const STATIC_EVERY_MS = 30 * 60_000;

function activityAt(acts: Activity[], t: number, from: number): number {
  let k = from;
  while (k < acts.length - 1 && acts[k]!.endMs <= t) k++;
  return k;
}

function aisOn(v: SimVessel, t: number): boolean {
  return !v.aisOn || v.aisOn.some(([a, b]) => t >= a && t < b);
}

function draughtAt(v: SimVessel, t: number): number {
  let d = v.draughts[0]!.draughtM;
  for (const x of v.draughts) if (x.fromMs <= t) d = x.draughtM;
  return d;
}

export function staticOf(v: SimVessel, t: number): StaticData {
  const id = identityAt(v, t);
  const bow = Math.round(v.lengthM * 0.8);
  return {
    mmsi: id.mmsi,
    imo: id.imo,
    callsign: id.callsign,
    name: id.name,
    shipType: v.shipType,
    toBow: bow,
    toStern: v.lengthM - bow,
    toPort: Math.floor(v.beamM / 2),
    toStarboard: v.beamM - Math.floor(v.beamM / 2),
    draughtM: draughtAt(v, t),
    destination: v.destination,
  };
}

export function generate(scenario: Scenario): SimOutput {
  const rng = new Rng(scenario.seed ^ 0x5eed);
  const messages: SimMessage[] = [];
  scenario.vessels.forEach((v, vi) => {
    const acts = v.activities;
    const first = Math.max(scenario.startMs, acts[0]?.startMs ?? scenario.startMs);
    const last = Math.min(scenario.endMs, acts[acts.length - 1]?.endMs ?? scenario.endMs);
    let t = Math.round(first + rng.range(0, 10_000));
    let k = 0;
    let nextStatic = t;
    let lastKey = '';
    while (t < last) {
      k = activityAt(acts, t, k);
      const st = stateAt(acts[k]!, t);
      const on = aisOn(v, t);
      const slow = st.sogKn < 2;
      if (on) {
        const s = staticOf(v, t);
        const key = `${s.mmsi}|${s.imo}|${s.name}|${s.callsign}|${s.draughtM}`;
        if (t >= nextStatic || key !== lastKey) {
          messages.push({
            tsMs: t,
            vessel: vi,
            kind: 'static',
            mmsi: s.mmsi,
            lat: 0,
            lon: 0,
            sogKn: 0,
            cogDeg: 0,
            headingDeg: null,
            navStatus: 0,
            msgType: v.aisClass === 'A' ? 5 : 24,
            static: s,
          });
          nextStatic = t + STATIC_EVERY_MS;
          lastKey = key;
        }
        const noiseM = 5;
        const lat = st.lat + (rng.gauss() * noiseM) / 111_000;
        const lon = st.lon + (rng.gauss() * noiseM) / (111_000 * Math.cos((st.lat * Math.PI) / 180));
        const sog = Math.max(0, st.sogKn + (slow ? Math.abs(rng.gauss()) * 0.05 : rng.gauss() * 0.2));
        const cog = Number.isNaN(st.cogDeg) ? rng.range(0, 360) : (st.cogDeg + rng.gauss() * 1.5 + 360) % 360;
        messages.push({
          tsMs: t,
          vessel: vi,
          kind: 'pos',
          mmsi: s.mmsi,
          lat,
          lon,
          sogKn: Math.round(sog * 10) / 10,
          cogDeg: Math.round(cog * 10) / 10,
          headingDeg: st.navStatus === 5 ? Math.round(rng.range(0, 359)) : Math.round(cog) % 360,
          navStatus: st.navStatus,
          msgType: v.aisClass === 'B' ? 18 : rng.next() < 0.9 ? 1 : 3,
        });
      }
      const base = slow ? 180 : v.aisClass === 'B' ? 30 : v.underwayIntervalS;
      t += Math.round(base * 1000 * rng.range(0.9, 1.1));
    }
    for (const f of v.spoofFixes ?? [])
      if (f.tsMs >= scenario.startMs && f.tsMs < scenario.endMs)
        messages.push({
          tsMs: f.tsMs,
          vessel: vi,
          kind: 'pos',
          mmsi: identityAt(v, f.tsMs).mmsi,
          lat: f.lat,
          lon: f.lon,
          sogKn: 12,
          cogDeg: 0,
          headingDeg: 0,
          navStatus: 0,
          msgType: 1,
        });
  });
  messages.sort((a, b) => a.tsMs - b.tsMs || a.vessel - b.vessel);
  const source = `sim:${scenario.name}:${scenario.seed}`;
  const pb = new PositionBuilder(messages.length);
  const src = pb.sourceId(source);
  const statics: StaticReport[] = [];
  for (const m of messages) {
    // Positions are stored at 1e-4 minute resolution, as the AIS encoding carries them.
    if (m.kind === 'pos')
      pb.push(
        m.mmsi,
        m.tsMs,
        Math.round(m.lat * 600000) / 600000,
        Math.round(m.lon * 600000) / 600000,
        m.sogKn,
        m.cogDeg,
        src,
      );
    else {
      const s = m.static!;
      statics.push({
        mmsi: s.mmsi,
        tsMs: m.tsMs,
        imo: m.msgType === 5 ? s.imo : null,
        name: s.name,
        callsign: s.callsign,
        shipType: s.shipType,
        draughtM: m.msgType === 5 ? s.draughtM : null,
        destination: m.msgType === 5 ? s.destination : null,
        source,
      });
    }
  }
  return { scenario, messages, positions: pb.finish(), statics, source };
}

export function simulate(name: string, seed: number, opts: { start?: string; hours?: number } = {}): SimOutput {
  return generate(buildScenario(name, seed, opts.start, opts.hours));
}

/** Hull dimensions per MMSI as the simulated static reports carry them (what `loadHulls` reads from the store). */
export function simHulls(sim: SimOutput): Map<number, VesselHull> {
  const out = new Map<number, VesselHull>();
  for (const m of sim.messages) {
    const s = m.static;
    if (!s || out.has(s.mmsi)) continue;
    out.set(s.mmsi, {
      mmsi: s.mmsi,
      lengthM: s.toBow + s.toStern,
      beamM: s.toPort + s.toStarboard,
      shipType: s.shipType,
    });
  }
  return out;
}

/** NMEA lines (tag block + !AIVDM) in time order. */
export function* nmeaLines(sim: SimOutput): Generator<string> {
  let seq = 0;
  for (const m of sim.messages) {
    if (m.kind === 'pos') {
      yield singleSentence(
        m.tsMs,
        'wk-sim',
        encodePosition({
          msgType: m.msgType as 1 | 3 | 18,
          mmsi: m.mmsi,
          tsMs: m.tsMs,
          lat: m.lat,
          lon: m.lon,
          sogKn: m.sogKn,
          cogDeg: m.cogDeg,
          headingDeg: m.headingDeg,
          navStatus: m.navStatus,
        }),
        m.msgType === 18 ? 'B' : 'A',
      );
    } else if (m.msgType === 5) {
      for (const l of type5Sentences(m.tsMs, 'wk-sim', m.static!, seq++)) yield l;
    } else {
      yield singleSentence(m.tsMs, 'wk-sim', encodeType24(m.static!, 0), 'B');
      yield singleSentence(m.tsMs, 'wk-sim', encodeType24(m.static!, 1), 'B');
    }
  }
}

/**
 * The registry CSV columns the simulator fills: the documented layout (ownership/registry-csv.ts, docs/ownership.md)
 * without the contact columns, in its order.
 */
export const REGISTRY_CSV_COLUMNS = REGISTRY_COLUMNS.filter((c) => c !== 'company_phone' && c !== 'company_email');

const registryValues = (r: RegistryRow): Partial<Record<RegistryColumn, string | number | undefined>> => ({
  imo: r.imo,
  vessel_name: r.vesselName,
  flag: r.flag,
  role: r.role,
  company_name: r.companyName,
  company_imo: r.companyImo,
  company_address: r.companyAddress,
  company_country: r.companyCountry,
  effective_date: r.effectiveDate,
  end_date: r.endDate,
  share: r.share,
  company_incorporated: r.companyIncorporated,
});

const csvField = (v: string | number | undefined): string => {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/**
 * The scenario's ship-registry extract: every simulated hull's owners and managers over time, as the CSV
 * `watchkeeper ownership import` reads. Empty (header only) when no vessel carries registry rows.
 */
export function registryCsv(scenario: Scenario): string {
  const rows: RegistryRow[] = scenario.vessels.flatMap((v) => v.registry ?? []);
  const lines = [REGISTRY_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const v = registryValues(r);
    lines.push(REGISTRY_CSV_COLUMNS.map((c) => csvField(v[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}
