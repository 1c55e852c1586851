import type { Finding } from '../../../src/findings/finding.js';

/**
 * Estimated cargo on the map: the `cargo.estimate` findings detect stores for port calls, encounters and dark
 * periods (src/maritime/cargo/events.ts), attached to the symbol of the finding they estimate. A short label goes
 * next to the symbol; the selected finding's panel lists each vessel's estimate with its range and method.
 */

interface Range {
  low: number;
  mid: number;
  high: number;
}

/** The parts of a cargo.estimate's details the map shows. */
export interface MapCargo {
  id: string;
  sourceFinding: string;
  mmsi: number;
  name: string | null;
  operation: 'loaded' | 'discharged' | 'none';
  method: string;
  hullClass: string;
  tonnes: Range;
  barrels: Range | null;
  product: string | null;
  barrelsPerTonne: number | null;
  tpc: Range | null;
  draughtBeforeM: number;
  draughtAfterM: number;
}

function cargoOf(f: Finding): MapCargo | null {
  const d = f.details as Record<string, unknown> | undefined;
  const e = d?.estimate as Record<string, unknown> | undefined;
  if (f.kind !== 'cargo.estimate' || typeof d?.sourceFinding !== 'string' || !e) return null;
  const tonnes = e.tonnes as Range | undefined;
  if (!tonnes || typeof tonnes.mid !== 'number') return null;
  const before = d.draughtBefore as { m?: number } | undefined;
  const after = d.draughtAfter as { m?: number } | undefined;
  return {
    id: f.id,
    sourceFinding: d.sourceFinding,
    mmsi: Number(d.mmsi),
    name: typeof d.name === 'string' ? d.name : null,
    operation: e.operation as MapCargo['operation'],
    method: String(e.method ?? ''),
    hullClass: String(e.hullClass ?? ''),
    tonnes,
    barrels: (e.barrels as Range | null) ?? null,
    product: (e.product as string | null) ?? null,
    barrelsPerTonne: (e.barrelsPerTonne as number | null) ?? null,
    tpc: (e.tpc as Range | null) ?? null,
    draughtBeforeM: Number(before?.m),
    draughtAfterM: Number(after?.m),
  };
}

/** The estimates by the id of the finding they estimate, each list by MMSI. */
export function cargoBySource(findings: Finding[]): Map<string, MapCargo[]> {
  const out = new Map<string, MapCargo[]>();
  for (const f of findings) {
    const c = cargoOf(f);
    if (!c) continue;
    const list = out.get(c.sourceFinding);
    if (list) list.push(c);
    else out.set(c.sourceFinding, [c]);
  }
  for (const list of out.values()) list.sort((a, b) => a.mmsi - b.mmsi);
  return out;
}

/** Three significant figures, grouped: 2,999 → "3,000", 22,373 → "22,400". */
export function roughly(v: number): string {
  if (v === 0) return '0';
  const p = 10 ** Math.max(0, Math.floor(Math.log10(Math.abs(v))) - 2);
  return (Math.round(v / p) * p).toLocaleString('en-US');
}

const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');

/**
 * The label next to a symbol: the cargo that changed hands, from the vessel that loaded it when one did (the
 * receiver of an STS transfer, the bulk carrier at a coal port), in tonnes and, for a tanker, barrels.
 */
export function cargoLabel(list: MapCargo[]): string {
  const c = list.find((x) => x.operation === 'loaded') ?? list[0];
  if (!c) return '';
  return `≈${roughly(c.tonnes.mid)} t${c.barrels ? ` · ${roughly(c.barrels.mid)} bbl` : ''}`;
}

/** One line per vessel for the selected finding's panel: operation, range, barrels, method and draughts. */
export function cargoLine(c: MapCargo): string {
  const bbl = c.barrels
    ? `, ≈ ${n0(c.barrels.mid)} bbl of ${c.product ?? 'product unknown'} (${n0(c.barrels.low)}–${n0(c.barrels.high)} bbl${c.barrelsPerTonne ? ` at ${c.barrelsPerTonne} bbl/t` : ''})`
    : '';
  const how =
    c.method === 'dimensions' && c.tpc
      ? `TPC ${c.tpc.mid} t/cm from length, beam and the ${c.hullClass} block coefficient`
      : `${c.method} method`;
  return (
    `${c.name ?? `MMSI ${c.mmsi}`}: ${c.operation} about ${n0(c.tonnes.mid)} t ` +
    `(range ${n0(c.tonnes.low)}–${n0(c.tonnes.high)} t)${bbl}; draught ${c.draughtBeforeM} → ${c.draughtAfterM} m, ${how}`
  );
}
