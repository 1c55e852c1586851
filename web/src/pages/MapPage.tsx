import { useEffect, useMemo, useState } from 'react';
import type { Finding } from '../../../src/findings/finding.js';
import { MAP_KINDS } from '../../../src/findings/kinds.js';
import { api } from '../api.js';
import { bboxOf } from '../map/bbox.js';
import { cargoBySource, cargoLabel, cargoLine, type MapCargo } from '../map/cargo.js';
import { loadTrackColumns, type MapTracks, zoomOfScale } from '../map/columns.js';
import { MapCanvas } from '../map/MapCanvas.js';
import { apiEarly, mapRequests, OVERVIEW_ZOOM } from '../map/prefetch.js';
import { fitView, projectX, projectY, unprojectX, unprojectY, type View, WORLD } from '../map/projection.js';
import { Link, type Route, setQuery } from '../router.js';
import { Empty, fmtTime, kindLabel, Section, Sev, Show, subjectLink, useLoad } from '../ui.js';

export { bboxOf };

/** Parse the view from the URL (c=lon,lat&z=scale) or fit it to the data. */
export function viewFromQuery(
  q: URLSearchParams,
  bbox: [number, number, number, number] | null,
  w = 900,
  h = 560,
): View {
  const c = q.get('c')?.split(',').map(Number);
  const z = Number(q.get('z'));
  if (c && c.length === 2 && c.every(Number.isFinite) && Number.isFinite(z) && z > 0) {
    return { cx: projectX(c[0]!), cy: projectY(c[1]!), k: z };
  }
  return fitView(bbox ?? [100, 20, 150, 50], w, h);
}

/** The widest canvas the map is laid out at, in CSS px: a detail request covers at least what it can show. */
const MAX_CANVAS_PX = 1400;

export function viewToQuery(v: View): { c: string; z: string } {
  return { c: `${unprojectX(v.cx).toFixed(4)},${unprojectY(v.cy).toFixed(4)}`, z: v.k.toFixed(1) };
}

export function TimeBar(props: {
  range: [number, number];
  window: [number, number];
  onChange: (w: [number, number]) => void;
}) {
  const [r0, r1] = props.range;
  const step = Math.max(60_000, Math.round((r1 - r0) / 1000));
  return (
    <div className="card">
      <div className="timebar" data-testid="time-slider">
        <span className="nowrap">From {fmtTime(new Date(props.window[0]).toISOString())}</span>
        <div>
          <input
            type="range"
            min={r0}
            max={r1}
            step={step}
            value={props.window[0]}
            aria-label="Window start"
            onChange={(e) => props.onChange([Math.min(Number(e.target.value), props.window[1]), props.window[1]])}
          />
          <input
            type="range"
            min={r0}
            max={r1}
            step={step}
            value={props.window[1]}
            aria-label="Window end"
            onChange={(e) => props.onChange([props.window[0], Math.max(Number(e.target.value), props.window[0])])}
          />
        </div>
        <span className="nowrap">to {fmtTime(new Date(props.window[1]).toISOString())}</span>
      </div>
    </div>
  );
}

export function MapPage({ route }: { route: Route }) {
  const q = route.query;
  const { mmsiParam, kindParam, mmsi, tracks: tracksQuery, findings: findingsQuery } = mapRequests(q);
  const [data] = useLoad(
    async (signal) => {
      const [tracks, findings, cargo] = await Promise.all([
        loadTrackColumns(tracksQuery, signal),
        apiEarly('findings', { query: findingsQuery, signal }),
        // The cargo estimated for port calls, encounters and gaps, shown on their symbols (not as symbols of
        // their own): asked for apart, so a kind filter or the findings limit does not drop them.
        api('findings', {
          query: { kind: ['cargo.estimate'], subject: findingsQuery.subject, limit: 1000 },
          signal,
        }).catch(() => ({ total: 0, results: [] })),
      ]);
      const located = findings.results.filter((f) => f.geometry);
      const bySource = cargoBySource(cargo.results);
      const ids = new Set(located.map((f) => f.id));
      // An estimate whose finding is on the map is drawn with it; one whose finding is not keeps its own symbol.
      const shown = located.filter(
        (f) =>
          f.kind !== 'cargo.estimate' ||
          !ids.has(String((f.details as Record<string, unknown> | undefined)?.sourceFinding)),
      );
      return { tracks, findings: shown, cargo: bySource };
    },
    [mmsiParam, kindParam],
  );
  return (
    <div data-testid="page-map">
      <h1>Map</h1>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          setQuery(
            {
              mmsi: String(fd.get('mmsi') ?? ''),
              kind: String(fd.get('kind') ?? ''),
              c: undefined,
              z: undefined,
              f: undefined,
            },
            { push: true },
          );
        }}
      >
        <input
          type="text"
          name="mmsi"
          defaultValue={mmsiParam}
          placeholder="MMSI(s), comma-separated"
          aria-label="MMSI filter"
        />
        <select name="kind" defaultValue={kindParam} aria-label="Finding kind">
          <option value="">All finding kinds</option>
          {MAP_KINDS.map((k) => (
            <option key={k} value={k}>
              {kindLabel(k)}
            </option>
          ))}
        </select>
        <button type="submit">Show</button>
      </form>
      <Show value={data} what="tracks and findings">
        {(d) => <MapView route={route} overview={d.tracks} mmsi={mmsi} findings={d.findings} cargo={d.cargo} />}
      </Show>
    </div>
  );
}

