import { ensureResolvedOnce } from '../../resolve/canonical.js';
import { DATASET_TITLES, datasetAliases, publicDataset } from '../../screening/datasets.js';
import type { ScreeningIndex } from '../../screening/index.js';
import type { Prepared } from '../../screening/prepare.js';
import type { Store } from '../../store/store.js';

const mapCache = new WeakMap<Store, { atMs: number; map: Promise<Map<string, string>> }>();
/** Reads within this many ms share one map (the resolution itself is re-checked at most every 2 s). */
const MAP_TTL_MS = 1000;

/** The whole source id → canonical id map (only merged entities are in it: a few hundred rows). */
export async function canonicalMap(store: Store): Promise<Map<string, string>> {
  const now = Date.now();
  const cached = mapCache.get(store);
  if (cached && now - cached.atMs < MAP_TTL_MS) return cached.map;
  const map = (async () => {
    await ensureResolvedOnce(store);
    const rows = await store.db.query('SELECT DISTINCT entity_id, canonical_id FROM resolve_canonical');
    return new Map(rows.map((r) => [String(r.entity_id), String(r.canonical_id)]));
  })();
  mapCache.set(store, { atMs: now, map });
  map.catch(() => mapCache.delete(store));
  return map;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string): string | undefined {
  if (!/^[a-z]{2}$/.test(code)) return undefined;
  try {
    return regionNames.of(code.toUpperCase());
  } catch {
    return undefined;
  }
}

export interface FacetItem {
  name: string;
  label: string;
  count: number;
}

/** yente's facets (countries, topics, datasets, schema) over a set of hits. */
export function facets(hits: Prepared[]): Record<string, { label: string; values: FacetItem[] }> {
  const counts: Record<string, Map<string, number>> = {
    countries: new Map(),
    topics: new Map(),
    datasets: new Map(),
    schema: new Map(),
  };
  const bump = (facet: string, v: string) => counts[facet]!.set(v, (counts[facet]!.get(v) ?? 0) + 1);
  for (const h of hits) {
    for (const c of h.countries) bump('countries', c);
    for (const t of new Set(h.properties.topics ?? [])) bump('topics', t);
    for (const d of new Set(h.datasets.map(publicDataset))) bump('datasets', d);
    bump('schema', h.schema);
  }
  const labels: Record<string, string> = {
    countries: 'Countries',
    topics: 'Topics',
    datasets: 'Data sources',
    schema: 'Types',
  };
  const label = (facet: string, name: string): string => {
    if (facet === 'countries') return countryName(name) ?? name.toUpperCase();
    if (facet === 'datasets') return DATASET_TITLES[name] ?? name;
    return name;
  };
  const out: Record<string, { label: string; values: FacetItem[] }> = {};
  for (const [facet, m] of Object.entries(counts)) {
    const values = [...m]
      .map(([name, count]) => ({ name, label: label(facet, name), count }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
    out[facet] = { label: labels[facet]!, values };
  }
  return out;
}

export interface SearchFilters {
  schema?: Set<string>;
  datasets?: string[];
  excludeDataset?: string[];
  countries?: string[];
  topics?: string[];
}

export function passesSearch(e: Prepared, f: SearchFilters): boolean {
  if (f.schema && !f.schema.has(e.schema)) return false;
  const ds = new Set(e.datasets.flatMap(datasetAliases));
  if (f.datasets?.length && !f.datasets.some((d) => ds.has(d))) return false;
  if (f.excludeDataset?.some((d) => ds.has(d))) return false;
  if (f.countries?.length && !f.countries.some((c) => e.countries.has(c.toLowerCase()))) return false;
  if (f.topics?.length) {
    const topics = new Set(e.properties.topics ?? []);
    if (!f.topics.some((t) => topics.has(t))) return false;
  }
  return true;
}

/** Every indexed entity passing the filters, one per canonical entity, in caption order (an empty `q` browses). */
export function browse(index: ScreeningIndex, canonical: Map<string, string>, f: SearchFilters): Prepared[] {
  const seen = new Set<string>();
  const out: Prepared[] = [];
  for (const e of index.entities) {
    if (!passesSearch(e, f)) continue;
    const c = canonical.get(e.id) ?? e.id;
    if (seen.has(c)) continue;
    seen.add(c);
    out.push(e);
  }
  return out.sort((a, b) => (a.caption < b.caption ? -1 : a.caption > b.caption ? 1 : a.id < b.id ? -1 : 1));
}
