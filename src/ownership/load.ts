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

/** The ownership network over the store's current statements and AIS identities. */
export async function loadNetwork(store: Store, opts: { asOf?: string } = {}): Promise<OwnershipNetwork> {
  const entities = entitiesFromStatements(await store.currentStatements());
  return buildNetwork(entities, { ais: await aisIdentitiesWithImo(store), asOf: opts.asOf });
}