interface Detail {
  zoom: number;
  /** [x0, y0, x1, y1] in world units. */
  box: [number, number, number, number];
  tracks: MapTracks;
}

function viewBox(v: View): [number, number, number, number] {
  const half = MAX_CANVAS_PX / 2 / v.k;
  return [v.cx - half, v.cy - half, v.cx + half, v.cy + half];
}

const inside = (a: [number, number, number, number], b: [number, number, number, number]) =>
  a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];

/**
 * Tracks at the view's own zoom once it is zoomed in past the overview: the view and one view's width around it
 * (the chosen vessels' whole tracks when the map is filtered by MMSI), fetched again when the view leaves that box
 * or zooms in or out a step. Until they arrive the overview is drawn.
 */
function useDetailTracks(view: View, mmsi: number[]): MapTracks | null {
  const zoom = Math.floor(zoomOfScale(view.k));
  const vb = viewBox(view);
  const [detail, setDetail] = useState<Detail | null>(null);
  const wanted = zoom > OVERVIEW_ZOOM && !(detail && detail.zoom === zoom && inside(vb, detail.box));
  const key = wanted ? `${zoom}|${vb.map((x) => x.toFixed(3)).join(',')}|${mmsi.join(',')}` : '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names everything the request depends on
  useEffect(() => {
    if (!key) return;
    const ctl = new AbortController();
    // A few chosen vessels: their whole tracks at this zoom. Everything: the view and its surroundings.
    const w = vb[2] - vb[0];
    const box: [number, number, number, number] = mmsi.length
      ? [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]
      : [vb[0] - w, vb[1] - w, vb[2] + w, vb[3] + w];
    const lonLat: [number, number, number, number] | undefined = mmsi.length
      ? undefined
      : [
          Math.max(-180, unprojectX(box[0])),
          Math.max(-85, unprojectY(Math.min(WORLD, box[3]))),
          Math.min(180, unprojectX(box[2])),
          Math.min(85, unprojectY(Math.max(0, box[1]))),
        ];
    const t = window.setTimeout(() => {
      loadTrackColumns({ mmsi, zoom, bbox: lonLat }, ctl.signal).then(
        (tracks) => !ctl.signal.aborted && setDetail({ zoom, box, tracks }),
        () => {},
      );
    }, 150);
    return () => {
      window.clearTimeout(t);
      ctl.abort();
    };
  }, [key]);
  return detail && zoom > OVERVIEW_ZOOM && detail.zoom <= zoom + 1 && inside(vb, detail.box) ? detail.tracks : null;
}

