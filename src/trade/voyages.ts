import type { Finding } from '../findings/finding.js';
import type { Store } from '../store/store.js';

/**
 * DPRK port calls seen in AIS, by vessel, for checking a shipment's declared voyage: the `ais.port_visit` findings
 * of maritime detection at DPRK ports (red flag DPRK_PORT_CALL), reached from a shipment's IMO number through the
 * AIS identities (vessel_static, vessel_identity and the visit's own vessel reference) or, when the record has no
 * IMO, its vessel name. An identity switched during the call (a false name or IMO at Nampo) still resolves,
 * because the visits hang on the MMSI and every identity broadcast from that MMSI is indexed.
 */

export interface DprkCall {
  findingId: string;
  mmsi: number;
  port: string;
  startMs: number;
  endMs: number;
  /** Name and IMO broadcast during the call. */
  name: string | null;
  imo: number | null;
}

/** Vessel names compared upper case, spaces collapsed, "MV"/"M/V" prefixes dropped. */
export function vesselNameKey(name: string): string {
  return name
    .toUpperCase()
    .replace(/^(?:M\/?V|MT|M\/T|SS)\s+/, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

export class VoyageIndex {
  private readonly byMmsi = new Map<number, DprkCall[]>();
  private readonly mmsiByImo = new Map<number, Set<number>>();
  private readonly mmsiByName = new Map<string, Set<number>>();

  constructor(calls: DprkCall[], identities: Array<{ mmsi: number; imo: number | null; name: string | null }>) {
    for (const c of calls) {
      let list = this.byMmsi.get(c.mmsi);
      if (!list) this.byMmsi.set(c.mmsi, (list = []));
      list.push(c);
      identities.push({ mmsi: c.mmsi, imo: c.imo, name: c.name });
    }
    for (const id of identities) {
      if (!this.byMmsi.has(id.mmsi)) continue;
      if (id.imo) add(this.mmsiByImo, id.imo, id.mmsi);
      if (id.name) add(this.mmsiByName, vesselNameKey(id.name), id.mmsi);
    }
  }

  get size(): number {
    return this.byMmsi.size;
  }

  /** IMO numbers of the vessels with DPRK calls (for selecting the records worth a voyage check). */
  imos(): number[] {
    return [...this.mmsiByImo.keys()];
  }

  /** Whether a vessel name (as a record writes it) is one a vessel with DPRK calls broadcast. */
  knowsName(name: string): boolean {
    return this.mmsiByName.has(vesselNameKey(name));
  }

  /** The DPRK calls of the vessel (by IMO when given, else by name) overlapping [fromMs, toMs]. */
  callsDuring(vessel: { imo: number | null; name: string | null }, fromMs: number, toMs: number): DprkCall[] {
    if (this.byMmsi.size === 0) return [];
    const mmsis = vessel.imo
      ? this.mmsiByImo.get(vessel.imo)
      : vessel.name
        ? this.mmsiByName.get(vesselNameKey(vessel.name))
        : undefined;
    if (!mmsis) return [];
    const out: DprkCall[] = [];
    for (const m of mmsis)
      for (const c of this.byMmsi.get(m) ?? []) if (c.startMs <= toMs && c.endMs >= fromMs) out.push(c);
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  /** From the store: DPRK port-visit findings and the AIS identities of the vessels that made them. */
  static async load(store: Store): Promise<VoyageIndex> {
    const findings = await store.queryFindings({ kinds: ['ais.port_visit'], redFlag: 'DPRK_PORT_CALL' });
    const calls = findings.flatMap(callOf);
    const mmsis = [...new Set(calls.map((c) => c.mmsi))];
    const identities: Array<{ mmsi: number; imo: number | null; name: string | null }> = [];
    for (let i = 0; i < mmsis.length; i += 500) {
      const chunk = mmsis.slice(i, i + 500);
      const list = chunk.join(',');
      for (const table of ['vessel_static', 'vessel_identity']) {
        const rows = await store.db.query(`SELECT DISTINCT mmsi, imo, name FROM ${table} WHERE mmsi IN (${list})`);
        for (const r of rows)
          identities.push({
            mmsi: Number(r.mmsi),
            imo: r.imo === null ? null : Number(r.imo),
            name: r.name === null ? null : String(r.name),
          });
      }
    }
    return new VoyageIndex(calls, identities);
  }
}

function add<K>(m: Map<K, Set<number>>, k: K, v: number): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

/** The DPRK call a port-visit finding records (none when it is not at a DPRK port or names no vessel). */
export function callOf(f: Finding): DprkCall[] {
  const d = f.details as { port?: { name?: string }; dprkPort?: boolean } | undefined;
  if (d?.dprkPort === false) return [];
  return (f.vessels ?? []).map((v) => ({
    findingId: f.id,
    mmsi: v.mmsi,
    port: d?.port?.name ?? 'a DPRK port',
    startMs: Date.parse(f.start),
    endMs: Date.parse(f.end ?? f.start),
    name: v.name ?? null,
    imo: v.imo ?? null,
  }));
}
