import type { Finding } from '../findings/finding.js';
import { storedZones } from '../maritime/detect.js';
import { DETECTOR_KINDS, type DetectorOptions, runDetectors } from '../maritime/events/index.js';
import { bboxOfPositions, buildGeoContext } from '../maritime/geo/context.js';
import type { BBox } from '../maritime/geo/polygon.js';
import type { ZoneInfo } from '../maritime/geo/types.js';
import { loadPositions, loadStatics } from '../maritime/tracks/load.js';
import { buildTracks } from '../maritime/tracks/segment.js';
import type { Store } from '../store/store.js';
import type { ReproResult } from './repro-common.js';
import { type KindsCache, REPRODUCERS } from './repro-kinds.js';

/**
 * Re-run a stored finding from its recorded parameters over the evidence the store holds now. Screening, crypto,
 * cargo, trade and ownership findings go to their own analysers (src/cases/repro-kinds.ts). The maritime
 * detectors are pure functions of (tracks, geo context, params): the vessels' positions over the finding's window
 * plus the detectors' look-back are loaded, the one detector that made the finding is run with the finding's own
 * `params`, and the result is compared with the finding (same id: kind, subjects, start; same evidence records).
 *
 * Before re-running, the finding's position evidence (`mmsi:<mmsi>@<ms>`) is looked up: a finding whose evidence
 * rows are gone from the store is not reproducible, and says which rows are missing.
 */

export type { ReproResult, ReproStatus } from './repro-common.js';

/** How far around the finding positions are loaded: the segmentation limit the detectors use (72 h). */
const LOOKBACK_MS = 72 * 3_600_000;

const OPTION_KEY: Record<string, keyof DetectorOptions> = {
  'ais.gap': 'gap',
  'ais.encounter': 'encounter',
  'ais.loitering': 'loitering',
  'ais.port_visit': 'portVisit',
  'ais.zone_entry': 'zone',
  'ais.identity_change': 'identity',
  'ais.spoofing': 'spoofing',
};

const POSITION_RECORD = /^mmsi:(\d+)@(-?\d+)$/;

function mmsisOf(f: Finding): number[] {
  const out = new Set<number>();
  for (const v of f.vessels ?? []) out.add(v.mmsi);
  for (const s of f.subjects) {
    const m = /^ais-(\d+)$/.exec(s);
    if (m) out.add(Number(m[1]));
  }
  return [...out];
}

/** Position evidence refs whose row is no longer in the store. */
async function missingPositions(store: Store, f: Finding): Promise<string[]> {
  const missing: string[] = [];
  for (const r of f.evidence) {
    const m = POSITION_RECORD.exec(r.record);
    if (!m) continue;
    const rows = await store.db.query(
      `SELECT 1 AS x FROM positions p JOIN position_imports i ON i.import_key = p.import_key
        WHERE i.import_id = $1 AND p.mmsi = $2 AND p.ts = $3 LIMIT 1`,
      [r.source, Number(m[1]), Number(m[2])],
    );
    if (rows.length === 0) missing.push(r.record);
  }
  return missing;
}

/**
 * Shared between the findings of one verification: the geo context (shore raster, ports, zones) is built for the
 * positions' area grown to whole degrees, and rebuilt (over the union) only when a finding's positions leave it.
 */
export interface ReproCache extends KindsCache {
  bbox?: BBox;
  geo?: ReturnType<typeof buildGeoContext>;
  zones?: ZoneInfo[];
}

async function geoFor(store: Store, bbox: BBox, cache: ReproCache): Promise<ReturnType<typeof buildGeoContext>> {
  const c = cache.bbox;
  if (
    cache.geo &&
    c &&
    bbox.minLon >= c.minLon &&
    bbox.maxLon <= c.maxLon &&
    bbox.minLat >= c.minLat &&
    bbox.maxLat <= c.maxLat
  )
    return cache.geo;
  cache.zones ??= await storedZones(store);
  const grid = (v: number, up: boolean) => (up ? Math.ceil(v) : Math.floor(v));
  const grown: BBox = {
    minLon: Math.max(-180, grid(Math.min(c?.minLon ?? 180, bbox.minLon), false)),
    minLat: Math.max(-90, grid(Math.min(c?.minLat ?? 90, bbox.minLat), false)),
    maxLon: Math.min(180, grid(Math.max(c?.maxLon ?? -180, bbox.maxLon), true)),
    maxLat: Math.min(90, grid(Math.max(c?.maxLat ?? -90, bbox.maxLat), true)),
  };
  cache.bbox = grown;
  cache.geo = buildGeoContext(grown, cache.zones);
  return cache.geo;
}

