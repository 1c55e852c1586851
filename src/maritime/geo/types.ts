import type { Geometry } from '../../findings/finding.js';

/**
 * The geography types the detectors read: geo/ builds them (context.ts, ports.ts, zones.ts) and events/ consumes
 * them, so they live here, below both.
 */

/** Geography lookups built once per run (geo/context.ts). */
export interface GeoContext {
  /** Signed distance to shore in metres (negative on land). */
  shoreDistanceM(lat: number, lon: number): number;
  /** Nearest port within maxM (WPI + DPRK additions). */
  nearestPort(lat: number, lon: number, maxM: number): { port: PortInfo; distanceM: number } | undefined;
  /** Nearest port or anchorage within maxM. */
  nearestAnchorage(lat: number, lon: number, maxM: number): { port: PortInfo; distanceM: number } | undefined;
  zones: ZoneInfo[];
}

export interface PortInfo {
  name: string;
  iso3: string;
  lat: number;
  lon: number;
  kind: 'port' | 'anchorage';
  dprk: boolean;
}

export interface ZoneInfo {
  id: string;
  name: string;
  kind: 'eez' | 'sts_hotspot' | 'user';
  redFlags: string[];
  contains(lat: number, lon: number): boolean;
  bbox: { minLon: number; minLat: number; maxLon: number; maxLat: number };
  reference: string;
  /** The zone's area as GeoJSON (for maps). */
  geometry?: Geometry;
}
