import { useEffect, useMemo, useRef } from 'react';
import type { Finding, Geometry } from '../../../src/findings/finding.js';
import { landPath2D, prefetchLand, whenLand } from './basemap.js';
import type { MapTrack } from './columns.js';
import { projectX, projectY, type View } from './projection.js';
import { MAX_GAP_MS, trackPieces } from './segments.js';

/**
 * The map: Canvas 2D (no WebGL, so it runs under headless Chromium with --disable-gpu). Tracks are projected once
 * into world units, split into pieces at implied speeds over 50 kn and gaps over 6 h (segments.ts), and cut into
 * chunks of CHUNK points, each a Path2D; a frame sets one transform and strokes the
 * chunks inside the time window, so 100,000+ points pan and zoom without re-projecting. Findings are drawn as
 * symbols in screen space on top (dark periods dashed, encounters, loitering, port calls, zones) and are clickable.
 */

const CHUNK = 2048;
// Download the basemap as soon as the map code is loaded, alongside the page's data requests.
prefetchLand();
/** Break a track line where consecutive positions are further apart in time than this (the gap finding shows it). */
const BREAK_MS = MAX_GAP_MS;

interface Chunk {
  t0: number;
  t1: number;
  from: number;
  to: number;
  /** Bounding box in world units, for viewport culling. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Path2D per level of detail (0 = every point), built on first use. */
  lods: Array<{ path: Path2D; segments: number } | undefined>;
}

/**
 * Level of detail: level L keeps a point only when it is at least BASE_TOL × 2^L world units from the last kept one.
 * A frame picks the coarsest level whose tolerance stays under ~0.6 px, so zoomed out a track costs what its
 * pixels cost, and zoomed in every point is drawn.
 */
const BASE_TOL = 0.0004;
const MAX_LOD = 12;

function lodFor(k: number): number {
  const tol = 0.6 / k;
  if (tol < BASE_TOL * 2) return 0;
  return Math.min(MAX_LOD, Math.floor(Math.log2(tol / BASE_TOL)));
}

interface PreparedTrack {
  mmsi: number;
  x: Float64Array;
  y: Float64Array;
  ts: Float64Array;
  chunks: Chunk[];
  colour: string;
}

const PALETTE = [
  '#1f77b4',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
  '#e377c2',
  '#3949ab',
  '#00897b',
];

function prepare(tracks: MapTrack[]): PreparedTrack[] {
  return tracks.map((t, ti) => {
    const n = t.ts.length;
    // Points are reordered piece after piece (see trackPieces: a clone's two ships, a lone jump fix and the two
    // sides of a dark period are separate pieces); a chunk never spans two pieces, so each starts a new line.
    const { order, starts } = trackPieces(t.lat, t.lon, t.ts);
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const ts = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      x[k] = projectX(t.lon[i]!);
      y[k] = projectY(t.lat[i]!);
      ts[k] = t.ts[i]!;
    }
    const chunks: Chunk[] = [];
    for (let p = 0; p + 1 < starts.length; p++) {
      const end = starts[p + 1]!;
      for (let from = starts[p]!; from < end; from += CHUNK - 1) {
        const to = Math.min(end, from + CHUNK);
        let x0 = Number.POSITIVE_INFINITY;
        let y0 = Number.POSITIVE_INFINITY;
        let x1 = Number.NEGATIVE_INFINITY;
        let y1 = Number.NEGATIVE_INFINITY;
        for (let i = from; i < to; i++) {
          if (x[i]! < x0) x0 = x[i]!;
          if (x[i]! > x1) x1 = x[i]!;
          if (y[i]! < y0) y0 = y[i]!;
          if (y[i]! > y1) y1 = y[i]!;
        }
        chunks.push({ t0: ts[from]!, t1: ts[to - 1]!, from, to, x0, y0, x1, y1, lods: [] });
        if (to === end) break;
      }
    }
    return { mmsi: t.mmsi, x, y, ts, chunks, colour: PALETTE[ti % PALETTE.length]! };
  });
}

