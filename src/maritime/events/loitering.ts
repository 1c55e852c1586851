import type { Finding } from '../../findings/finding.js';
import { NM_M } from '../geo/distance.js';
import type { GeoContext } from '../geo/types.js';
import { speedAt } from '../tracks/segment.js';
import type { TrackSet } from '../tracks/types.js';
import { lineGeometry, makeFinding, median, pointEvidence, positionDetail, round } from './common.js';

/**
 * Loitering (GFW loitering events): a run of fixes under 2 kn lasting ≥ 4 h whose median position is ≥ 20 nm
 * from shore. A run breaks at a fix at or above the speed limit or a gap over `maxGapS` between fixes.
 */
export interface LoiteringParams {
  maxSpeedKn: number;
  minDurationS: number;
  minShoreDistanceNm: number;
  maxGapS: number;
}

export const LOITERING_DEFAULTS: LoiteringParams = {
  maxSpeedKn: 2,
  minDurationS: 4 * 3600,
  minShoreDistanceNm: 20,
  maxGapS: 2 * 3600,
};

export function detectLoitering(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'shoreDistanceM' | 'zones'>,
  p: Partial<LoiteringParams> = {},
): Finding[] {
  const params: LoiteringParams = { ...LOITERING_DEFAULTS, ...p };
  const { cols } = tracks;
  const out: Finding[] = [];
  const maxGapMs = params.maxGapS * 1000;
  for (const seg of tracks.segments) {
    const idx = seg.idx;
    let k0 = -1;
    const flush = (k1: number): void => {
      if (k0 < 0) return;
      const a = idx[k0]!;
      const b = idx[k1]!;
      const durS = (cols.tsMs[b]! - cols.tsMs[a]!) / 1000;
      const kStart = k0;
      k0 = -1;
      if (durS < params.minDurationS) return;
      const lats: number[] = [];
      const lons: number[] = [];
      const spd: number[] = [];
      for (let k = kStart; k <= k1; k++) {
        lats.push(cols.lat[idx[k]!]!);
        lons.push(cols.lon[idx[k]!]!);
        spd.push(speedAt(cols, idx, k));
      }
      const lat = median(lats);
      const lon = median(lons);
      const shoreNm = geo.shoreDistanceM(lat, lon) / NM_M;
      if (shoreNm < params.minShoreDistanceNm) return;
      const zones = geo.zones.filter((z) => z.contains(lat, lon));
      const hours = durS / 3600;
      const med = median(spd);
      out.push(
        makeFinding(tracks, {
          kind: 'ais.loitering',
          mmsis: [seg.mmsi],
          startMs: cols.tsMs[a]!,
          endMs: cols.tsMs[b]!,
          geometry: lineGeometry(cols, [a, b]),
          score: 0.3 + Math.min(0.2, hours / 60) + (zones.length ? 0.2 : 0),
          redFlags: zones.length ? ['VOYAGE_IRREGULARITIES', 'HIGH_RISK_AREA'] : ['VOYAGE_IRREGULARITIES'],
          explanation:
            `MMSI ${seg.mmsi} moved at under ${params.maxSpeedKn} kn (median ${med.toFixed(1)} kn) for ${hours.toFixed(1)} h ` +
            `${shoreNm.toFixed(0)} nm from shore${zones.length ? ` in ${zones.map((z) => z.name).join(', ')}` : ''}.`,
          evidence: [pointEvidence(cols, a, 'first slow fix'), pointEvidence(cols, b, 'last slow fix')],
          params: { ...params },
          details: {
            before: positionDetail(cols, a),
            after: positionDetail(cols, b),
            position: { lat: round(lat, 6), lon: round(lon, 6) },
            durationH: round(hours, 2),
            medianSpeedKn: round(med, 2),
            shoreDistanceNm: round(shoreNm, 1),
            zones: zones.map((z) => z.id),
          },
        }),
      );
    };
    for (let k = 0; k < idx.length; k++) {
      const s = speedAt(cols, idx, k);
      const slow = s < params.maxSpeedKn;
      if (k0 >= 0 && (!slow || cols.tsMs[idx[k]!]! - cols.tsMs[idx[k - 1]!]! > maxGapMs)) flush(k - 1);
      if (slow && k0 < 0) k0 = k;
    }
    flush(idx.length - 1);
  }
  return out;
}
