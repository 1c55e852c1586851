import { feature } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import land50 from 'world-atlas/land-50m.json';
import { projectX, projectY } from './projection.js';

/**
 * The offline basemap: Natural Earth 1:50m land from the `world-atlas` package, bundled with the page (no tiles,
 * no network), projected once into world units and kept as one Path2D.
 */
let landPath: Path2D | undefined;

export function landPath2D(): Path2D {
  if (landPath) return landPath;
  const topo = land50 as unknown as Topology<{ land: GeometryObject }>;
  const geo = feature(topo, topo.objects.land) as unknown as {
    features?: Array<{ geometry: { type: string; coordinates: unknown } }>;
    geometry?: { type: string; coordinates: unknown };
  };
  const geoms = geo.features ? geo.features.map((f) => f.geometry) : geo.geometry ? [geo.geometry] : [];
  const p = new Path2D();
  const ring = (r: Array<[number, number]>) => {
    r.forEach(([lon, lat], i) => {
      const x = projectX(lon);
      const y = projectY(lat);
      if (i === 0) p.moveTo(x, y);
      else p.lineTo(x, y);
    });
    p.closePath();
  };
  for (const g of geoms) {
    if (g.type === 'Polygon') for (const r of g.coordinates as Array<Array<[number, number]>>) ring(r);
    if (g.type === 'MultiPolygon')
      for (const poly of g.coordinates as Array<Array<Array<[number, number]>>>) for (const r of poly) ring(r);
  }
  landPath = p;
  return p;
}
