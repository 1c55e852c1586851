import type { EvidenceRef, Finding } from '../../findings/finding.js';
import { DPRK_MID, mmsiMid } from '../ais/mid.js';
import { equirectM, NM_M } from '../geo/distance.js';
import type { GeoContext } from '../geo/types.js';
import { speedAt } from '../tracks/segment.js';
import type { Segment, TrackSet } from '../tracks/types.js';
import { iso, makeFinding, median, pointEvidence, round, round6 } from './common.js';

/**
 * Encounters (possible ship-to-ship transfers), after GFW pipe-encounters: each segment is resampled to a
 * 10-minute grid with linear interpolation (never across a gap over 1 h); in every time slot a spatial hash finds
 * vessels within 500 m; a pair that stays close for ≥ 2 h with a median speed < 2 kn, ≥ 10 km from any port or
 * anchorage, is an encounter; encounters between the same pair less than 4 h apart are merged.
 */
export interface EncounterParams {
  slotS: number;
  maxInterpolationGapS: number;
  maxDistanceM: number;
  minDurationS: number;
  maxMedianSpeedKn: number;
  minPortDistanceM: number;
  mergeGapS: number;
  /** Resampled points faster than this are not candidates (speed-up only; well above maxMedianSpeedKn). */
  candidateMaxSpeedKn: number;
}

export const ENCOUNTER_DEFAULTS: EncounterParams = {
  slotS: 600,
  maxInterpolationGapS: 3600,
  maxDistanceM: 500,
  minDurationS: 2 * 3600,
  maxMedianSpeedKn: 2,
  minPortDistanceM: 10_000,
  mergeGapS: 4 * 3600,
  candidateMaxSpeedKn: 6,
};

export interface EncounterOptions {
  /** MMSIs that match a sanctioned vessel, with the matched entity id or list reference. */
  sanctioned?: Map<number, string>;
}

/** The close slots of one pair of segments (a: the lower MMSI's), with the values the finding needs. */
export interface PairSlots {
  a: number;
  b: number;
  slots: number[];
  dist: number[];
  speedA: number[];
  speedB: number[];
  lat: number[];
  lon: number[];
}

/**
 * Slow resampled points (step 1): every segment on the 10-minute grid, parallel arrays in segment then slot order.
 * `seg` is the segment's id in `tracks.segments`.
 */
export interface ResampledPoints {
  slot: number[];
  seg: number[];
  lat: number[];
  lon: number[];
  spd: number[];
}

/**
 * Detect encounters over all vessels at once. The three steps are exported for the cluster's cell × slot units
 * (src/cluster/encounter-units.ts), which run them over stored resampled points of a bounded region and window:
 * `resampleSlowPoints` (per segment), `findClosePairs` (per slot, a relation between two points only) and
 * `encounterGroups` (per pair, runs and merges), then `encounterFinding`.
 */
export function detectEncounters(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'nearestAnchorage' | 'zones'>,
  p: Partial<EncounterParams> = {},
  opts: EncounterOptions = {},
): Finding[] {
  const params: EncounterParams = { ...ENCOUNTER_DEFAULTS, ...p };
  const pts = resampleSlowPoints(tracks, params);
  const segMmsi = new Int32Array(tracks.segments.length);
  for (const seg of tracks.segments) segMmsi[seg.id] = seg.mmsi;
  const pairs = findClosePairs(pts, segMmsi, params);
  const out: Finding[] = [];
  for (const ps of pairs.values()) {
    const segA = tracks.segments[ps.a]!;
    const segB = tracks.segments[ps.b]!;
    const evidence = (startMs: number, endMs: number) => [
      ...segmentEvidence(tracks.cols, segA, startMs, endMs),
      ...segmentEvidence(tracks.cols, segB, startMs, endMs),
    ];
    for (const [q0, q1] of encounterGroups(ps.slots, params)) {
      const f = encounterFinding(tracks, geo, params, opts, segA.mmsi, segB.mmsi, ps, q0, q1, evidence);
      if (f) out.push(f);
    }
  }
  return out;
}

