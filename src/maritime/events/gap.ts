import type { Finding } from '../../findings/finding.js';
import { haversineM, KN_MS, NM_M } from '../geo/distance.js';
import type { GeoContext } from '../geo/types.js';
import type { StaticReport, TrackSet } from '../tracks/types.js';
import { lineGeometry, makeFinding, pointEvidence, positionDetail, round, staticEvidence } from './common.js';

/**
 * AIS gaps ("going dark"). Defaults from GFW's AIS-disabling work (Welch et al. 2022, Science Advances 8):
 * a gap is ≥ 6 h without a position; it is marked likely intentional when it lasts ≥ 12 h and starts > 50 nm
 * from shore (where reception is good enough that silence is a choice). Draught before and after comes from the
 * static reports: a change across a gap means cargo moved while the vessel was dark.
 */
export interface GapParams {
  minGapS: number;
  intentionalMinGapS: number;
  intentionalMinShoreNm: number;
  /** Draught change (m) across a gap reported as cargo moved. */
  draughtChangeM: number;
  /** How far from the gap a static report may be to count as "draught before/after" (seconds). */
  draughtWindowS: number;
}

export const GAP_DEFAULTS: GapParams = {
  minGapS: 6 * 3600,
  intentionalMinGapS: 12 * 3600,
  intentionalMinShoreNm: 50,
  draughtChangeM: 0.5,
  draughtWindowS: 48 * 3600,
};

/**
 * A draught for prose: AIS sends it in tenths of a metre, and the store keeps it as a 4-byte REAL, so 9.8 comes back
 * as 9.800000190734863; to the 0.1 m it was sent in.
 */
function draughtText(m: number | null): string {
  return m === null ? 'unknown' : String(Math.round(m * 10) / 10);
}

export function detectGaps(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'shoreDistanceM'>,
  p: Partial<GapParams> = {},
): Finding[] {
  const params: GapParams = { ...GAP_DEFAULTS, ...p };
  const { cols } = tracks;
  const out: Finding[] = [];
  const minMs = params.minGapS * 1000;
  for (const v of tracks.vessels) {
    const pairs: Array<[number, number]> = [];
    let prevEnd = -Infinity;
    let prevLast = -1;
    for (const seg of v.segments) {
      const idx = seg.idx;
      // Across segments that follow each other in time (not clones).
      if (prevLast >= 0 && seg.startMs > prevEnd && seg.startMs - prevEnd >= minMs) pairs.push([prevLast, idx[0]!]);
      for (let k = 1; k < idx.length; k++) {
        if (cols.tsMs[idx[k]!]! - cols.tsMs[idx[k - 1]!]! >= minMs) pairs.push([idx[k - 1]!, idx[k]!]);
      }
      if (seg.endMs > prevEnd) {
        prevEnd = seg.endMs;
        prevLast = idx[idx.length - 1]!;
      }
    }
    const statics = tracks.statics.get(v.mmsi) ?? [];
    for (const [a, b] of pairs) out.push(gapFinding(tracks, geo, params, a, b, statics));
  }
  return out;
}

function draughtNear(
  statics: StaticReport[],
  tsMs: number,
  before: boolean,
  windowMs: number,
): StaticReport | undefined {
  let found: StaticReport | undefined;
  for (const s of statics) {
    if (s.draughtM === null || s.draughtM <= 0) continue;
    if (before) {
      if (s.tsMs <= tsMs && tsMs - s.tsMs <= windowMs) found = s;
    } else if (s.tsMs >= tsMs && s.tsMs - tsMs <= windowMs) return s;
  }
  return found;
}

function gapFinding(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'shoreDistanceM'>,
  params: GapParams,
  a: number,
  b: number,
  statics: StaticReport[],
): Finding {
  const { cols } = tracks;
  const mmsi = cols.mmsi[a]!;
  const t0 = cols.tsMs[a]!;
  const t1 = cols.tsMs[b]!;
  const durationS = (t1 - t0) / 1000;
  const distanceM = haversineM(cols.lat[a]!, cols.lon[a]!, cols.lat[b]!, cols.lon[b]!);
  const impliedSpeedKn = distanceM / durationS / KN_MS;
  const shoreNm = geo.shoreDistanceM(cols.lat[a]!, cols.lon[a]!) / NM_M;
  const shoreAfterNm = geo.shoreDistanceM(cols.lat[b]!, cols.lon[b]!) / NM_M;
  const intentional = durationS >= params.intentionalMinGapS && shoreNm > params.intentionalMinShoreNm;
  const windowMs = params.draughtWindowS * 1000;
  const dBefore = draughtNear(statics, t0, true, windowMs);
  const dAfter = draughtNear(statics, t1, false, windowMs);
  const draughtChange =
    dBefore && dAfter && dBefore.draughtM !== null && dAfter.draughtM !== null
      ? dAfter.draughtM - dBefore.draughtM
      : null;
  const cargoMoved = draughtChange !== null && Math.abs(draughtChange) >= params.draughtChangeM;
  const hours = durationS / 3600;
  const redFlags: string[] = [];
  if (intentional || cargoMoved) redFlags.push('AIS_MANIPULATION');
  if (cargoMoved) redFlags.push('SHIP_TO_SHIP_TRANSFER');
  let score = 0.25 + Math.min(0.2, (hours - params.minGapS / 3600) / 60);
  if (intentional) score += 0.3;
  if (cargoMoved) score += 0.25;
  const evidence = [
    pointEvidence(cols, a, 'last position before the gap'),
    pointEvidence(cols, b, 'first position after the gap'),
  ];
  if (dBefore) evidence.push(staticEvidence(dBefore, `draught before: ${draughtText(dBefore.draughtM)} m`));
  if (dAfter) evidence.push(staticEvidence(dAfter, `draught after: ${draughtText(dAfter.draughtM)} m`));
  let explanation =
    `MMSI ${mmsi} sent no position for ${hours.toFixed(1)} h, reappearing ${(distanceM / NM_M).toFixed(1)} nm away ` +
    `(implied ${impliedSpeedKn.toFixed(1)} kn); the last position was ${shoreNm.toFixed(0)} nm from shore`;
  explanation += intentional ? ', so the gap is likely intentional' : '';
  if (cargoMoved)
    explanation += `; draught changed from ${draughtText(dBefore!.draughtM)} m to ${draughtText(dAfter!.draughtM)} m across the gap`;
  explanation += '.';
  return makeFinding(tracks, {
    kind: 'ais.gap',
    mmsis: [mmsi],
    startMs: t0,
    endMs: t1,
    geometry: lineGeometry(cols, [a, b]),
    score,
    redFlags,
    explanation,
    evidence,
    params: { ...params },
    details: {
      before: positionDetail(cols, a),
      after: positionDetail(cols, b),
      durationH: round(hours, 2),
      distanceNm: round(distanceM / NM_M, 2),
      impliedSpeedKn: round(impliedSpeedKn, 2),
      shoreDistanceNmBefore: round(shoreNm, 1),
      shoreDistanceNmAfter: round(shoreAfterNm, 1),
      likelyIntentional: intentional,
      draughtBeforeM: dBefore?.draughtM ?? null,
      draughtAfterM: dAfter?.draughtM ?? null,
      draughtChangeM: draughtChange === null ? null : round(draughtChange, 2),
      cargoMoved,
    },
  });
}
