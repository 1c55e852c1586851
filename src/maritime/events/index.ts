import type { Finding } from '../../findings/finding.js';
import type { GeoContext } from '../geo/types.js';
import type { TrackSet } from '../tracks/types.js';
import { detectEncounters, type EncounterParams } from './encounter.js';
import { detectGaps, type GapParams } from './gap.js';
import { detectIdentity, type IdentityParams } from './identity.js';
import { detectLoitering, type LoiteringParams } from './loitering.js';
import { detectPortVisits, type PortVisitParams } from './port-visit.js';
import { detectSpoofing, type SpoofingParams } from './spoofing.js';
import { detectZoneEntries, type ZoneParams } from './zone.js';

export const DETECTOR_KINDS = [
  'ais.gap',
  'ais.encounter',
  'ais.loitering',
  'ais.port_visit',
  'ais.zone_entry',
  'ais.identity_change',
  'ais.spoofing',
] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

export interface DetectorOptions {
  kinds?: readonly string[];
  gap?: Partial<GapParams>;
  encounter?: Partial<EncounterParams>;
  loitering?: Partial<LoiteringParams>;
  portVisit?: Partial<PortVisitParams>;
  zone?: Partial<ZoneParams>;
  identity?: Partial<IdentityParams>;
  spoofing?: Partial<SpoofingParams>;
  /** MMSIs matching sanctioned vessels (from screening), with the matched reference. */
  sanctioned?: Map<number, string>;
  /** Per-detector timings are reported here (ms). */
  timings?: Record<string, number>;
}

/** Run the selected detectors (all by default) over typed tracks. Pure: same input, same findings. */
export function runDetectors(tracks: TrackSet, geo: GeoContext, opts: DetectorOptions = {}): Finding[] {
  const kinds = new Set(opts.kinds ?? DETECTOR_KINDS);
  const out: Finding[] = [];
  const run = (kind: DetectorKind, fn: () => Finding[]): void => {
    if (!kinds.has(kind)) return;
    const t = performance.now();
    const found = fn();
    for (const f of found) out.push(f);
    if (opts.timings) opts.timings[kind] = performance.now() - t;
  };
  run('ais.gap', () => detectGaps(tracks, geo, opts.gap));
  run('ais.encounter', () => detectEncounters(tracks, geo, opts.encounter, { sanctioned: opts.sanctioned }));
  run('ais.loitering', () => detectLoitering(tracks, geo, opts.loitering));
  run('ais.port_visit', () => detectPortVisits(tracks, geo, opts.portVisit));
  run('ais.zone_entry', () => detectZoneEntries(tracks, geo, opts.zone));
  run('ais.identity_change', () => detectIdentity(tracks, opts.identity));
  run('ais.spoofing', () => detectSpoofing(tracks, geo, opts.spoofing));
  if (opts.sanctioned?.size) {
    for (const f of out)
      if (f.vessels?.some((v) => opts.sanctioned!.has(v.mmsi)) && !f.redFlags.includes('SANCTIONS_LIST_MATCH'))
        f.redFlags.push('SANCTIONS_LIST_MATCH');
  }
  return out;
}
