import { screeningService } from '../screening/service.js';
import type { Store } from '../store/store.js';
import { ensureResolvedOnce } from './canonical.js';

/**
 * Maritime screening over canonical vessels (docs/graph.md). A vessel seen in AIS (MMSI, latest IMO and name) is
 * screened against the lists; the listed entries it matches are grouped by canonical vessel, so one hull listed by
 * the UN, the EU, the UK and OFAC is one match with all its entries. The AIS vessel's own canonical entity counts
 * too: when its static reports gave one valid IMO that a listed vessel carries (the resolver's MMSI-IMO tie), it
 * is that listed vessel, whatever name or IMO its latest report gives.
 */

export interface VesselMatch {
  /** The listed source entity that matched best (stable: findings name it). */
  id: string;
  caption: string;
  score: number;
  /** The canonical vessel it belongs to (its own id when nothing was merged with it). */
  canonicalId: string;
  /** Every listed entry of that canonical vessel (sorted), the AIS vessels merged with it left out. */
  referents: string[];
  /** 'screening': the matcher's score; 'identity': the AIS vessel is one canonical vessel with a listed one. */
  via: 'screening' | 'identity';
}

/** Match AIS vessels against canonical listed vessels; reads the canonical map once for many vessels. */
export async function vesselMatcher(store: Store): Promise<{
  match(v: { mmsi: number; imo?: number; name?: string }): Promise<VesselMatch | undefined>;
}> {
  await ensureResolvedOnce(store);
  const canonicalOf = new Map<string, string>();
  const referents = new Map<string, string[]>();
  for (const r of await store.db.query('SELECT entity_id, canonical_id FROM resolve_canonical ORDER BY entity_id')) {
    const [e, c] = [String(r.entity_id), String(r.canonical_id)];
    canonicalOf.set(e, c);
    const list = referents.get(c);
    if (list) list.push(e);
    else referents.set(c, [e]);
  }
  const canon = (id: string) => canonicalOf.get(id) ?? id;
  const service = screeningService(store);
  // Listed referents are those the screening index holds (list entries): not the AIS vessels merged in, nor a
  // ship-registry extract's hull (`reg-vessel-<IMO>`), which the resolver ties to its AIS MMSI by IMO.
  const index = await service.index();
  const listed = (c: string) =>
    (referents.get(c) ?? [c]).filter((id) => !id.startsWith('ais-') && index.get(id) !== undefined);
  return {
    async match(v) {
      const results = (
        await service.screenVessel({
          mmsi: v.mmsi,
          ...(v.imo ? { imo: v.imo } : {}),
          ...(v.name ? { name: v.name } : {}),
        })
      ).filter((r) => r.match);
      const own = canon(`ais-${v.mmsi}`);
      const tied = own !== `ais-${v.mmsi}` ? listed(own) : [];
      if (tied.length > 0) {
        // Best screened entry of the same canonical vessel, else its smallest listed referent.
        const best = results.find((r) => canon(r.id) === own);
        const caption = best?.caption ?? (await store.getEntity(tied[0]!))?.caption() ?? tied[0]!;
        return {
          id: best?.id ?? tied[0]!,
          caption,
          score: 1,
          canonicalId: own,
          referents: tied,
          via: 'identity',
        };
      }
      const best = results[0];
      if (!best) return undefined;
      const c = canon(best.id);
      return {
        id: best.id,
        caption: best.caption,
        score: best.score,
        canonicalId: c,
        referents: listed(c),
        via: 'screening',
      };
    },
  };
}
