import type { Finding } from '../../findings/finding.js';
import type { GeoContext, PortInfo } from '../geo/types.js';
import { speedAt } from '../tracks/segment.js';
import type { TrackSet } from '../tracks/types.js';
import { makeFinding, pointEvidence, pointGeometry, positionDetail, round } from './common.js';

/**
 * Port visits (GFW pipe-anchorages port events): a visit begins at the first fix within 3 km of a World Port Index
 * port and ends at the first fix beyond 4 km of it (hysteresis keeps a vessel at the berth edge from flickering).
 * A visit counts when the vessel stopped (under 0.5 kn) for at least `minStopS` inside it, so ships passing a port
 * are not "visits". Calls at DPRK ports are red-flagged.
 */
export interface PortVisitParams {
  entryDistanceM: number;
  exitDistanceM: number;
  stopSpeedKn: number;
  minStopS: number;
  /** Fixes further than this from shore are not tested against ports (speed-up). */
  maxShoreDistanceM: number;
}

export const PORT_VISIT_DEFAULTS: PortVisitParams = {
  entryDistanceM: 3000,
  exitDistanceM: 4000,
  stopSpeedKn: 0.5,
  minStopS: 1800,
  maxShoreDistanceM: 15_000,
};

export function detectPortVisits(
  tracks: TrackSet,
  geo: Pick<GeoContext, 'shoreDistanceM' | 'nearestPort'>,
  p: Partial<PortVisitParams> = {},
): Finding[] {
  const params: PortVisitParams = { ...PORT_VISIT_DEFAULTS, ...p };
  const { cols } = tracks;
  const out: Finding[] = [];
  for (const seg of tracks.segments) {
    const idx = seg.idx;
    let port: PortInfo | undefined;
    let k0 = -1;
    let stopMs = 0;
    let firstStop = -1;
    const close = (kEnd: number, open: boolean): void => {
      if (!port) return;
      if (stopMs >= params.minStopS * 1000)
        out.push(visitFinding(tracks, params, port, idx[k0]!, idx[kEnd]!, open, stopMs, idx[firstStop]!));
      port = undefined;
      k0 = -1;
      stopMs = 0;
      firstStop = -1;
    };
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const lat = cols.lat[i]!;
      const lon = cols.lon[i]!;
      if (port) {
        const dx = distanceTo(port, lat, lon);
        if (dx > params.exitDistanceM) {
          close(k, false);
        } else {
          const s = speedAt(cols, idx, k);
          if (s < params.stopSpeedKn) {
            stopMs += cols.tsMs[i]! - cols.tsMs[idx[k - 1]!]!;
            if (firstStop < 0) firstStop = k;
          }
          continue;
        }
      }
      if (geo.shoreDistanceM(lat, lon) > params.maxShoreDistanceM) continue;
      const near = geo.nearestPort(lat, lon, params.entryDistanceM);
      if (near) {
        port = near.port;
        k0 = k;
        stopMs = 0;
        firstStop = -1;
      }
    }
    close(idx.length - 1, true);
  }
  return out;
}

function distanceTo(port: PortInfo, lat: number, lon: number): number {
  const x = (lon - port.lon) * Math.cos(((lat + port.lat) * Math.PI) / 360) * 111_320;
  const y = (lat - port.lat) * 110_574;
  return Math.sqrt(x * x + y * y);
}

function visitFinding(
  tracks: TrackSet,
  params: PortVisitParams,
  port: PortInfo,
  a: number,
  b: number,
  open: boolean,
  stopMs: number,
  stopIdx: number,
): Finding {
  const { cols } = tracks;
  const mmsi = cols.mmsi[a]!;
  const hours = (cols.tsMs[b]! - cols.tsMs[a]!) / 3_600_000;
  const where = `${port.name} (${port.iso3})`;
  return makeFinding(tracks, {
    kind: 'ais.port_visit',
    mmsis: [mmsi],
    startMs: cols.tsMs[a]!,
    endMs: cols.tsMs[b]!,
    geometry: pointGeometry(cols, stopIdx),
    score: port.dprk ? 0.95 : 0.05,
    redFlags: port.dprk ? ['DPRK_PORT_CALL'] : [],
    explanation:
      `MMSI ${mmsi} came within ${params.entryDistanceM / 1000} km of ${where} and stayed ${hours.toFixed(1)} h ` +
      `(stopped ${(stopMs / 3_600_000).toFixed(1)} h)${open ? ', still there at the last fix' : ''}` +
      `${port.dprk ? '; a call at a DPRK port' : ''}.`,
    evidence: [
      pointEvidence(cols, a, `entry within ${params.entryDistanceM} m of ${port.name}`),
      pointEvidence(cols, stopIdx, 'first stopped fix'),
      pointEvidence(cols, b, open ? 'last fix (visit still open)' : `exit beyond ${params.exitDistanceM} m`),
    ],
    params: { ...params },
    details: {
      port: { name: port.name, iso3: port.iso3, lat: port.lat, lon: port.lon },
      dprkPort: port.dprk,
      before: positionDetail(cols, a),
      after: positionDetail(cols, b),
      stop: positionDetail(cols, stopIdx),
      durationH: round(hours, 2),
      stopDurationH: round(stopMs / 3_600_000, 2),
      open,
    },
  });
}
