/**
 * Static and voyage rows (`vessel_static`): one per static message, unless it repeats the vessel's last one within the
 * hour. A repeat is found from the message's raw bits before decoding it (no strings built), or from the decoded row.
 */
import type { ColumnBatch, ColumnSpec } from '../../store/db.js';
import type { IdentityRow } from './identities.js';

export const STATIC_COLUMNS: ColumnSpec[] = [
  { name: 'mmsi', type: 'int' },
  { name: 'ts', type: 'bigint' },
  { name: 'imo', type: 'int' },
  { name: 'name', type: 'text' },
  { name: 'callsign', type: 'text' },
  { name: 'ship_type', type: 'smallint' },
  { name: 'to_bow', type: 'smallint' },
  { name: 'to_stern', type: 'smallint' },
  { name: 'to_port', type: 'smallint' },
  { name: 'to_starboard', type: 'smallint' },
  { name: 'draught', type: 'real' },
  { name: 'destination', type: 'text' },
  { name: 'eta', type: 'text' },
  { name: 'import_id', type: 'text' },
];

/** Static / voyage data for one message (fields absent from the message type are null). */
export interface StaticRow {
  mmsi: number;
  ts: number;
  imo: number | null;
  name: string | null;
  callsign: string | null;
  shipType: number | null;
  toBow: number | null;
  toStern: number | null;
  toPort: number | null;
  toStarboard: number | null;
  draughtM: number | null;
  destination: string | null;
  eta: string | null;
}

/** A static row is stored when its content changes, or at most once per hour when it repeats. */
export const STATIC_REPEAT_MS = 3_600_000;

/** The last payload of one static message kind from a vessel: its hash, when it was stored, its identity row. */
interface RawRepeat {
  hash: number;
  ts: number;
  identity: IdentityRow;
}

/** The static rows of an import, with what their repeats are compared with. */
export class StaticRows {
  rows: StaticRow[] = [];
  /** Per vessel: the content of its last stored row and when it was stored. */
  private readonly last = new Map<number, { key: string; ts: number }>();
  /** Per vessel and static message kind (0 type 5, 1/2 type 24 part A/B, 4 type 19): its last payload. */
  private readonly lastRaw = new Map<number, Array<RawRepeat | undefined>>();
  /** The hash of the payload `repeatOf` looked at last. */
  lastHash = 0;

  /** Keep `row` unless it repeats the vessel's last stored row within the hour; true when kept. */
  add(row: StaticRow): boolean {
    const key = JSON.stringify([
      row.imo,
      row.name,
      row.callsign,
      row.shipType,
      row.toBow,
      row.toStern,
      row.toPort,
      row.toStarboard,
      row.draughtM,
      row.destination,
      row.eta,
    ]);
    const last = this.last.get(row.mmsi);
    if (last && last.key === key && Math.abs(row.ts - last.ts) < STATIC_REPEAT_MS) return false;
    this.last.set(row.mmsi, { key, ts: row.ts });
    this.rows.push(row);
    return true;
  }

  /**
   * The identity row of the vessel's last payload of this kind when `bytes` (`bitlen` bits) repeat it within the
   * hour of `tsMs`; null otherwise. Its hash is left in `lastHash` (for `remember`).
   */
  repeatOf(mmsi: number, kind: number, bytes: Uint8Array, bitlen: number, tsMs: number): IdentityRow | null {
    const h = bitsHash(bytes, bitlen);
    this.lastHash = h;
    const last = this.lastRaw.get(mmsi)?.[kind];
    return last && last.hash === h && Math.abs(tsMs - last.ts) < STATIC_REPEAT_MS ? last.identity : null;
  }

  /** Remember a decoded payload (hash from `repeatOf`) and the identity it gave. */
  remember(mmsi: number, kind: number, hash: number, ts: number, identity: IdentityRow): void {
    let kinds = this.lastRaw.get(mmsi);
    if (kinds === undefined) {
      kinds = [];
      this.lastRaw.set(mmsi, kinds);
    }
    kinds[kind] = { hash, ts, identity };
  }

  /** Forget the payloads remembered (their identity rows were handed over). */
  forgetPayloads(): void {
    this.lastRaw.clear();
  }

  /** The rows kept since the last call. */
  take(): StaticRow[] {
    const s = this.rows;
    this.rows = [];
    return s;
  }
}

/** FNV-1a over the bytes holding `bitlen` bits (payload identity for repeated static messages). */
function bitsHash(bytes: Uint8Array, bitlen: number): number {
  let h = 0x811c9dc5 ^ bitlen;
  const n = (bitlen + 7) >> 3;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

export function staticBatch(rows: StaticRow[], importId: string): ColumnBatch {
  return {
    length: rows.length,
    columns: [
      rows.map((r) => r.mmsi),
      rows.map((r) => r.ts),
      rows.map((r) => r.imo),
      rows.map((r) => r.name),
      rows.map((r) => r.callsign),
      rows.map((r) => r.shipType),
      rows.map((r) => r.toBow),
      rows.map((r) => r.toStern),
      rows.map((r) => r.toPort),
      rows.map((r) => r.toStarboard),
      rows.map((r) => r.draughtM),
      rows.map((r) => r.destination),
      rows.map((r) => r.eta),
      rows.map(() => importId),
    ],
  };
}
