import { randomUUID } from 'node:crypto';
import { type Finding, findingId } from '../findings/finding.js';
import { ownershipForRun } from '../ownership/findings.js';
import { type VesselMatch, vesselMatcher } from '../resolve/vessels.js';
import type { Store } from '../store/store.js';
import { cargoForRun } from './cargo/store.js';
import { iso, vesselEntityId } from './events/common.js';
import { DETECTOR_KINDS, type DetectorOptions, runDetectors } from './events/index.js';
import { bboxOfPositions, buildGeoContext } from './geo/context.js';
import type { BBox } from './geo/polygon.js';
import type { ZoneInfo } from './geo/types.js';
import { userZones } from './geo/zones.js';
import {
  detectedImportIds,
  importsTimeRange,
  positionImportIds,
  positionsTimeRange,
  putZone,
  recordDetectRun,
  zoneRows,
} from './store/repository.js';
import { loadPositions, loadStatics } from './tracks/load.js';
import { buildTracks } from './tracks/segment.js';
import type { StaticReport } from './tracks/types.js';

/**
 * Run the maritime detectors over what the store holds, incrementally: the AIS imports already seen are recorded
 * in `maritime_detect_imports`; a run covers the time span of the new imports plus a look-back on both sides (so a
 * gap that started before the new data, or an encounter with a vessel from an older import, is still seen), and
 * keeps the findings that touch the new data. Finding ids are stable, so re-found events replace themselves.
 */
export interface DetectStoreOptions extends Omit<DetectorOptions, 'sanctioned' | 'timings'> {
  /** ISO times: run over this window regardless of the watermark. */
  since?: string;
  until?: string;
  /** Ignore the watermark and re-run over everything. */
  full?: boolean;
  /** Look-back around new data, hours (default 72, the segmentation gap limit). */
  lookbackH?: number;
  /** Extra zones for this run (user zones stored in maritime_zones are always used). */
  zones?: ZoneInfo[];
  /** Screen vessels against the sanctions lists (default true; with no lists loaded nothing matches). */
  screen?: boolean;
  /**
   * Limit the run to some vessels, picked from the imports it covers (the monitoring worker: the vessels the new
   * imports touched and those that could meet them); null: every vessel. Positions, static reports and screening
   * are then those vessels' only; the window and the imports marked as covered are as without it.
   */
  vessels?: (newImports: readonly string[]) => Promise<readonly number[] | null>;
  log?: (line: string) => void;
  /**
   * Keep the geo context (shore raster, ports) between runs: it is rebuilt only when the positions leave the area
   * it covers (grown to take them in) or the zones change. For the monitoring worker, whose runs cover one area.
   */
  geoCache?: GeoCache;
}

export interface GeoCache {
  bbox?: BBox;
  zonesKey?: string;
  geo?: ReturnType<typeof buildGeoContext>;
}

/** The geo context for `bbox`, from the cache when it covers it (see DetectStoreOptions.geoCache). */
function cachedGeo(cache: GeoCache, bbox: BBox, zones: ZoneInfo[]): ReturnType<typeof buildGeoContext> {
  const key = JSON.stringify(zones.map((z) => [z.id, z.name, z.bbox]));
  const c = cache.bbox;
  if (
    cache.geo &&
    c &&
    cache.zonesKey === key &&
    bbox.minLon >= c.minLon &&
    bbox.maxLon <= c.maxLon &&
    bbox.minLat >= c.minLat &&
    bbox.maxLat <= c.maxLat
  )
    return cache.geo;
  // Grown to a 10-degree grid, so that a vessel appearing a little further out does not rebuild it.
  const grid = (v: number, up: boolean) => (up ? Math.ceil(v / 10) : Math.floor(v / 10)) * 10;
  const grown = {
    minLon: Math.max(-180, grid(Math.min(c?.minLon ?? 180, bbox.minLon), false)),
    minLat: Math.max(-90, grid(Math.min(c?.minLat ?? 90, bbox.minLat), false)),
    maxLon: Math.min(180, grid(Math.max(c?.maxLon ?? -180, bbox.maxLon), true)),
    maxLat: Math.min(90, grid(Math.max(c?.maxLat ?? -90, bbox.maxLat), true)),
  };
  cache.bbox = grown;
  cache.zonesKey = key;
  cache.geo = buildGeoContext(grown, zones);
  return cache.geo;
}

export interface DetectResult {
  runId: string;
  upToDate: boolean;
  window: { start: string; end: string } | null;
  newImports: string[];
  positions: number;
  vessels: number;
  findings: Finding[];
  timingsMs: Record<string, number>;
}