/** Step 1: resample every segment to the slot grid (linear interpolation, never across a gap); keep slow points. */
export function resampleSlowPoints(tracks: TrackSet, params: EncounterParams): ResampledPoints {
  const { cols } = tracks;
  const stepMs = params.slotS * 1000;
  const maxGapMs = params.maxInterpolationGapS * 1000;
  const rSlot: number[] = [];
  const rSeg: number[] = [];
  const rLat: number[] = [];
  const rLon: number[] = [];
  const rSpd: number[] = [];
  for (const seg of tracks.segments) {
    const idx = seg.idx;
    if (idx.length < 2) continue;
    let k = 0;
    for (let slot = Math.ceil(seg.startMs / stepMs); slot * stepMs <= seg.endMs; slot++) {
      const t = slot * stepMs;
      while (k + 1 < idx.length && cols.tsMs[idx[k + 1]!]! <= t) k++;
      const i = idx[k]!;
      const j = idx[Math.min(k + 1, idx.length - 1)]!;
      const ti = cols.tsMs[i]!;
      const tj = cols.tsMs[j]!;
      let lat: number;
      let lon: number;
      let spd: number;
      if (ti === t || i === j) {
        lat = cols.lat[i]!;
        lon = cols.lon[i]!;
        spd = speedAt(cols, idx, k);
      } else {
        if (tj - ti > maxGapMs) {
          // Skip ahead to the slot after the gap.
          slot = Math.ceil(tj / stepMs) - 1;
          continue;
        }
        const f = (t - ti) / (tj - ti);
        lat = cols.lat[i]! + f * (cols.lat[j]! - cols.lat[i]!);
        lon = cols.lon[i]! + f * (cols.lon[j]! - cols.lon[i]!);
        const si = speedAt(cols, idx, k);
        const sj = speedAt(cols, idx, k + 1);
        spd = Number.isNaN(si) ? sj : Number.isNaN(sj) ? si : si + f * (sj - si);
      }
      if (!(spd <= params.candidateMaxSpeedKn)) continue;
      rSlot.push(slot);
      rSeg.push(seg.id);
      rLat.push(lat);
      rLon.push(lon);
      rSpd.push(spd);
    }
  }
  return { slot: rSlot, seg: rSeg, lat: rLat, lon: rLon, spd: rSpd };
}

/**
 * Step 2: group the points by slot (counting sort) and find close pairs with a spatial hash per slot. Whether two
 * points of one slot pair up depends on those two points only (their hash cells and distance), never on the
 * others or their order, so any superset of a pair's points finds the same pair slots. `segMmsi[seg]` is the
 * MMSI of segment `seg` (points of one MMSI never pair). Pairs are keyed by segment ids (below 4,194,304).
 */
