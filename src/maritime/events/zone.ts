import type { Finding } from '../../findings/finding.js';
import type { GeoContext } from '../geo/types.js';
import type { TrackSet } from '../tracks/types.js';
import { makeFinding, pointEvidence, pointGeometry, positionDetail, round } from './common.js';

/**
 * Zone entries: a vessel entering (or first seen inside) a zone: the DPRK EEZ, a UN-Panel STS hotspot or a user
 * zone. Leaving and re-entering within `mergeGapS` is one stay.
 */
export interface ZoneParams {
  mergeGapS: number;
}

export const ZONE_DEFAULTS: ZoneParams = { mergeGapS: 3600 };

export function detectZoneEntries(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'zones'>,
  p: Partial<ZoneParams> = {},
): Finding[] {
  const params: ZoneParams = { ...ZONE_DEFAULTS, ...p };
  const { cols } = tracks;
  const out: Finding[] = [];
  const mergeMs = params.mergeGapS * 1000;
  for (const zone of geo.zones) {
    const b = zone.bbox;
    for (const seg of tracks.segments) {
      const idx = seg.idx;
      let entry = -1;
      let lastIn = -1;
      const emit = (): void => {
        if (entry < 0) return;
        const a = entry;
        const z = lastIn;
        const hours = (cols.tsMs[z]! - cols.tsMs[a]!) / 3_600_000;
        out.push(
          makeFinding(tracks, {
            kind: 'ais.zone_entry',
            mmsis: [seg.mmsi],
            startMs: cols.tsMs[a]!,
            endMs: cols.tsMs[z]!,
            geometry: pointGeometry(cols, a),
            score: zone.kind === 'sts_hotspot' || zone.kind === 'eez' ? 0.35 : 0.3,
            redFlags: zone.redFlags,
            explanation: `MMSI ${seg.mmsi} entered ${zone.name} and stayed ${hours.toFixed(1)} h.`,
            evidence: [
              pointEvidence(cols, a, `first fix inside ${zone.id}`),
              pointEvidence(cols, z, `last fix inside ${zone.id}`),
            ],
            params: { ...params, zone: zone.id },
            idKey: zone.id,
            details: {
              zone: { id: zone.id, name: zone.name, kind: zone.kind, reference: zone.reference },
              before: positionDetail(cols, a),
              after: positionDetail(cols, z),
              durationH: round(hours, 2),
            },
          }),
        );
        entry = -1;
        lastIn = -1;
      };
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k]!;
        const lat = cols.lat[i]!;
        const lon = cols.lon[i]!;
        const inside =
          lon >= b.minLon && lon <= b.maxLon && lat >= b.minLat && lat <= b.maxLat && zone.contains(lat, lon);
        if (inside) {
          if (entry >= 0 && cols.tsMs[i]! - cols.tsMs[lastIn]! > mergeMs) emit();
          if (entry < 0) entry = i;
          lastIn = i;
        } else if (entry >= 0 && cols.tsMs[i]! - cols.tsMs[lastIn]! > mergeMs) emit();
      }
      emit();
    }
  }
  return out;
}
