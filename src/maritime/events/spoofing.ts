import type { Finding } from '../../findings/finding.js';
import { haversineM, KN_MS } from '../geo/distance.js';
import type { GeoContext } from '../geo/types.js';
import type { Segment, TrackSet } from '../tracks/types.js';
import { makeFinding, pointEvidence, positionDetail, round, round6 } from './common.js';

/**
 * Spoofing: (1) a cloned MMSI: two long segments of one MMSI overlapping in time, far apart (two transmitters);
 * (2) impossible jumps: short segments (a few fixes) the rest of the track cannot reach below the segmentation
 * speed limit; (3) positions well inland on Natural Earth land (beyond coastline and raster error); (4) teleports:
 * the track switches from one longer segment to another at a speed above the segmentation limit and carries on
 * from there (a transmitter moved, or a track spoofed, in one go). A ship that reappears far away after a real
 * gap is not a teleport: the speed over the gap is what counts, and it is plausible.
 */
export interface SpoofingParams {
  minClonePoints: number;
  minCloneOverlapS: number;
  maxJumpPoints: number;
  minJumpDistanceM: number;
  minInlandM: number;
  /** Positions this far inland are flagged even on a long, plausible track (Natural Earth land covers rivers and canals). */
  deepInlandM: number;
  /** Two simultaneous segments closer than this are one noisy transmitter, not a clone. */
  minCloneDistanceM: number;
  mergeGapS: number;
  /** Teleports: the implied speed between the two segments must exceed this (default: the segmentation limit). */
  maxTeleportSpeedKn?: number;
}

export const SPOOFING_DEFAULTS: SpoofingParams = {
  minClonePoints: 10,
  minCloneOverlapS: 1800,
  maxJumpPoints: 3,
  minJumpDistanceM: 10_000,
  minInlandM: 5000,
  deepInlandM: 100_000,
  minCloneDistanceM: 10_000,
  mergeGapS: 6 * 3600,
};

