import { decodeTrackColumns } from '../../../src/maritime/tracks/columns.js';
import { apiEarly } from './prefetch.js';

/**
 * Tracks for the map from `GET /workspace/tracks/columns`: binary typed columns thinned on the server to half a
 * pixel at the zoom they are drawn at (the format and its decoder are in src/maritime/tracks/columns.ts).
 */

/** What the map draws: one vessel's fixes as parallel columns, ascending in time. */
export interface MapTrack {
  mmsi: number;
  ts: ArrayLike<number>;
  lat: ArrayLike<number>;
  lon: ArrayLike<number>;
}

export interface MapTracks {
  tracks: MapTrack[];
  /** Positions that matched before thinning. */
  total: number;
  /** Positions sent. */
  count: number;
  zoom: number | null;
  bbox: [number, number, number, number] | null;
}

/** Slippy-map zoom of a view scale (CSS px per world unit, the world being 1024 units wide). */
export function zoomOfScale(k: number): number {
  return Math.log2((k * 1024) / 256);
}

export async function loadTrackColumns(
  query: { mmsi?: number[]; zoom?: number; bbox?: [number, number, number, number]; since?: string; until?: string },
  signal?: AbortSignal,
): Promise<MapTracks> {
  const buf = await apiEarly('trackColumns', {
    query: {
      mmsi: query.mmsi?.length ? query.mmsi : undefined,
      zoom: query.zoom,
      bbox: query.bbox?.map((v) => v.toFixed(4)).join(','),
      since: query.since,
      until: query.until,
    },
    signal,
  });
  const c = decodeTrackColumns(buf);
  const tracks: MapTrack[] = [];
  let at = 0;
  for (const t of c.header.tracks) {
    tracks.push({
      mmsi: t.mmsi,
      ts: c.ts.subarray(at, at + t.count),
      lat: c.lat.subarray(at, at + t.count),
      lon: c.lon.subarray(at, at + t.count),
    });
    at += t.count;
  }
  return { tracks, total: c.header.total, count: c.header.count, zoom: c.header.zoom, bbox: c.header.bbox };
}
