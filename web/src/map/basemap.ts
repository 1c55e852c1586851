import { feature } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import land50url from 'world-atlas/land-50m.json?url';
import { projectX, projectY } from './projection.js';

/**
 * The offline basemap: Natural Earth 1:50m land from the `world-atlas` package, shipped with the page as its own
 * asset (no tiles, no other host) downloaded when the map code loads, in parallel with the tracks, instead of
 * being parsed as part of a script. It is parsed after the map's first frame and its rings projected into world
 * units once, in idle time and in slices (the whole world's coastline is a few hundred thousand vertices), so the
 * first frame of tracks never waits for it; each level of detail is then one Path2D.
 */
const landPaths = new Map<number, Path2D>();
let rings: Array<{ x: Float64Array; y: Float64Array }> | undefined;
let landLoad: Promise<void> | undefined;

type Ring = Array<[number, number]>;

function ringsOf(topo: Topology<{ land: GeometryObject }>): Ring[] {
  const geo = feature(topo, topo.objects.land) as unknown as {
    features?: Array<{ geometry: { type: string; coordinates: unknown } }>;
    geometry?: { type: string; coordinates: unknown };
  };
  const geoms = geo.features ? geo.features.map((f) => f.geometry) : geo.geometry ? [geo.geometry] : [];
  const out: Ring[] = [];
  for (const g of geoms) {
    if (g.type === 'Polygon') out.push(...(g.coordinates as Ring[]));
    if (g.type === 'MultiPolygon') for (const poly of g.coordinates as Ring[][]) out.push(...poly);
  }
  return out;
}

const idle = (fn: (deadline: { timeRemaining(): number }) => void) =>
  typeof requestIdleCallback === 'function'
    ? requestIdleCallback(fn, { timeout: 200 })
    : setTimeout(() => fn({ timeRemaining: () => 8 }), 0);

/** Project the rings a slice at a time while the page is idle. */
function projectInIdleTime(all: Ring[]): Promise<void> {
  const done: Array<{ x: Float64Array; y: Float64Array }> = [];
  let i = 0;
  return new Promise((resolve) => {
    const step = (deadline: { timeRemaining(): number }) => {
      do {
        const r = all[i]!;
        const x = new Float64Array(r.length);
        const y = new Float64Array(r.length);
        for (let k = 0; k < r.length; k++) {
          x[k] = projectX(r[k]![0]);
          y[k] = projectY(r[k]![1]);
        }
        done.push({ x, y });
        i++;
      } while (i < all.length && deadline.timeRemaining() > 1);
      if (i < all.length) idle(step);
      else {
        rings = done;
        landPaths.clear();
        resolve();
      }
    };
    if (all.length) idle(step);
    else resolve();
  });
}

let landFetch: Promise<Response> | undefined;

/** Start downloading the land (network only: nothing is parsed on the page's thread yet). */
export function prefetchLand(): void {
  landFetch ??= fetch(land50url);
  landFetch.catch(() => {});
}

/**
 * Parse and project the land (once), after the download prefetchLand() started; resolves when landPath2D can draw
 * it. The map asks for it after its first frame, so the tracks never wait for the coastline.
 */
export function whenLand(): Promise<void> {
  prefetchLand();
  landLoad ??= (landFetch as Promise<Response>)
    .then((r) => {
      if (!r.ok) throw new Error(`basemap: ${r.status} for ${land50url}`);
      return r.json() as Promise<Topology<{ land: GeometryObject }>>;
    })
    .then((topo) => new Promise<Ring[]>((resolve) => idle(() => resolve(ringsOf(topo)))))
    .then(projectInIdleTime);
  return landLoad;
}

/**
 * The land as one Path2D in world units, keeping only vertices at least `tol` world units apart (0 = all), so a
 * zoomed-out frame does not rasterise vertices finer than a pixel; null until whenLand() has prepared it.
 */
export function landPath2D(tol = 0): Path2D | null {
  const cached = landPaths.get(tol);
  if (cached) return cached;
  if (!rings) return null;
  const p = new Path2D();
  const tol2 = tol * tol;
  for (const { x, y } of rings) {
    const n = x.length;
    let lx = x[0]!;
    let ly = y[0]!;
    p.moveTo(lx, ly);
    for (let i = 1; i < n; i++) {
      const dx = x[i]! - lx;
      const dy = y[i]! - ly;
      if (dx * dx + dy * dy < tol2 && i < n - 1) continue;
      lx = x[i]!;
      ly = y[i]!;
      p.lineTo(lx, ly);
    }
    p.closePath();
  }
  landPaths.set(tol, p);
  return p;
}