export async function storedZones(store: Store): Promise<ZoneInfo[]> {
  const rows = await zoneRows(store.db);
  return rows.flatMap((r) => userZones(r.geojson, `zone ${r.id}`).map((z) => ({ ...z, id: r.id, name: r.name })));
}

export async function addZone(store: Store, id: string, name: string, geojson: string): Promise<ZoneInfo[]> {
  const zones = userZones(geojson, id); // validates
  await putZone(store.db, { id, name, geojson }, new Date().toISOString());
  return zones;
}

/**
 * MMSIs whose latest IMO / MMSI / name match a sanctioned vessel, via the screening service. A screening error
 * (a broken list index, a store error) is the caller's: it is not turned into "no match".
 */
export async function sanctionedVessels(store: Store, statics: StaticReport[]): Promise<Map<number, VesselMatch>> {
  const out = new Map<number, VesselMatch>();
  const latest = new Map<number, { imo?: number; name?: string }>();
  for (const s of statics) {
    const cur = latest.get(s.mmsi) ?? {};
    if (s.imo) cur.imo = s.imo;
    if (s.name) cur.name = s.name;
    latest.set(s.mmsi, cur);
  }
  // Canonical vessels (src/resolve/vessels.ts): a hull listed by several sources is one match, and an MMSI whose
  // static reports gave a listed IMO matches whatever its latest report says.
  const matcher = await vesselMatcher(store);
  for (const [mmsi, v] of latest) {
    const best = await matcher.match({ mmsi, ...(v.imo ? { imo: v.imo } : {}), ...(v.name ? { name: v.name } : {}) });
    if (best) out.set(mmsi, best);
  }
  return out;
}

/** The `ais.sanctions_match` findings of the matched MMSIs (verify re-builds a recorded one with this). */
export function sanctionFindings(
  matches: Map<number, VesselMatch>,
  statics: StaticReport[],
  firstSeen: Map<number, number>,
): Finding[] {
  const out: Finding[] = [];
  for (const [mmsi, m] of matches) {
    const s = statics.find((x) => x.mmsi === mmsi);
    const start = iso(firstSeen.get(mmsi) ?? s?.tsMs ?? 0);
    const subjects = [vesselEntityId(mmsi), m.id];
    out.push({
      id: findingId('ais.sanctions_match', subjects, start),
      kind: 'ais.sanctions_match',
      subjects,
      start,
      score: Math.min(1, m.score),
      redFlags: ['SANCTIONS_LIST_MATCH'],
      explanation: `MMSI ${mmsi}${s?.name ? ` (${s.name}${s.imo ? `, IMO ${s.imo}` : ''})` : ''} matches the listed vessel ${m.caption} (${m.id}) with score ${m.score.toFixed(2)}.`,
      evidence: s
        ? [
            { source: s.source, record: `static:mmsi:${mmsi}@${s.tsMs}`, note: 'identity screened' },
            { source: 'lists', record: m.id, note: 'listed vessel' },
          ]
        : [{ source: 'lists', record: m.id }],
      params: { threshold: 0.7 },
      vessels: [{ mmsi, imo: s?.imo ?? null, name: s?.name ?? null }],
      details: {
        entityId: m.id,
        caption: m.caption,
        matchScore: m.score,
        canonicalId: m.canonicalId,
        listedAs: m.referents,
        matchedBy: m.via,
      },
    });
  }
  return out;
}

