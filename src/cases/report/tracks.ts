/**
 * The tracks behind an encounter figure: both vessels' AIS fixes from a day before the meeting (or from before a
 * dark period of theirs in the case) to half a day after, thinned for print, with the dark periods to draw as gaps:
 * the case's gap findings for those vessels, and any other silence over three hours in the track itself.
 */
import type { Finding } from '../../findings/finding.js';
import { track } from '../../maritime/store/repository.js';
import type { Store } from '../../store/store.js';
import type { MapGap, MapTrack, TrackFix } from '../svg-map.js';

export const TRACK_COLOURS = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a'];
const HOUR = 3_600_000;
/** A silence in a track longer than this is drawn as a gap even without a gap finding. */
export const UNFLAGGED_GAP_MS = 3 * HOUR;

export interface EncounterTracks {
  finding: Finding;
  tracks: MapTrack[];
  gaps: MapGap[];
  /** The fixes from an hour before to an hour after the meeting, not thinned (the zoomed figure), as `tracks`. */
  meeting: MapTrack[];
  window: { startMs: number; endMs: number };
}

/** Keep at most `max` fixes, evenly spaced, always keeping the ends and the fixes on each side of a gap. */
export function thin(fixes: TrackFix[], max: number, keep: Set<number> = new Set()): TrackFix[] {
  if (fixes.length <= max) return fixes;
  const step = fixes.length / max;
  const out: TrackFix[] = [];
  let next = 0;
  fixes.forEach((p, i) => {
    if (i >= next || i === fixes.length - 1 || keep.has(p.ts)) {
      out.push(p);
      if (i >= next) next += step;
    }
  });
  return out;
}

function point(v: unknown): TrackFix | undefined {
  const o = v as { time?: unknown; lat?: unknown; lon?: unknown } | undefined;
  if (!o || typeof o.time !== 'string' || typeof o.lat !== 'number' || typeof o.lon !== 'number') return undefined;
  const ts = Date.parse(o.time);
  return Number.isFinite(ts) ? { ts, lat: o.lat, lon: o.lon } : undefined;
}

/** Tracks and gaps for one encounter finding; `caseFindings` supplies the gap findings of the same vessels. */
export async function encounterTracks(
  store: Store,
  f: Finding,
  caseFindings: Finding[],
  names: Map<number, string>,
): Promise<EncounterTracks | undefined> {
  const vessels = f.vessels ?? [];
  if (vessels.length === 0 || !f.end) return undefined;
  const startMs = Date.parse(f.start);
  const endMs = Date.parse(f.end);
  const subjects = new Set(vessels.map((v) => `ais-${v.mmsi}`));
  const gapFindings = caseFindings.filter(
    (g) =>
      g.kind === 'ais.gap' &&
      g.subjects.some((s) => subjects.has(s)) &&
      Date.parse(g.end ?? g.start) <= endMs &&
      Date.parse(g.end ?? g.start) >= startMs - 72 * HOUR,
  );
  let since = startMs - 24 * HOUR;
  for (const g of gapFindings) since = Math.min(since, Date.parse(g.start) - 6 * HOUR);
  const until = endMs + 12 * HOUR;
  const tracks: MapTrack[] = [];
  const gaps: MapGap[] = [];
  const meeting: MapTrack[] = [];
  for (const [i, v] of vessels.entries()) {
    const name = names.get(v.mmsi) ?? v.name ?? `MMSI ${v.mmsi}`;
    const rows = await track(store.db, v.mmsi, { sinceMs: since, untilMs: until, limit: 50_000 });
    const fixes: TrackFix[] = rows.map((r) => ({ ts: r.ts, lat: r.lat, lon: r.lon }));
    const keep = new Set<number>();
    const mine: MapGap[] = [];
    for (const g of gapFindings.filter((x) => x.subjects.includes(`ais-${v.mmsi}`))) {
      const from = point(g.details?.before);
      const to = point(g.details?.after);
      if (from && to) {
        mine.push({ label: name, from, to });
        keep.add(from.ts).add(to.ts);
      }
    }
    for (let k = 1; k < fixes.length; k++) {
      const a = fixes[k - 1]!;
      const b = fixes[k]!;
      if (b.ts - a.ts < UNFLAGGED_GAP_MS) continue;
      if (mine.some((g) => g.from.ts <= a.ts + 60_000 && g.to.ts >= b.ts - 60_000)) continue;
      mine.push({ label: `${name} (no AIS)`, from: a, to: b });
      keep.add(a.ts).add(b.ts);
    }
    gaps.push(...mine);
    const colour = TRACK_COLOURS[i % TRACK_COLOURS.length]!;
    tracks.push({ label: name, colour, fixes: thin(fixes, 600, keep) });
    const near = fixes.filter((x) => x.ts >= startMs - HOUR && x.ts <= endMs + HOUR);
    meeting.push({ label: name, colour, fixes: thin(near, 1500) });
  }
  return { finding: f, tracks, gaps, meeting, window: { startMs, endMs } };
}
