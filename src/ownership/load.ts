import type { IdentityRow } from '../maritime/store/identities.js';
import { entitiesFromStatements } from '../model/entity.js';
import type { Store } from '../store/store.js';
import { buildNetwork, type OwnershipNetwork } from './network.js';

/** AIS identities that broadcast an IMO number (the registry's AIS side), from `vessel_identity`. */
export async function aisIdentitiesWithImo(store: Store): Promise<IdentityRow[]> {
  const rows = await store.db.query(
    `SELECT mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen, messages
       FROM vessel_identity WHERE imo IS NOT NULL ORDER BY imo, first_seen`,
  );
  return rows.map((r) => ({
    mmsi: Number(r.mmsi),
    name: (r.name as string | null) ?? null,
    callsign: (r.callsign as string | null) ?? null,
    imo: r.imo === null ? null : Number(r.imo),
    shipType: r.ship_type === null || r.ship_type === undefined ? null : Number(r.ship_type),
    flag: (r.flag as string | null) ?? null,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    messages: Number(r.messages),
  }));
}

/**
 * What the network depends on: the current list versions, the statements (count and newest ord) and the AIS
 * identities. Any import, removal or new AIS identity changes it.
 */
async function fingerprint(store: Store): Promise<string> {
  const versions = (await store.currentVersions()).map((v) => v.id).sort();
  const [st] = await store.db.query('SELECT count(*) AS n, max(ord) AS m FROM statements');
  const [ais] = await store.db.query('SELECT count(*) AS n, max(last_seen) AS m FROM vessel_identity');
  return JSON.stringify([versions, String(st?.n), String(st?.m), String(ais?.n), String(ais?.m)]);
}

const cache = new WeakMap<Store, { key: string; net: OwnershipNetwork }>();

/**
 * The ownership network over the store's current statements and AIS identities. The last network built for a
 * store is kept while the store's data and the date are unchanged, so the vessel page and repeated API calls do
 * not rebuild it from every statement.
 */
export async function loadNetwork(store: Store, opts: { asOf?: string } = {}): Promise<OwnershipNetwork> {
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const key = `${asOf}|${await fingerprint(store)}`;
  const hit = cache.get(store);
  if (hit && hit.key === key) return hit.net;
  const entities = entitiesFromStatements(await store.currentStatements());
  const net = buildNetwork(entities, { ais: await aisIdentitiesWithImo(store), asOf });
  cache.set(store, { key, net });
  return net;
}
