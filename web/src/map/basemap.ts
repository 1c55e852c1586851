import { feature } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import land50 from 'world-atlas/land-50m.json';
import { projectX, projectY } from './projection.js';

/**
 * The offline basemap: Natural Earth 1:50m land from the `world-atlas` package, bundled with the page (no tiles,
 * no network), projected once into world units and kept as one Path2D.
 */
const landPaths = new Map<number, Path2D>();
let landGeoms: Array<{ type: string; coordinates: unknown }> | undefined;

function decodeLand(): Array<{ type: string; coordinates: unknown }> {
  const topo = land50 as unknown as Topology<{ land: GeometryObject }>;
  const geo = feature(topo, topo.objects.land) as unknown as {
    features?: Array<{ geometry: { type: string; coordinates: unknown } }>;
    geometry?: { type: string; coordinates: unknown };
  };
  return geo.features ? geo.features.map((f) => f.geometry) : geo.geometry ? [geo.geometry] : [];
}

/**
 * The land as one Path2D in world units, keeping only vertices at least `tol` world units apart (0 = all), so a
 * zoomed-out frame does not rasterise vertices finer than a pixel.
 */
export function landPath2D(tol = 0): Path2D {
  const cached = landPaths.get(tol);
  if (cached) return cached;
  landGeoms ??= decodeLand();
  const geoms = landGeoms;
  const p = new Path2D();
  const tol2 = tol * tol;
  const ring = (r: Array<[number, number]>) => {
    let lx = 0;
    let ly = 0;
    r.forEach(([lon, lat], i) => {
      const x = projectX(lon);
      const y = projectY(lat);
      if (i === 0) p.moveTo(x, y);
      else {
        if ((x - lx) ** 2 + (y - ly) ** 2 < tol2 && i < r.length - 1) return;
        p.lineTo(x, y);
      }
      lx = x;
      ly = y;
    });
    p.closePath();
  };
  for (const g of geoms) {
    if (g.type === 'Polygon') for (const r of g.coordinates as Array<Array<[number, number]>>) ring(r);
    if (g.type === 'MultiPolygon')
      for (const poly of g.coordinates as Array<Array<Array<[number, number]>>>) for (const r of poly) ring(r);
  }
  landPaths.set(tol, p);
  return p;
}