/** The track between from and to as a Path2D, dropping points closer than `tol` to the last kept one. */
function pathOf(
  x: Float64Array,
  y: Float64Array,
  ts: Float64Array,
  from: number,
  to: number,
  tol = 0,
): { path: Path2D; segments: number } {
  const p = new Path2D();
  const tol2 = tol * tol;
  let lx = 0;
  let ly = 0;
  let segments = 0;
  for (let i = from; i < to; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (i === from || ts[i]! - ts[i - 1]! > BREAK_MS) {
      p.moveTo(xi, yi);
    } else {
      const dx = xi - lx;
      const dy = yi - ly;
      if (i < to - 1 && dx * dx + dy * dy < tol2) continue;
      p.lineTo(xi, yi);
      segments++;
    }
    lx = xi;
    ly = yi;
  }
  return { path: p, segments };
}

/** First index with ts >= t (binary search). */
function lowerBound(ts: Float64Array, t: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export type SymbolKind = 'gap' | 'encounter' | 'loiter' | 'port' | 'zone' | 'other';

export function symbolKind(kind: string): SymbolKind {
  return kind === 'ais.gap'
    ? 'gap'
    : kind === 'ais.encounter'
      ? 'encounter'
      : kind === 'ais.loitering'
        ? 'loiter'
        : kind === 'ais.port_visit'
          ? 'port'
          : kind === 'ais.zone_entry'
            ? 'zone'
            : 'other';
}

export const SYMBOL_COLOURS: Record<SymbolKind, string> = {
  gap: '#c62828',
  encounter: '#ef6c00',
  loiter: '#1565c0',
  port: '#00796b',
  zone: '#6a1b9a',
  other: '#455a64',
};

function coordsOf(g: Geometry): Array<Array<[number, number]>> {
  switch (g.type) {
    case 'Point':
      return [[g.coordinates]];
    case 'MultiPoint':
      return g.coordinates.map((c) => [c]);
    case 'LineString':
      return [g.coordinates];
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates;
    case 'MultiPolygon':
      return g.coordinates.flat();
  }
}

export interface MapProps {
  tracks: MapTrack[];
  findings: Finding[];
  /** Time window [t0, t1] in epoch ms; tracks and findings outside it are hidden. */
  window: [number, number] | null;
  view: View;
  onViewChange: (v: View) => void;
  selected?: string | null;
  onSelect?: (f: Finding | null) => void;
  labels?: Map<number, string>;
  /**
   * A short note per finding id drawn beside its symbol (the estimated cargo of a port call or encounter): always
   * for the selected finding, for every finding once zoomed in (as vessel labels are).
   */
  notes?: Map<string, string>;
  height?: number;
}

export function MapCanvas(props: MapProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<View>(props.view);
  const propsRef = useRef(props);
  propsRef.current = props;
  const prepared = useMemo(() => prepare(props.tracks), [props.tracks]);
  const preparedRef = useRef(prepared);
  preparedRef.current = prepared;
  const frame = useRef(0);
  const hits = useRef<Array<{ f: Finding; pts: Array<[number, number]> }>>([]);

  const landAsked = useRef(false);

  const draw = () => {
    frame.current = 0;
    // The coastline is parsed and projected after the first frame (tracks first), then drawn from the next one.
    if (!landAsked.current) {
      landAsked.current = true;
      whenLand().then(schedule, () => {});
    }
    const canvas = canvasRef.current;
    if (!canvas) return;
    const started = performance.now();
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const { cx, cy, k } = viewRef.current;
    const p = propsRef.current;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#cfe0ee';
    ctx.fillRect(0, 0, w, h);
    // World-unit layers: one transform for land and every track.
    ctx.setTransform(dpr * k, 0, 0, dpr * k, dpr * (w / 2 - cx * k), dpr * (h / 2 - cy * k));
    const level = lodFor(k);
    const land = landPath2D(level ? BASE_TOL * 2 ** level : 0);
    if (land) {
      ctx.fillStyle = '#f4f1e6';
      ctx.fill(land);
      ctx.strokeStyle = '#a99f85';
      ctx.lineWidth = 0.6 / k;
      ctx.stroke(land);
    }
    const [t0, t1] = p.window ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    let points = 0;
    let drawn = 0;
    // The visible world rectangle (with a margin for line width), for culling chunks.
    const vx0 = cx - w / 2 / k - 2 / k;
    const vx1 = cx + w / 2 / k + 2 / k;
    const vy0 = cy - h / 2 / k - 2 / k;
    const vy1 = cy + h / 2 / k + 2 / k;
    ctx.lineWidth = 1.4 / k;
    ctx.lineJoin = 'round';
    const ends: Array<{ x: number; y: number; colour: string; mmsi: number }> = [];
    for (const tr of preparedRef.current) {
      ctx.strokeStyle = tr.colour;
      // The newest point in the window marks where the vessel is (pieces are not in time order).
      let last = -1;
      for (const c of tr.chunks) {
        if (c.t1 < t0 || c.t0 > t1) continue;
        const whole = c.t0 >= t0 && c.t1 <= t1;
        const from = whole ? c.from : lowerBound(tr.ts, t0, c.from, c.to);
        const to = whole ? c.to : lowerBound(tr.ts, t1 + 1, c.from, c.to);
        if (to - from < 1) continue;
        points += to - from;
        if (last < 0 || tr.ts[to - 1]! > tr.ts[last]!) last = to - 1;
        if (c.x1 < vx0 || c.x0 > vx1 || c.y1 < vy0 || c.y0 > vy1) continue;
        if (whole) {
          const lod = (c.lods[level] ??= pathOf(tr.x, tr.y, tr.ts, c.from, c.to, level ? BASE_TOL * 2 ** level : 0));
          ctx.stroke(lod.path);
          drawn += lod.segments;
        } else {
          const part = pathOf(tr.x, tr.y, tr.ts, from, to, level ? BASE_TOL * 2 ** level : 0);
          ctx.stroke(part.path);
          drawn += part.segments;
        }
      }
      if (last >= 0) ends.push({ x: tr.x[last]!, y: tr.y[last]!, colour: tr.colour, mmsi: tr.mmsi });
    }
    // Screen-space layers.
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const sx = (lon: number) => (projectX(lon) - cx) * k + w / 2;
    const sy = (lat: number) => (projectY(lat) - cy) * k + h / 2;
    ctx.font = '11px system-ui, "Noto Sans CJK KR", "Noto Sans CJK SC", sans-serif';
    for (const e of ends) {
      const x = (e.x - cx) * k + w / 2;
      const y = (e.y - cy) * k + h / 2;
      ctx.fillStyle = e.colour;
      ctx.beginPath();
      ctx.arc(x, y, 3.5, 0, Math.PI * 2);
      ctx.fill();
      const label = p.labels?.get(e.mmsi);
      if (label && k > 40) {
        ctx.fillStyle = '#263238';
        ctx.fillText(label, x + 5, y - 5);
      }
    }
    const hitList: Array<{ f: Finding; pts: Array<[number, number]> }> = [];
    let notesDrawn = 0;
    // Many findings share one zone polygon (every entry into it): shade each polygon once.
    const shaded = new Set<string>();
    for (const f of p.findings) {
      if (!f.geometry) continue;
      const fs = Date.parse(f.start);
      const fe = f.end ? Date.parse(f.end) : fs;
      if (fe < t0 || fs > t1) continue;
      const kind = symbolKind(f.kind);
      const colour = SYMBOL_COLOURS[kind];
      const sel = p.selected === f.id;
      const parts = coordsOf(f.geometry).map((part) =>
        part.map(([lon, lat]) => [sx(lon), sy(lat)] as [number, number]),
      );
      hitList.push({ f, pts: parts.flat() });
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = sel ? 3.5 : 2;
      for (const pts of parts) {
        if (pts.length > 1) {
          ctx.setLineDash(kind === 'gap' ? [7, 5] : []);
          ctx.beginPath();
          pts.forEach(([x, y], i) => {
            if (i === 0) ctx.moveTo(x, y);
            else ctx.lineTo(x, y);
          });
          if (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon') {
            ctx.closePath();
            const key = `${pts.length}:${pts[0]![0].toFixed(1)},${pts[0]![1].toFixed(1)}`;
            if (!shaded.has(key)) {
              shaded.add(key);
              ctx.globalAlpha = 0.1;
              ctx.fill();
              ctx.globalAlpha = 1;
            }
          }
          ctx.stroke();
          ctx.setLineDash([]);
        }
        const [x, y] = pts[0]!;
        const r = sel ? 9 : 6;
        ctx.beginPath();
        if (kind === 'encounter') {
          ctx.moveTo(x, y - r);
          ctx.lineTo(x + r, y);
          ctx.lineTo(x, y + r);
          ctx.lineTo(x - r, y);
          ctx.closePath();
        } else if (kind === 'port') {
          ctx.rect(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6);
        } else if (kind === 'zone') {
          ctx.moveTo(x, y - r);
          ctx.lineTo(x + r, y + r * 0.8);
          ctx.lineTo(x - r, y + r * 0.8);
          ctx.closePath();
        } else {
          ctx.arc(x, y, kind === 'gap' ? r * 0.6 : r * 0.8, 0, Math.PI * 2);
        }
        ctx.fill();
        ctx.strokeStyle = sel ? '#000' : '#fff';
        ctx.lineWidth = sel ? 2.5 : 1.2;
        ctx.stroke();
      }
      const note = p.notes?.get(f.id);
      if (note && (sel || k > 40) && parts[0]?.[0]) {
        const [x, y] = parts[0][0];
        ctx.font = `${sel ? 'bold ' : ''}11px system-ui, sans-serif`;
        ctx.lineWidth = 3;
        ctx.strokeStyle = 'rgba(255,255,255,0.85)';
        ctx.strokeText(note, x + 10, y + 4);
        ctx.fillStyle = '#263238';
        ctx.fillText(note, x + 10, y + 4);
        notesDrawn++;
      }
    }
    hits.current = hitList;
    canvas.dataset.points = String(points);
    canvas.dataset.segments = String(drawn);
    canvas.dataset.lod = String(level);
    canvas.dataset.symbols = String(hitList.length);
    canvas.dataset.notes = String(notesDrawn);
    // Canvas 2D defers rasterisation; when measuring (window.__wkMapFlush, set by the e2e test), read one pixel so
    // the frame time includes the raster work, not only recording the draw calls.
    if ((window as unknown as { __wkMapFlush?: boolean }).__wkMapFlush) ctx.getImageData(0, 0, 1, 1);
    const ms = performance.now() - started;
    const stats = ((window as unknown as { __wkMapFrames?: number[] }).__wkMapFrames ??= []);
    stats.push(ms);
    canvas.dataset.frameMs = ms.toFixed(2);
    canvas.dataset.frames = String(Number(canvas.dataset.frames ?? 0) + 1);
  };

  const schedule = () => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw whenever what is shown changes
  useEffect(() => {
    viewRef.current = props.view;
    schedule();
  }, [props.view.cx, props.view.cy, props.view.k]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw whenever what is shown changes
  useEffect(schedule, [
    prepared,
    props.findings,
    props.window?.[0],
    props.window?.[1],
    props.selected,
    props.labels,
    props.notes,
  ]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: handlers read the latest props through refs
  useEffect(() => {
    const canvas = canvasRef.current!;
    let drag: { x: number; y: number; cx: number; cy: number; moved: boolean } | null = null;
    let settle = 0;
    const commit = () => {
      window.clearTimeout(settle);
      settle = window.setTimeout(() => propsRef.current.onViewChange({ ...viewRef.current }), 250);
    };
    const down = (e: PointerEvent) => {
      canvas.setPointerCapture(e.pointerId);
      drag = { x: e.clientX, y: e.clientY, cx: viewRef.current.cx, cy: viewRef.current.cy, moved: false };
    };
    const move = (e: PointerEvent) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      const k = viewRef.current.k;
      viewRef.current = { k, cx: drag.cx - dx / k, cy: drag.cy - dy / k };
      schedule();
    };
    const up = (e: PointerEvent) => {
      if (!drag) return;
      const wasDrag = drag.moved;
      drag = null;
      if (wasDrag) return commit();
      const rect = canvas.getBoundingClientRect();
      const mx = e.clientX - rect.left;
      const my = e.clientY - rect.top;
      let best: { f: Finding; d: number } | null = null;
      for (const h of hits.current) {
        for (let i = 0; i < h.pts.length; i++) {
          const [x, y] = h.pts[i]!;
          let d = Math.hypot(x - mx, y - my);
          if (i > 0) d = Math.min(d, segDist(mx, my, h.pts[i - 1]!, h.pts[i]!));
          if (d < 10 && (!best || d < best.d)) best = { f: h.f, d };
        }
      }
      propsRef.current.onSelect?.(best ? best.f : null);
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      const mx = e.clientX - rect.left - rect.width / 2;
      const my = e.clientY - rect.top - rect.height / 2;
      const v = viewRef.current;
      const f = Math.exp(-e.deltaY * 0.0015);
      const k = Math.max(0.5, Math.min(v.k * f, 2e6));
      const wx = v.cx + mx / v.k;
      const wy = v.cy + my / v.k;
      viewRef.current = { k, cx: wx - mx / k, cy: wy - my / k };
      schedule();
      commit();
    };
    const ro = new ResizeObserver(schedule);
    ro.observe(canvas);
    canvas.addEventListener('pointerdown', down);
    canvas.addEventListener('pointermove', move);
    canvas.addEventListener('pointerup', up);
    canvas.addEventListener('wheel', wheel, { passive: false });
    return () => {
      ro.disconnect();
      canvas.removeEventListener('pointerdown', down);
      canvas.removeEventListener('pointermove', move);
      canvas.removeEventListener('pointerup', up);
      canvas.removeEventListener('wheel', wheel);
      window.clearTimeout(settle);
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, []);

  const zoom = (f: number) => {
    const v = viewRef.current;
    viewRef.current = { ...v, k: Math.max(0.5, Math.min(v.k * f, 2e6)) };
    schedule();
    props.onViewChange({ ...viewRef.current });
  };

  return (
    <div className="map-wrap" style={{ height: props.height ?? 520 }}>
      <canvas
        ref={canvasRef}
        className="map-canvas"
        data-testid="map-canvas"
        aria-label="Map of vessel tracks and findings"
      />
      <div className="map-zoom">
        <button type="button" onClick={() => zoom(1.6)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoom(1 / 1.6)} aria-label="Zoom out">
          −
        </button>
      </div>
      <div className="map-legend">
        {(['gap', 'encounter', 'loiter', 'port', 'zone'] as SymbolKind[]).map((k) => (
          <span key={k}>
            <i style={{ background: SYMBOL_COLOURS[k] }} />
            {
              {
                gap: 'dark period',
                encounter: 'encounter',
                loiter: 'loitering',
                port: 'port call',
                zone: 'zone entry',
                other: '',
              }[k]
            }
          </span>
        ))}
        <span className="muted">Natural Earth 1:50m</span>
      </div>
    </div>
  );
}

function segDist(px: number, py: number, a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / l2));
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}