export async function detectStore(store: Store, opts: DetectStoreOptions = {}): Promise<DetectResult> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const runId = randomUUID();
  const timingsMs: Record<string, number> = {};
  const seen = await detectedImportIds(store.db);
  const all = await positionImportIds(store.db);
  const newImports = all.filter((id) => !seen.has(id)).sort();
  const lookbackMs = (opts.lookbackH ?? 72) * 3_600_000;
  let sinceMs: number | undefined;
  let untilMs: number | undefined;
  let keepFromMs = -Infinity;
  if (opts.since || opts.until || opts.full) {
    sinceMs = opts.since ? Date.parse(opts.since) : undefined;
    untilMs = opts.until ? Date.parse(opts.until) : undefined;
  } else {
    if (newImports.length === 0) {
      return { runId, upToDate: true, window: null, newImports, positions: 0, vessels: 0, findings: [], timingsMs };
    }
    const span = await importsTimeRange(store.db, newImports);
    const lo = span?.lo ?? Number.NaN;
    const hi = span?.hi ?? Number.NaN;
    const globalLo = (await positionsTimeRange(store.db))?.lo ?? Number.NaN;
    sinceMs = lo - lookbackMs;
    untilMs = hi + lookbackMs + 1;
    // Findings starting in the look-back margin may be truncated at the window edge: the previous run kept them.
    keepFromMs = sinceMs > globalLo ? sinceMs + 6 * 3_600_000 : -Infinity;
    keepFromMs = Math.min(keepFromMs, lo);
  }
  let t = performance.now();
  const picked = opts.vessels ? await opts.vessels(newImports) : null;
  const only = picked ? new Set(picked) : null;
  // An empty vessel list selects no vessel (MMSI -1), not every vessel.
  const mmsis = only ? (only.size ? [...only] : [-1]) : undefined;
  const positions = await loadPositions(store.db, { sinceMs, untilMs, ...(mmsis ? { mmsis } : {}) });
  const statics = only ? (await loadStatics(store.db)).filter((s) => only.has(s.mmsi)) : await loadStatics(store.db);
  timingsMs.load = performance.now() - t;
  log(
    `loaded ${positions.length.toLocaleString('en-US')} positions and ${statics.length.toLocaleString('en-US')} static reports`,
  );
  t = performance.now();
  const tracks = buildTracks(positions, statics);
  timingsMs.tracks = performance.now() - t;
  t = performance.now();
  const zones = [...(await storedZones(store)), ...(opts.zones ?? [])];
  const bbox = bboxOfPositions(positions.lat, positions.lon, positions.length);
  const geo = opts.geoCache ? cachedGeo(opts.geoCache, bbox, zones) : buildGeoContext(bbox, zones);
  timingsMs.geo = performance.now() - t;
  t = performance.now();
  const screenOn = opts.screen !== false;
  const sanctioned = screenOn ? await sanctionedVessels(store, statics) : new Map();
  timingsMs.screening = performance.now() - t;
  const kinds = opts.kinds ?? DETECTOR_KINDS;
  let findings = runDetectors(tracks, geo, {
    ...opts,
    kinds,
    sanctioned: new Map([...sanctioned].map(([m, s]) => [m, `${s.caption} (${s.id})`])),
    timings: timingsMs,
  });
  if (keepFromMs > -Infinity)
    findings = findings.filter((f) => f.kind === 'ais.identity_change' || Date.parse(f.start) >= keepFromMs);
  const firstSeen = new Map<number, number>();
  for (const v of tracks.vessels) firstSeen.set(v.mmsi, positions.tsMs[v.from]!);
  if (!opts.kinds || opts.kinds.includes('ais.sanctions_match'))
    findings.push(...sanctionFindings(sanctioned, statics, firstSeen));
  t = performance.now();
  // Cargo estimates for port calls, encounters and gaps with a draught change; banned exports; the petroleum cap.
  if (!opts.kinds || opts.kinds.includes('cargo.estimate'))
    findings.push(...(await cargoForRun(store, findings, tracks.statics)));
  timingsMs.cargo = performance.now() - t;
  t = performance.now();
  await store.putFindings(findings);
  timingsMs.store = performance.now() - t;
  // Ownership findings (src/ownership/findings.ts) of the hulls seen in AIS: after the store, as acquisitions read
  // the stored gaps and port calls.
  t = performance.now();
  const owned = await ownershipForRun(store, opts.kinds);
  if (owned.length > 0) {
    await store.putFindings(owned);
    findings.push(...owned);
  }
  timingsMs.ownership = performance.now() - t;
  t = performance.now();
  const now = new Date().toISOString();
  await recordDetectRun(
    store.db,
    {
      runId,
      startedAt: new Date(started).toISOString(),
      windowStartMs: sinceMs ?? null,
      windowEndMs: untilMs ?? null,
      positions: positions.length,
      vessels: tracks.vessels.length,
      findings: findings.length,
      kinds,
      durationMs: Date.now() - started,
    },
    newImports,
    now,
  );
  timingsMs.store += performance.now() - t;
  const lo = positions.length ? positions.tsMs.reduce((a, b) => Math.min(a, b), Infinity) : Number.NaN;
  const hi = positions.length ? positions.tsMs.reduce((a, b) => Math.max(a, b), -Infinity) : Number.NaN;
  return {
    runId,
    upToDate: false,
    window: positions.length ? { start: iso(lo), end: iso(hi) } : null,
    newImports,
    positions: positions.length,
    vessels: tracks.vessels.length,
    findings,
    timingsMs,
  };
}