export function findClosePairs(
  pts: ResampledPoints,
  segMmsi: ArrayLike<number>,
  params: EncounterParams,
): Map<number, PairSlots> {
  const { slot: rSlot, seg: rSeg, lat: rLat, lon: rLon, spd: rSpd } = pts;
  const n = rSlot.length;
  const pairs = new Map<number, PairSlots>();
  if (n > 0) {
    let minSlot = Infinity;
    let maxSlot = -Infinity;
    for (const s of rSlot) {
      if (s < minSlot) minSlot = s;
      if (s > maxSlot) maxSlot = s;
    }
    const nSlots = maxSlot - minSlot + 1;
    const start = new Int32Array(nSlots + 1);
    for (const s of rSlot) start[s - minSlot + 1]!++;
    for (let s = 0; s < nSlots; s++) start[s + 1]! += start[s]!;
    const order = new Int32Array(n);
    const fill = start.slice(0, nSlots);
    for (let r = 0; r < n; r++) order[fill[rSlot[r]! - minSlot]!++] = r;
    const cellDeg = (params.maxDistanceM * 1.2) / 111_000;
    const cell = new Map<number, number[]>();
    for (let s = 0; s < nSlots; s++) {
      const a0 = start[s]!;
      const a1 = start[s + 1]!;
      if (a1 - a0 < 2) continue;
      cell.clear();
      for (let q = a0; q < a1; q++) {
        const r = order[q]!;
        const cy = Math.floor(rLat[r]! / cellDeg);
        const cx = Math.floor((rLon[r]! * Math.cos((rLat[r]! * Math.PI) / 180)) / cellDeg);
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const list = cell.get((cy + dy) * 1_000_003 + (cx + dx));
            if (!list) continue;
            for (const o of list) {
              const mA = segMmsi[rSeg[o]!]!;
              const mB = segMmsi[rSeg[r]!]!;
              if (mA === mB) continue;
              const d = equirectM(rLat[o]!, rLon[o]!, rLat[r]!, rLon[r]!);
              if (d > params.maxDistanceM) continue;
              const [x, y] = mA < mB ? [o, r] : [r, o];
              const key = rSeg[x]! * 4_194_304 + rSeg[y]!;
              let ps = pairs.get(key);
              if (!ps) {
                ps = { a: rSeg[x]!, b: rSeg[y]!, slots: [], dist: [], speedA: [], speedB: [], lat: [], lon: [] };
                pairs.set(key, ps);
              }
              ps.slots.push(s + minSlot);
              ps.dist.push(d);
              ps.speedA.push(rSpd[x]!);
              ps.speedB.push(rSpd[y]!);
              ps.lat.push((rLat[x]! + rLat[y]!) / 2);
              ps.lon.push((rLon[x]! + rLon[y]!) / 2);
            }
          }
        const key = cy * 1_000_003 + cx;
        let list = cell.get(key);
        if (!list) cell.set(key, (list = []));
        list.push(r);
      }
    }
  }
  return pairs;
}

/**
 * Step 3: a pair's close slots (ascending) cut into runs of consecutive slots lasting at least the minimum
 * duration, runs less than the merge gap apart merged: each group is [first, last] index into `slots`.
 */
export function encounterGroups(slots: number[], params: EncounterParams): Array<[number, number]> {
  const minSlots = Math.ceil(params.minDurationS / params.slotS);
  const mergeSlots = params.mergeGapS / params.slotS;
  const runs: Array<[number, number]> = [];
  let r0 = 0;
  for (let q = 1; q <= slots.length; q++) {
    if (q === slots.length || slots[q]! !== slots[q - 1]! + 1) {
      if (slots[q - 1]! - slots[r0]! >= minSlots) runs.push([r0, q - 1]);
      r0 = q;
    }
  }
  const merged: Array<[number, number]> = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last && slots[run[0]]! - slots[last[1]]! < mergeSlots) last[1] = run[1];
    else merged.push([run[0], run[1]]);
  }
  return merged;
}

/** Evidence of one vessel's segment: its first fix at or after the start, its last fix at or before the end. */
function segmentEvidence(cols: TrackSet['cols'], seg: Segment, startMs: number, endMs: number): EvidenceRef[] {
  const idx = seg.idx;
  let k = 0;
  while (k < idx.length - 1 && cols.tsMs[idx[k]!]! < startMs) k++;
  const a = pointEvidence(cols, idx[k]!, `MMSI ${seg.mmsi} at the start of the encounter`);
  let m = idx.length - 1;
  while (m > 0 && cols.tsMs[idx[m]!]! > endMs) m--;
  return [a, pointEvidence(cols, idx[m]!, `MMSI ${seg.mmsi} at the end of the encounter`)];
}

/**
 * The finding of one group of a pair (or undefined when it fails the speed or port test). `tracks` gives the
 * vessels' static reports (names, IMOs); `evidence(startMs, endMs)` the four evidence fixes (A start, A end, B
 * start, B end: each vessel's segment's first fix at or after the start and last fix at or before the end).
 */
