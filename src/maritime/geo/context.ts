import type { BBox } from './polygon.js';
import { loadAnchorages, loadPorts, PortIndex } from './ports.js';
import { ShoreRaster } from './shore.js';
import type { GeoContext, ZoneInfo } from './types.js';
import { builtinZones } from './zones.js';

/** Build the geography lookups once for the area a run covers. */
export function buildGeoContext(bbox: BBox, extraZones: ZoneInfo[] = []): GeoContext & { shore: ShoreRaster } {
  const shore = new ShoreRaster(bbox);
  const ports = new PortIndex(loadPorts());
  const anchorages = new PortIndex([...loadPorts(), ...loadAnchorages()]);
  return {
    shore,
    shoreDistanceM: (lat, lon) => shore.distanceM(lat, lon),
    nearestPort: (lat, lon, maxM) => ports.nearest(lat, lon, maxM),
    nearestAnchorage: (lat, lon, maxM) => anchorages.nearest(lat, lon, maxM),
    zones: [...builtinZones(), ...extraZones],
  };
}

/** Bounding box of all positions (ignoring NaN), for sizing the shore raster. */
export function bboxOfPositions(lat: Float64Array, lon: Float64Array, n = lat.length): BBox {
  const b: BBox = { minLon: 180, minLat: 90, maxLon: -180, maxLat: -90 };
  for (let i = 0; i < n; i++) {
    const y = lat[i]!;
    const x = lon[i]!;
    if (!(y >= -90 && y <= 90 && x >= -180 && x <= 180)) continue;
    if (x < b.minLon) b.minLon = x;
    if (x > b.maxLon) b.maxLon = x;
    if (y < b.minLat) b.minLat = y;
    if (y > b.maxLat) b.maxLat = y;
  }
  if (b.minLon > b.maxLon) return { minLon: 0, minLat: 0, maxLon: 1, maxLat: 1 };
  return b;
}
