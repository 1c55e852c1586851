/**
 * Vessel identities: what each MMSI says it is (name, call sign, IMO, ship type) merged over its static messages,
 * and the history of the distinct tuples it broadcast (`vessel_identity`), with when each was first and last seen.
 */
import { flagOf } from '../ais/mid.js';

/** One identity tuple a vessel broadcast: a `vessel_identity` row (times in epoch ms, as stored). */
export interface IdentityRow {
  mmsi: number;
  name: string | null;
  callsign: string | null;
  imo: number | null;
  shipType: number | null;
  /** ISO 3166 alpha-2 of the MMSI's MID, null when it has none. */
  flag: string | null;
  firstSeen: number;
  lastSeen: number;
  messages: number;
}

/** What a vessel says it is, merged over its static messages (type 24 parts A and B complete each other). */
export interface IdentityState {
  name: string | null;
  callsign: string | null;
  imo: number | null;
  shipType: number | null;
}

/** The identities of the vessels of one import (or one live batch). */
export class IdentityHistory {
  /** MMSI → the identity merged so far. */
  private readonly current = new Map<number, IdentityState>();
  /** "mmsi|name|callsign|imo|shipType" → its row. */
  private readonly rows = new Map<string, IdentityRow>();

  /**
   * Merge what one static message says (fields left out or null keep their value) into the vessel's identity and
   * record the resulting tuple as seen at `ts`. Returns the tuple's row.
   */
  observe(mmsi: number, ts: number, id: Partial<IdentityState>): IdentityRow {
    let st = this.current.get(mmsi);
    if (!st) {
      st = { name: null, callsign: null, imo: null, shipType: null };
      this.current.set(mmsi, st);
    }
    if (id.name !== undefined && id.name !== null) st.name = id.name;
    if (id.callsign !== undefined && id.callsign !== null) st.callsign = id.callsign;
    if (id.imo !== undefined && id.imo !== null) st.imo = id.imo;
    if (id.shipType !== undefined && id.shipType !== null) st.shipType = id.shipType;
    const key = `${mmsi}|${st.name}|${st.callsign}|${st.imo}|${st.shipType}`;
    const ex = this.rows.get(key);
    if (ex) {
      seenAgain(ex, ts);
      return ex;
    }
    const row: IdentityRow = {
      mmsi,
      name: st.name,
      callsign: st.callsign,
      imo: st.imo,
      shipType: st.shipType,
      flag: flagOf(mmsi) ?? null,
      firstSeen: ts,
      lastSeen: ts,
      messages: 1,
    };
    this.rows.set(key, row);
    return row;
  }

  /** The latest identity of a vessel. */
  of(mmsi: number): IdentityState | undefined {
    return this.current.get(mmsi);
  }

  /** Every vessel with an identity, and that identity. */
  vessels(): Array<[number, IdentityState]> {
    return [...this.current];
  }

  /** The tuples recorded. */
  list(): IdentityRow[] {
    return [...this.rows.values()];
  }

  /** The tuples recorded since the last drain, forgotten here (the vessels' merged identities are kept). */
  drain(): IdentityRow[] {
    const rows = this.list();
    this.rows.clear();
    return rows;
  }
}

/** One more message with an identity already recorded. */
export function seenAgain(row: IdentityRow, ts: number): void {
  if (ts < row.firstSeen) row.firstSeen = ts;
  if (ts > row.lastSeen) row.lastSeen = ts;
  row.messages++;
}