export function detectSpoofing(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'shoreDistanceM'>,
  p: Partial<SpoofingParams> = {},
): Finding[] {
  const params: SpoofingParams = { ...SPOOFING_DEFAULTS, ...p };
  const { cols } = tracks;
  const out: Finding[] = [];
  const countIn = (s: Segment, t0: number, t1: number): number => {
    let c = 0;
    for (const i of s.idx) if (cols.tsMs[i]! >= t0 && cols.tsMs[i]! <= t1) c++;
    return c;
  };
  for (const v of tracks.vessels) {
    const segs = v.segments;
    // (1) clones
    const long = segs.filter((s) => s.idx.length >= params.minClonePoints);
    const cloned = new Set<number>();
    for (let x = 0; x < long.length; x++)
      for (let y = x + 1; y < long.length; y++) {
        const a = long[x]!;
        const b = long[y]!;
        const t0 = Math.max(a.startMs, b.startMs);
        const t1 = Math.min(a.endMs, b.endMs);
        if (t1 - t0 < params.minCloneOverlapS * 1000) continue;
        if (countIn(a, t0, t1) < params.minClonePoints || countIn(b, t0, t1) < params.minClonePoints) continue;
        const ia = a.idx.find((i) => cols.tsMs[i]! >= t0)!;
        const ib = b.idx.find((i) => cols.tsMs[i]! >= t0)!;
        const d = haversineM(cols.lat[ia]!, cols.lon[ia]!, cols.lat[ib]!, cols.lon[ib]!);
        if (d < params.minCloneDistanceM) continue;
        cloned.add(a.id).add(b.id);
        out.push(
          makeFinding(tracks, {
            kind: 'ais.spoofing',
            mmsis: [v.mmsi],
            startMs: t0,
            endMs: t1,
            geometry: {
              type: 'LineString',
              coordinates: [
                [round6(cols.lon[ia]!), round6(cols.lat[ia]!)],
                [round6(cols.lon[ib]!), round6(cols.lat[ib]!)],
              ],
            },
            score: 0.85,
            redFlags: ['AIS_MANIPULATION', 'VESSEL_IDENTITY_ALTERATION'],
            explanation:
              `MMSI ${v.mmsi} was broadcast from two places at once for ${((t1 - t0) / 3_600_000).toFixed(1)} h, ` +
              `${(d / 1000).toFixed(0)} km apart: two transmitters share the identity (cloned MMSI).`,
            evidence: [
              pointEvidence(cols, ia, 'fix of the first transmitter'),
              pointEvidence(cols, ib, 'fix of the second transmitter'),
            ],
            params: { ...params },
            idKey: `clone-${a.startMs}-${b.startMs}`,
            details: {
              check: 'cloned_mmsi',
              before: positionDetail(cols, ia),
              after: positionDetail(cols, ib),
              distanceKm: round(d / 1000, 1),
              overlapH: round((t1 - t0) / 3_600_000, 2),
              segmentPoints: [a.idx.length, b.idx.length],
            },
          }),
        );
      }
    // (2) impossible jumps: short segments away from the vessel's main track, merged within mergeGapS.
    if (segs.length > 1) {
      const segOf = new Int32Array(v.to - v.from);
      for (const s of segs) for (const i of s.idx) segOf[i - v.from] = s.id;
      let group: Array<{ i: number; ref: number; d: number }> = [];
      const flush = (): void => {
        if (!group.length) return;
        const g = group;
        group = [];
        const first = g[0]!;
        const last = g[g.length - 1]!;
        const maxD = Math.max(...g.map((x) => x.d));
        const dt = Math.max(1, Math.abs(cols.tsMs[first.i]! - cols.tsMs[first.ref]!) / 1000);
        out.push(
          makeFinding(tracks, {
            kind: 'ais.spoofing',
            mmsis: [v.mmsi],
            startMs: cols.tsMs[first.i]!,
            endMs: cols.tsMs[last.i]!,
            geometry: {
              type: 'LineString',
              coordinates: [
                [round6(cols.lon[first.ref]!), round6(cols.lat[first.ref]!)],
                [round6(cols.lon[first.i]!), round6(cols.lat[first.i]!)],
              ],
            },
            score: 0.5,
            redFlags: ['AIS_MANIPULATION'],
            explanation:
              `MMSI ${v.mmsi} reported ${g.length} position(s) up to ${(maxD / 1000).toFixed(0)} km off its track, ` +
              `needing ${(haversineM(cols.lat[first.ref]!, cols.lon[first.ref]!, cols.lat[first.i]!, cols.lon[first.i]!) / dt / KN_MS).toFixed(0)} kn: impossible jumps.`,
            evidence: g.slice(0, 10).map((x) => pointEvidence(cols, x.i, 'off-track fix')),
            params: { ...params },
            idKey: 'jump',
            details: {
              check: 'impossible_jump',
              before: positionDetail(cols, first.ref),
              after: positionDetail(cols, first.i),
              jumps: g.length,
              maxDistanceKm: round(maxD / 1000, 1),
            },
          }),
        );
      };
      for (const s of segs) {
        if (s.idx.length > params.maxJumpPoints || cloned.has(s.id)) continue;
        const i = s.idx[0]!;
        // Nearest-in-time fix of another segment.
        let ref = -1;
        for (let j = i - 1; j >= v.from; j--)
          if (segOf[j - v.from] !== s.id) {
            ref = j;
            break;
          }
        if (ref < 0)
          for (let j = i + 1; j < v.to; j++)
            if (segOf[j - v.from] !== s.id) {
              ref = j;
              break;
            }
        if (ref < 0) continue;
        const d = haversineM(cols.lat[ref]!, cols.lon[ref]!, cols.lat[i]!, cols.lon[i]!);
        if (d < params.minJumpDistanceM) continue;
        const prev = group[group.length - 1];
        if (prev && cols.tsMs[i]! - cols.tsMs[prev.i]! > params.mergeGapS * 1000) flush();
        group.push({ i, ref, d });
      }
      flush();
    }
    // (4) teleports between longer segments (more than maxJumpPoints fixes, not clones), in time order.
    if (segs.length > 1) teleports(tracks, v, cloned, params, out);
    // (3) positions on land
    for (const s of segs) {
      const inlandM = s.idx.length <= params.maxJumpPoints ? params.minInlandM : params.deepInlandM;
      let run: number[] = [];
      const flushLand = (): void => {
        if (!run.length) return;
        const a = run[0]!;
        const z = run[run.length - 1]!;
        const inland = -geo.shoreDistanceM(cols.lat[a]!, cols.lon[a]!);
        out.push(
          makeFinding(tracks, {
            kind: 'ais.spoofing',
            mmsis: [v.mmsi],
            startMs: cols.tsMs[a]!,
            endMs: cols.tsMs[z]!,
            geometry: { type: 'Point', coordinates: [round6(cols.lon[a]!), round6(cols.lat[a]!)] },
            score: 0.6,
            redFlags: ['AIS_MANIPULATION'],
            explanation: `MMSI ${v.mmsi} reported ${run.length} position(s) on land, the first ${(inland / 1000).toFixed(1)} km inland.`,
            evidence: [
              pointEvidence(cols, a, 'first position on land'),
              pointEvidence(cols, z, 'last position on land'),
            ],
            params: { ...params },
            idKey: 'land',
            details: {
              check: 'on_land',
              before: positionDetail(cols, a),
              after: positionDetail(cols, z),
              positions: run.length,
              inlandKm: round(inland / 1000, 1),
            },
          }),
        );
        run = [];
      };
      for (const i of s.idx) {
        if (geo.shoreDistanceM(cols.lat[i]!, cols.lon[i]!) <= -inlandM) {
          if (run.length && cols.tsMs[i]! - cols.tsMs[run[run.length - 1]!]! > params.mergeGapS * 1000) flushLand();
          run.push(i);
        }
      }
      flushLand();
    }
  }
  return out;
}

