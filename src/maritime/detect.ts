import { randomUUID } from 'node:crypto';
import { type Finding, findingId } from '../findings/finding.js';
import type { Store } from '../store/store.js';
import { iso, vesselEntityId } from './events/common.js';
import { DETECTOR_KINDS, type DetectorOptions, runDetectors } from './events/index.js';
import { bboxOfPositions, buildGeoContext } from './geo/context.js';
import type { ZoneInfo } from './geo/types.js';
import { userZones } from './geo/zones.js';
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
  /** Screen vessels against the sanctions lists (default true when the screening service is available). */
  screen?: boolean;
  log?: (line: string) => void;
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

type Num = number | bigint | null;
const n = (v: Num | undefined): number => (v === null || v === undefined ? Number.NaN : Number(v));

export async function storedZones(store: Store): Promise<ZoneInfo[]> {
  const rows = await store.db.query<{ id: string; name: string; geojson: string }>(
    'SELECT id, name, geojson FROM maritime_zones ORDER BY id',
  );
  return rows.flatMap((r) => userZones(r.geojson, `zone ${r.id}`).map((z) => ({ ...z, id: r.id, name: r.name })));
}

export async function addZone(store: Store, id: string, name: string, geojson: string): Promise<ZoneInfo[]> {
  const zones = userZones(geojson, id); // validates
  await store.db.transaction(async (tx) => {
    await tx.query('DELETE FROM maritime_zones WHERE id = $1', [id]);
    await tx.query('INSERT INTO maritime_zones (id, name, geojson, added_at) VALUES ($1, $2, $3, $4)', [
      id,
      name,
      geojson,
      new Date().toISOString(),
    ]);
  });
  return zones;
}

/** MMSIs whose latest IMO / MMSI / name match a sanctioned vessel, via the screening service. */
export async function sanctionedVessels(
  store: Store,
  statics: StaticReport[],
  log: (l: string) => void,
): Promise<Map<number, { id: string; caption: string; score: number }>> {
  const out = new Map<number, { id: string; caption: string; score: number }>();
  let screen:
    | ((v: {
        imo?: number;
        mmsi?: number;
        name?: string;
      }) => Promise<Array<{ id: string; caption: string; score: number; match: boolean }>>)
    | undefined;
  try {
    const mod = await import('../screening/service.js');
    screen = (v) => mod.screenVessel(store, v);
  } catch (e) {
    log(`screening unavailable (${(e as Error).message}); sanctioned-vessel links skipped`);
    return out;
  }
  const latest = new Map<number, { imo?: number; name?: string }>();
  for (const s of statics) {
    const cur = latest.get(s.mmsi) ?? {};
    if (s.imo) cur.imo = s.imo;
    if (s.name) cur.name = s.name;
    latest.set(s.mmsi, cur);
  }
  try {
    for (const [mmsi, v] of latest) {
      const results = await screen({ mmsi, ...(v.imo ? { imo: v.imo } : {}), ...(v.name ? { name: v.name } : {}) });
      const best = results.find((r) => r.match) ?? undefined;
      if (best) out.set(mmsi, { id: best.id, caption: best.caption, score: best.score });
    }
  } catch (e) {
    log(`screening failed (${(e as Error).message}); sanctioned-vessel links skipped`);
  }
  return out;
}

function sanctionFindings(
  matches: Map<number, { id: string; caption: string; score: number }>,
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
      details: { entityId: m.id, caption: m.caption, matchScore: m.score },
    });
  }
  return out;
}

export async function detectStore(store: Store, opts: DetectStoreOptions = {}): Promise<DetectResult> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const runId = randomUUID();
  const timingsMs: Record<string, number> = {};
  const seen = new Set(
    (await store.db.query<{ import_id: string }>('SELECT DISTINCT import_id FROM maritime_detect_imports')).map(
      (r) => r.import_id,
    ),
  );
  // positions.import_key -> position_imports.import_id (the import's id in the imports log).
  const all = (
    await store.db.query<{ id: string | null }>(
      'SELECT i.import_id AS id FROM (SELECT DISTINCT import_key FROM positions) p LEFT JOIN position_imports i ON i.import_key = p.import_key',
    )
  ).map((r) => r.id ?? '');
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
    const ph = newImports.map((_, i) => `$${i + 1}`).join(',');
    const r = (
      await store.db.query<{ lo: Num; hi: Num }>(
        `SELECT min(p.ts) AS lo, max(p.ts) AS hi FROM positions p LEFT JOIN position_imports i ON i.import_key = p.import_key WHERE coalesce(i.import_id, '') IN (${ph})`,
        newImports,
      )
    )[0];
    const lo = n(r?.lo);
    const hi = n(r?.hi);
    const g = (await store.db.query<{ lo: Num }>('SELECT min(ts) AS lo FROM positions'))[0];
    const globalLo = n(g?.lo);
    sinceMs = lo - lookbackMs;
    untilMs = hi + lookbackMs + 1;
    // Findings starting in the look-back margin may be truncated at the window edge: the previous run kept them.
    keepFromMs = sinceMs > globalLo ? sinceMs + 6 * 3_600_000 : -Infinity;
    keepFromMs = Math.min(keepFromMs, lo);
  }
  let t = performance.now();
  const positions = await loadPositions(store.db, { sinceMs, untilMs });
  const statics = await loadStatics(store.db);
  timingsMs.load = performance.now() - t;
  log(
    `loaded ${positions.length.toLocaleString('en-US')} positions and ${statics.length.toLocaleString('en-US')} static reports`,
  );
  t = performance.now();
  const tracks = buildTracks(positions, statics);
  timingsMs.tracks = performance.now() - t;
  t = performance.now();
  const zones = [...(await storedZones(store)), ...(opts.zones ?? [])];
  const geo = buildGeoContext(bboxOfPositions(positions.lat, positions.lon, positions.length), zones);
  timingsMs.geo = performance.now() - t;
  t = performance.now();
  const screenOn = opts.screen !== false;
  const sanctioned = screenOn ? await sanctionedVessels(store, statics, log) : new Map();
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
  await store.putFindings(findings);
  const now = new Date().toISOString();
  await store.db.transaction(async (tx) => {
    for (const id of newImports)
      await tx.query('INSERT INTO maritime_detect_imports (import_id, detected_at, run_id) VALUES ($1, $2, $3)', [
        id,
        now,
        runId,
      ]);
    await tx.query(
      'INSERT INTO maritime_detect_runs (run_id, started_at, window_start, window_end, positions, vessels, findings, kinds, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [
        runId,
        new Date(started).toISOString(),
        sinceMs ?? null,
        untilMs ?? null,
        positions.length,
        tracks.vessels.length,
        findings.length,
        kinds.join(','),
        Date.now() - started,
      ],
    );
  });
  timingsMs.store = performance.now() - t;
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