/**
 * Build the geo context once for every finding about to be re-run: the box of their vessels' positions over their
 * windows (one cheap aggregate per finding), so no finding leaves it and forces a second shore raster.
 */
export async function primeReproCache(store: Store, findings: Finding[], cache: ReproCache): Promise<void> {
  let box: BBox | undefined;
  for (const f of findings) {
    if (!OPTION_KEY[f.kind]) continue;
    const mmsis = mmsisOf(f);
    if (mmsis.length === 0) continue;
    const startMs = Date.parse(f.start);
    const endMs = f.end ? Date.parse(f.end) : startMs;
    const r = (
      await store.db.query(
        `SELECT min(lon) AS w, min(lat) AS s, max(lon) AS e, max(lat) AS n FROM positions
          WHERE mmsi IN (${mmsis.map(Number).join(',')}) AND ts >= $1 AND ts < $2
            AND lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180`,
        [startMs - LOOKBACK_MS, endMs + LOOKBACK_MS + 1],
      )
    )[0];
    if (!r || r.w === null || r.w === undefined) continue;
    const b = { minLon: Number(r.w), minLat: Number(r.s), maxLon: Number(r.e), maxLat: Number(r.n) };
    box = box
      ? {
          minLon: Math.min(box.minLon, b.minLon),
          minLat: Math.min(box.minLat, b.minLat),
          maxLon: Math.max(box.maxLon, b.maxLon),
          maxLat: Math.max(box.maxLat, b.maxLat),
        }
      : b;
  }
  if (box) await geoFor(store, box, cache);
}

export async function reproduceFinding(store: Store, f: Finding, cache: ReproCache = {}): Promise<ReproResult> {
  const base = { findingId: f.id, kind: f.kind };
  const other = REPRODUCERS[f.kind];
  if (other) return other(store, f, cache);
  const key = OPTION_KEY[f.kind];
  if (!key || !(DETECTOR_KINDS as readonly string[]).includes(f.kind)) {
    return { ...base, status: 'not-rerun', message: `no analyser here re-runs ${f.kind} findings` };
  }
  const missing = await missingPositions(store, f);
  if (missing.length > 0) {
    const n = f.evidence.filter((r) => POSITION_RECORD.test(r.record)).length;
    return {
      ...base,
      status: 'not-reproducible',
      message: `${missing.length} of ${n} evidence position(s) are no longer in the store (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`,
    };
  }
  const mmsis = mmsisOf(f);
  if (mmsis.length === 0) return { ...base, status: 'not-rerun', message: 'the finding names no vessel' };
  const startMs = Date.parse(f.start);
  const endMs = f.end ? Date.parse(f.end) : startMs;
  const window = { sinceMs: startMs - LOOKBACK_MS, untilMs: endMs + LOOKBACK_MS + 1, mmsis };
  const positions = await loadPositions(store.db, window);
  if (positions.length === 0) {
    return { ...base, status: 'not-reproducible', message: 'the store holds no positions of its vessels any more' };
  }
  const statics = await loadStatics(store.db, { mmsis });
  const tracks = buildTracks(positions, statics);
  const geo = await geoFor(store, bboxOfPositions(positions.lat, positions.lon, positions.length), cache);
  const params = f.params as Record<string, number | string | boolean>;
  const again = runDetectors(tracks, geo, { kinds: [f.kind], [key]: params } as DetectorOptions);
  const same = again.find((g) => g.id === f.id);
  if (!same) {
    const near = again.filter((g) => g.subjects.join() === f.subjects.join());
    return {
      ...base,
      status: 'not-reproducible',
      message: `re-run with its parameters over the stored evidence, the detector does not find it${near.length ? ` (it finds ${near.length} other ${f.kind} of the same vessel(s), starting ${near.map((g) => g.start).join(', ')})` : ''}`,
    };
  }
  const records = (x: Finding) => x.evidence.map((r) => `${r.source}|${r.record}`).sort();
  const a = records(f);
  const b = records(same);
  if (a.join('\n') !== b.join('\n')) {
    return {
      ...base,
      status: 'differs',
      field: 'evidence',
      message: `found again, but on other evidence records (${b.length} now, ${a.length} in the finding)`,
    };
  }
  if (f.end !== same.end) {
    return {
      ...base,
      status: 'differs',
      field: 'end',
      message: `found again, ending ${same.end ?? 'open'} instead of ${f.end}`,
    };
  }
  return {
    ...base,
    status: 'reproduces',
    message: `re-run with ${Object.keys(params).length} recorded parameter(s): same event, same ${a.length} evidence record(s)`,
  };
}