function MapView(props: {
  route: Route;
  overview: MapTracks;
  mmsi: number[];
  findings: Finding[];
  cargo: Map<string, MapCargo[]>;
}) {
  const overview = props.overview;
  const q = props.route.query;
  const bbox = useMemo(() => bboxOf(overview.tracks, props.findings), [overview.tracks, props.findings]);
  const range = useMemo<[number, number] | null>(() => {
    let t0 = Number.POSITIVE_INFINITY;
    let t1 = Number.NEGATIVE_INFINITY;
    for (const t of overview.tracks) {
      if (t.ts.length) {
        t0 = Math.min(t0, t.ts[0]!);
        t1 = Math.max(t1, t.ts[t.ts.length - 1]!);
      }
    }
    for (const f of props.findings) {
      t0 = Math.min(t0, Date.parse(f.start));
      t1 = Math.max(t1, Date.parse(f.end ?? f.start));
    }
    return Number.isFinite(t0) ? [t0, t1] : null;
  }, [overview.tracks, props.findings]);
  const win: [number, number] | null = range
    ? [Date.parse(q.get('t0') ?? '') || range[0], Date.parse(q.get('t1') ?? '') || range[1]]
    : null;
  const view = viewFromQuery(q, bbox);
  const shown = useDetailTracks(view, props.mmsi) ?? overview;
  const selectedId = q.get('f');
  const selected = props.findings.find((f) => f.id === selectedId) ?? null;
  const notes = useMemo(() => {
    const out = new Map<string, string>();
    for (const [id, list] of props.cargo) out.set(id, cargoLabel(list));
    return out;
  }, [props.cargo]);
  const selectedCargo = selected ? (props.cargo.get(selected.id) ?? []) : [];
  const points = shown.count;
  if (overview.tracks.length === 0 && props.findings.length === 0) {
    return <Empty>No AIS tracks or located findings match this view. Clear the filters or load AIS data.</Empty>;
  }
  return (
    <div className="split">
      <div>
        <MapCanvas
          tracks={shown.tracks}
          findings={props.findings}
          window={win}
          view={view}
          onViewChange={(v) => setQuery(viewToQuery(v))}
          selected={selectedId}
          onSelect={(f) => setQuery({ f: f?.id })}
          notes={notes}
          height={560}
        />
        {range && win && (
          <TimeBar
            range={range}
            window={win}
            onChange={([a, b]) => setQuery({ t0: new Date(a).toISOString(), t1: new Date(b).toISOString() })}
          />
        )}
        <p className="muted" data-testid="map-stats" data-total={overview.total} data-loaded={points}>
          {overview.tracks.length} vessel track(s), {overview.total.toLocaleString('en-US')} positions (
          {points.toLocaleString('en-US')} loaded, thinned to half a pixel at zoom {shown.zoom ?? '—'}
          {shown.bbox ? ' around the view' : ''}), {props.findings.length} located finding(s). Drag to pan, scroll to
          zoom, click a symbol for its evidence.
        </p>
      </div>
      <div>
        {selected ? (
          <Section title={kindLabel(selected.kind)}>
            <div data-testid="selected-finding">
              <p>
                <Sev score={selected.score} /> {fmtTime(selected.start)}
                {selected.end ? ` → ${fmtTime(selected.end)}` : ''}
              </p>
              <p>{selected.explanation}</p>
              {selectedCargo.length > 0 && (
                <div data-testid="map-cargo">
                  <b>Estimated cargo</b> (from the draught reported before and after; a range, not a measurement)
                  <ul className="plain">
                    {selectedCargo.map((c) => (
                      <li key={c.id}>{cargoLine(c)}</li>
                    ))}
                  </ul>
                </div>
              )}
              <p>
                {selected.subjects.map((s) => (
                  <Link key={s} to={subjectLink(s)} className="chip">
                    {s}
                  </Link>
                ))}
              </p>
              <p>
                <Link to={`/finding/${encodeURIComponent(selected.id)}`} testId="open-evidence">
                  Open the evidence ({selected.evidence.length} record(s)) →
                </Link>
              </p>
            </div>
          </Section>
        ) : (
          <Section title="Findings on the map">
            {props.findings.length === 0 ? (
              <Empty>No located findings.</Empty>
            ) : (
              <ul className="plain" data-testid="map-finding-list">
                {props.findings.slice(0, 60).map((f) => (
                  <li key={f.id}>
                    <a
                      href={`?${new URLSearchParams({ ...Object.fromEntries(q), f: f.id }).toString()}`}
                      onClick={(e) => {
                        e.preventDefault();
                        setQuery({ f: f.id });
                      }}
                    >
                      {kindLabel(f.kind)}
                    </a>{' '}
                    <Sev score={f.score} /> <span className="muted">{fmtTime(f.start)}</span>
                    {notes.has(f.id) && <span className="chip">{notes.get(f.id)}</span>}
                  </li>
                ))}
              </ul>
            )}
          </Section>
        )}
      </div>
    </div>
  );
}
