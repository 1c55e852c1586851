import { readFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import type { Geometry } from '../../findings/finding.js';
import { dataPath } from '../../paths.js';
import { PreparedArea } from './polygon.js';
import type { ZoneInfo } from './types.js';

/**
 * Zones whose entry is a finding: the DPRK EEZ (Marine Regions via GFW's Park et al. 2020 paper; East Sea side
 * only), the ship-to-ship transfer hotspots named in UN Panel of Experts reports, and any GeoJSON a user adds.
 */

const POE = 'UN Panel of Experts (1718 Committee) reports S/2018/171, S/2019/171, S/2020/151, S/2021/211';

/** STS hotspot polygons drawn around the areas the Panel's reports describe ([lon, lat] rings, generous on purpose). */
export const STS_HOTSPOTS: Array<{ id: string; name: string; ring: Array<[number, number]> }> = [
  {
    id: 'sts-nampo-chodo',
    name: 'Waters off Nampo and Cho-do (West Sea of Korea)',
    ring: [
      [124.45, 38.35],
      [125.3, 38.35],
      [125.3, 38.95],
      [124.45, 38.95],
      [124.45, 38.35],
    ],
  },
  {
    id: 'sts-korea-bay',
    name: 'Korea Bay',
    ring: [
      [122.9, 38.95],
      [124.3, 38.95],
      [124.3, 39.75],
      [122.9, 39.75],
      [122.9, 38.95],
    ],
  },
  {
    id: 'sts-lianyungang',
    name: 'Yellow Sea off Lianyungang',
    ring: [
      [119.6, 34.3],
      [120.9, 34.3],
      [120.9, 35.2],
      [119.6, 35.2],
      [119.6, 34.3],
    ],
  },
  {
    id: 'sts-ningbo-zhoushan',
    name: 'Hangzhou Bay and waters off Ningbo-Zhoushan',
    ring: [
      [121.9, 29.5],
      [123.2, 29.5],
      [123.2, 30.9],
      [121.9, 30.9],
      [121.9, 29.5],
    ],
  },
  {
    id: 'sts-gulf-of-tonkin',
    name: 'Gulf of Tonkin',
    ring: [
      [106.6, 19.0],
      [108.9, 19.0],
      [108.9, 21.6],
      [106.6, 21.6],
      [106.6, 19.0],
    ],
  },
];

export function zoneFromGeometry(
  id: string,
  name: string,
  kind: ZoneInfo['kind'],
  geometry: Geometry,
  redFlags: string[],
  reference: string,
): ZoneInfo {
  const area = new PreparedArea(geometry);
  return {
    id,
    name,
    kind,
    redFlags,
    reference,
    bbox: area.bbox,
    geometry,
    contains: (lat, lon) => area.contains(lat, lon),
  };
}

/** The built-in zones: DPRK EEZ and the STS hotspots. */
export function builtinZones(): ZoneInfo[] {
  const zones: ZoneInfo[] = [];
  const eez = JSON.parse(readFileSync(dataPath('ais', 'geo', 'gfw-nk-paper_eez_prk.geojson'), 'utf8')) as {
    features: Array<{ geometry: Geometry }>;
  };
  zones.push(
    zoneFromGeometry(
      'eez-prk',
      'DPRK claimed EEZ (East Sea)',
      'eez',
      eez.features[0]!.geometry,
      ['HIGH_RISK_AREA'],
      'Marine Regions MRGID 49057 via GFW Park et al. 2020',
    ),
  );
  for (const h of STS_HOTSPOTS)
    zones.push(
      zoneFromGeometry(
        h.id,
        h.name,
        'sts_hotspot',
        { type: 'Polygon', coordinates: [h.ring] },
        ['HIGH_RISK_AREA'],
        POE,
      ),
    );
  return zones;
}

/** Zones from a user GeoJSON file (Feature, FeatureCollection or bare geometry; Polygon/MultiPolygon only). */
export function userZones(text: string, file: string): ZoneInfo[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const obj = json as {
    type?: string;
    features?: unknown[];
    geometry?: Geometry;
    properties?: Record<string, unknown>;
  };
  const features: Array<{ geometry?: Geometry; properties?: Record<string, unknown> }> =
    obj.type === 'FeatureCollection'
      ? (obj.features as Array<{ geometry?: Geometry; properties?: Record<string, unknown> }>)
      : obj.type === 'Feature'
        ? [obj]
        : [{ geometry: json as Geometry }];
  return features.map((f, i) => {
    const g = f.geometry;
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon'))
      throw new InputError(`${file}: feature ${i} must be a Polygon or MultiPolygon (got ${g?.type ?? 'none'})`);
    const name = String(f.properties?.name ?? `${file}#${i}`);
    const id = String(f.properties?.id ?? `user-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
    return zoneFromGeometry(id, name, 'user', g, ['HIGH_RISK_AREA'], file);
  });
}

/** Serializable view of a zone (for the API). */
export function zoneSummary(z: ZoneInfo, withGeometry = false): Record<string, unknown> {
  return {
    id: z.id,
    name: z.name,
    kind: z.kind,
    redFlags: z.redFlags,
    bbox: z.bbox,
    reference: z.reference,
    ...(withGeometry && z.geometry ? { geometry: z.geometry } : {}),
  };
}

export function readUserZonesFile(file: string): ZoneInfo[] {
  return userZones(readFileSync(file, 'utf8'), file);
}