/**
 * Walk a vessel's fixes in time order over its longer, non-cloned segments; where consecutive fixes belong to two
 * different segments and the distance between them needs more than the speed limit (plus the segmentation's GPS
 * slack) over the time between them, the track teleported. Switches within `mergeGapS` of each other (out and
 * back) make one finding.
 */
function teleports(
  tracks: TrackSet,
  v: TrackSet['vessels'][number],
  cloned: Set<number>,
  params: SpoofingParams,
  out: Finding[],
): void {
  const { cols } = tracks;
  const limitKn = params.maxTeleportSpeedKn ?? tracks.params.maxSpeedKn;
  const slackM = tracks.params.noiseM;
  const segOf = new Int32Array(v.to - v.from).fill(-1);
  let eligible = 0;
  for (const s of v.segments) {
    if (s.idx.length <= params.maxJumpPoints || cloned.has(s.id)) continue;
    eligible++;
    for (const i of s.idx) segOf[i - v.from] = s.id;
  }
  if (eligible < 2) return;
  const segLen = new Map(v.segments.map((s) => [s.id, s.idx.length]));
  type Jump = { a: number; b: number; d: number; kn: number };
  let group: Jump[] = [];
  const flush = (): void => {
    if (!group.length) return;
    const g = group;
    group = [];
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const gapS = (cols.tsMs[first.b]! - cols.tsMs[first.a]!) / 1000;
    const back = g.length > 1 ? ` and back ${g.length - 1 === 1 ? 'once' : `${g.length - 1} times`}` : '';
    out.push(
      makeFinding(tracks, {
        kind: 'ais.spoofing',
        mmsis: [v.mmsi],
        startMs: cols.tsMs[first.a]!,
        endMs: cols.tsMs[last.b]!,
        geometry: {
          type: 'LineString',
          coordinates: [
            [round6(cols.lon[first.a]!), round6(cols.lat[first.a]!)],
            [round6(cols.lon[first.b]!), round6(cols.lat[first.b]!)],
          ],
        },
        score: 0.7,
        redFlags: ['AIS_MANIPULATION'],
        explanation:
          `MMSI ${v.mmsi} jumped ${(first.d / 1000).toFixed(0)} km in ${formatGap(gapS)} ` +
          `(${first.kn.toFixed(0)} kn, above the ${limitKn} kn a ship can make)${back} and carried on normally from there: ` +
          'the track was moved in one go (relocated or spoofed transmitter).',
        evidence: g
          .slice(0, 5)
          .flatMap((j) => [
            pointEvidence(cols, j.a, 'last fix before the jump'),
            pointEvidence(cols, j.b, 'first fix after the jump'),
          ]),
        params: { ...params, maxTeleportSpeedKn: limitKn, noiseM: slackM },
        idKey: `teleport-${cols.tsMs[first.b]}`,
        details: {
          check: 'teleport',
          before: positionDetail(cols, first.a),
          after: positionDetail(cols, first.b),
          distanceKm: round(first.d / 1000, 1),
          impliedSpeedKn: round(first.kn, 0),
          gapH: round(gapS / 3600, 2),
          jumps: g.length,
          segmentPoints: [segLen.get(segOf[first.a - v.from]!) ?? 0, segLen.get(segOf[first.b - v.from]!) ?? 0],
        },
      }),
    );
  };
  let prev = -1;
  for (let i = v.from; i < v.to; i++) {
    const sid = segOf[i - v.from]!;
    if (sid < 0) continue;
    if (prev >= 0 && segOf[prev - v.from] !== sid) {
      const d = haversineM(cols.lat[prev]!, cols.lon[prev]!, cols.lat[i]!, cols.lon[i]!);
      const dtS = Math.max(0, (cols.tsMs[i]! - cols.tsMs[prev]!) / 1000);
      if (d >= params.minJumpDistanceM && d > limitKn * KN_MS * dtS + slackM) {
        const last = group[group.length - 1];
        if (last && cols.tsMs[prev]! - cols.tsMs[last.b]! > params.mergeGapS * 1000) flush();
        group.push({ a: prev, b: i, d, kn: d / Math.max(1, dtS) / KN_MS });
      }
    }
    prev = i;
  }
  flush();
}

function formatGap(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