export function encounterFinding(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'nearestAnchorage' | 'zones'>,
  params: EncounterParams,
  opts: EncounterOptions,
  mmsiA: number,
  mmsiB: number,
  ps: PairSlots,
  q0: number,
  q1: number,
  evidence: (startMs: number, endMs: number) => EvidenceRef[],
): Finding | undefined {
  const sel = (a: number[]) => a.slice(q0, q1 + 1);
  const medA = median(sel(ps.speedA));
  const medB = median(sel(ps.speedB));
  if (!(medA < params.maxMedianSpeedKn && medB < params.maxMedianSpeedKn)) return undefined;
  const lat = median(sel(ps.lat));
  const lon = median(sel(ps.lon));
  const port = geo.nearestAnchorage(lat, lon, params.minPortDistanceM);
  if (port) return undefined;
  const startMs = ps.slots[q0]! * params.slotS * 1000;
  const endMs = ps.slots[q1]! * params.slotS * 1000;
  const hours = (endMs - startMs) / 3_600_000;
  const medDist = median(sel(ps.dist));
  const redFlags = ['SHIP_TO_SHIP_TRANSFER'];
  const partners: string[] = [];
  for (const mmsi of [mmsiA, mmsiB]) {
    if (mmsiMid(mmsi).mid === DPRK_MID) partners.push(`MMSI ${mmsi} is DPRK-flagged (MID 445)`);
    const s = opts.sanctioned?.get(mmsi);
    if (s) partners.push(`MMSI ${mmsi} matches sanctioned vessel ${s}`);
  }
  if (partners.length) redFlags.push('CONTACT_WITH_SANCTIONED_VESSEL');
  const zones = geo.zones.filter((z) => z.contains(lat, lon));
  if (zones.length) redFlags.push('HIGH_RISK_AREA');
  const nearest = geo.nearestAnchorage(lat, lon, 200_000);
  let score = 0.55 + Math.min(0.15, hours / 40);
  if (partners.length) score += 0.25;
  if (zones.length) score += 0.1;
  const coords: Array<[number, number]> = [];
  for (let q = q0; q <= q1; q++) coords.push([round6(ps.lon[q]!), round6(ps.lat[q]!)]);
  const explanation =
    `MMSI ${mmsiA} and MMSI ${mmsiB} stayed within ${params.maxDistanceM} m of each other (median ` +
    `${medDist.toFixed(0)} m) for ${hours.toFixed(1)} h at median speeds ${medA.toFixed(1)} and ${medB.toFixed(1)} kn, ` +
    `${nearest ? `${(nearest.distanceM / 1000).toFixed(0)} km from the nearest port or anchorage (${nearest.port.name})` : 'over 200 km from any port or anchorage'}` +
    `${zones.length ? ` in ${zones.map((z) => z.name).join(', ')}` : ''}${partners.length ? `; ${partners.join('; ')}` : ''}.`;
  return makeFinding(tracks, {
    kind: 'ais.encounter',
    mmsis: [mmsiA, mmsiB],
    startMs,
    endMs,
    geometry:
      coords.length > 1 ? { type: 'LineString', coordinates: coords } : { type: 'Point', coordinates: coords[0]! },
    score,
    redFlags,
    explanation,
    evidence: evidence(startMs, endMs),
    params: { ...params },
    details: {
      position: { lat: round6(lat), lon: round6(lon) },
      start: iso(startMs),
      end: iso(endMs),
      durationH: round(hours, 2),
      medianDistanceM: round(medDist, 0),
      medianSpeedKn: { [mmsiA]: round(medA, 2), [mmsiB]: round(medB, 2) },
      nearestPort: nearest
        ? { name: nearest.port.name, iso3: nearest.port.iso3, distanceNm: round(nearest.distanceM / NM_M, 1) }
        : null,
      zones: zones.map((z) => z.id),
      partnerFlags: partners,
    },
  });
}
