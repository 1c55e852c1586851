/**
 * The cargo section of a case report: for each port call, encounter or dark period among the case's findings, the
 * cargo each vessel loaded or discharged as estimated from its reported draught (`cargo.estimate` findings, see
 * src/maritime/cargo), with the method, the inputs it read and the range, so a reader can redo the arithmetic.
 * Estimates stored by `detect` are used as stored (with the constants they recorded); a source finding without a
 * stored estimate is estimated now from the stored static reports. A `cargo.estimate` the analyst added to the case
 * itself is shown as well.
 */
import type { Finding } from '../../findings/finding.js';
import type { CargoEstimate } from '../../maritime/cargo/estimate.js';
import { CARGO_SOURCE_KINDS, type CargoEstimateDetails } from '../../maritime/cargo/events.js';
import { estimateFinding } from '../../maritime/cargo/store.js';
import type { Store } from '../../store/store.js';

export interface CaseCargo {
  /** The `cargo.estimate` finding. */
  estimate: Finding;
  details: CargoEstimateDetails;
  /** Stored by detect, or worked out when the report was built. */
  stored: boolean;
  /** The other vessel of an encounter by the name the source finding gives it (the report names vessels). */
  counterpartName?: string;
}

const isSource = (f: Finding): boolean => (CARGO_SOURCE_KINDS as readonly string[]).includes(f.kind);

function detailsOf(f: Finding): CargoEstimateDetails | undefined {
  const d = f.details as unknown as CargoEstimateDetails | undefined;
  return d && typeof d.sourceFinding === 'string' && d.estimate ? d : undefined;
}

/** The cargo estimates of a case's findings, in the order of their source findings, then by MMSI. */
export async function caseCargo(store: Store, findings: Finding[]): Promise<CaseCargo[]> {
  const sources = findings.filter(isSource);
  const out = new Map<string, CaseCargo>();
  for (const f of findings) {
    const d = f.kind === 'cargo.estimate' ? detailsOf(f) : undefined;
    if (d) out.set(f.id, { estimate: f, details: d, stored: true });
  }
  if (sources.length > 0) {
    // An estimate starts when its source finding starts: read the estimates of the sources' time span only.
    const starts = sources.map((f) => f.start).sort();
    const until = new Date(Date.parse(starts[starts.length - 1]!) + 1).toISOString();
    const stored = await store.queryFindings({ kinds: ['cargo.estimate'], since: starts[0], until, limit: 100_000 });
    const ids = new Set(sources.map((f) => f.id));
    const covered = new Set<string>();
    for (const e of stored) {
      const d = detailsOf(e);
      if (!d || !ids.has(d.sourceFinding)) continue;
      out.set(e.id, { estimate: e, details: d, stored: true });
      covered.add(d.sourceFinding);
    }
    for (const f of sources) {
      if (covered.has(f.id)) continue;
      for (const e of await estimateFinding(store, f.id)) {
        const d = detailsOf(e);
        if (d && !out.has(e.id)) out.set(e.id, { estimate: e, details: d, stored: false });
      }
    }
  }
  const byId = new Map(findings.map((f) => [f.id, f]));
  for (const c of out.values()) {
    const other = c.details.counterpart?.mmsi;
    const name = byId.get(c.details.sourceFinding)?.vessels?.find((v) => v.mmsi === other)?.name;
    if (name) c.counterpartName = name;
  }
  const order = new Map(findings.map((f, i) => [f.id, i]));
  return [...out.values()].sort(
    (a, b) =>
      (order.get(a.details.sourceFinding) ?? order.get(a.estimate.id) ?? 0) -
        (order.get(b.details.sourceFinding) ?? order.get(b.estimate.id) ?? 0) || a.details.mmsi - b.details.mmsi,
  );
}

const n = (v: number): string => v.toLocaleString('en-US');
const range = (r: { low: number; mid: number; high: number }, unit: string): string =>
  `${n(r.mid)} ${unit} (range ${n(r.low)}–${n(r.high)} ${unit})`;

/** How the estimate was made, in words and numbers (plain text). */
export function cargoMethod(e: CargoEstimate, params: Record<string, unknown> = {}): string {
  const i = e.inputs;
  const rho = typeof params.seawaterDensityTPerM3 === 'number' ? params.seawaterDensityTPerM3 : 1.025;
  if (e.method === 'dimensions')
    return (
      `tonnes per centimetre immersion × draught change: TPC ${e.tpc!.mid} t/cm (${e.tpc!.low}–${e.tpc!.high}) = ` +
      `ρ ${rho} t/m³ × L ${i.lengthM} m × B ${i.beamM} m × Cwp / 100, Cwp = (1 + 2·Cb)/3 with the ${e.hullClass} ` +
      `block coefficient; the range takes the low and high Cb and the draught change ± two reading errors`
    );
  return (
    `deadweight: ${n(i.deadweightT as number)} t at the ${i.summerDraughtM} m summer draught, displacement taken as ` +
    'proportional to draught (deadweight/displacement ratio low–high); the range takes the ratio’s ends and the ' +
    'draught change ± two reading errors'
  );
}

/** One row of the cargo table as plain text cells. */
export function cargoRow(c: CaseCargo): {
  vessel: string;
  operation: string;
  tonnes: string;
  barrels: string;
  method: string;
  inputs: string;
  capacity: string;
} {
  const { details: d, estimate: f } = c;
  const e = d.estimate;
  const where = d.port
    ? ` at ${d.port.name} (${d.port.iso3})`
    : d.counterpart
      ? ` with ${c.counterpartName ?? `MMSI ${d.counterpart.mmsi}`}`
      : d.sourceKind === 'ais.gap'
        ? ' while dark'
        : '';
  return {
    vessel: d.name ?? `MMSI ${d.mmsi}`,
    operation: `${e.operation}${where}`,
    tonnes: range(e.tonnes, 't'),
    barrels: e.barrels ? `${range(e.barrels, 'bbl')} of ${e.product} at ${e.barrelsPerTonne} bbl/t` : '—',
    method: `${e.method}: ${cargoMethod(e, f.params)}`,
    inputs:
      `draught ${d.draughtBefore.m} m (${d.draughtBefore.time.slice(0, 16)}Z) → ${d.draughtAfter.m} m ` +
      `(${d.draughtAfter.time.slice(0, 16)}Z); L ${e.inputs.lengthM} m × B ${e.inputs.beamM} m; AIS ship type ` +
      `${e.inputs.shipType ?? 'not given'}${e.inputs.deadweightT ? `; deadweight ${n(e.inputs.deadweightT as number)} t` : ''}`,
    capacity: e.capacityT === null ? `unknown (${e.capacityBasis})` : `${n(e.capacityT)} t (${e.capacityBasis})`,
  };
}

/**
 * The section's HTML: a paragraph and a table, one row per estimate. `ref` names a finding as the report does
 * (F-n), `para` numbers a paragraph, `esc` escapes text.
 */
export function renderCargoSection(
  cargo: CaseCargo[],
  h: { ref: (id: string) => string; para: (html: string) => string; esc: (v: unknown) => string; heading: string },
): string[] {
  if (cargo.length === 0) return [];
  const out = [
    `<h3 id="cargo">${h.esc(h.heading)}</h3>`,
    h.para(
      h.esc(
        'Cargo loaded or discharged is estimated from the draught each vessel reported before and after the event: ' +
          'the change of draught times the tonnes per centimetre immersion worked out from its length, beam and ' +
          'type (or from its deadweight when known). Draught is typed in by the crew in 0.1 m steps and is often ' +
          'stale, so each estimate is a range, not a measurement. Barrels are given for tankers, for the product ' +
          'stated.',
      ),
    ),
    '<table class="cargo"><thead><tr><th>Finding</th><th>Vessel</th><th>Operation</th><th>Estimated cargo</th><th>Method</th><th>Inputs</th><th>Capacity</th></tr></thead><tbody>',
  ];
  for (const c of cargo) {
    const r = cargoRow(c);
    const source = h.ref(c.details.sourceFinding);
    const cell = source.endsWith('?') ? h.esc(c.details.sourceFinding) : h.esc(source);
    out.push(
      `<tr><td>${cell}${c.stored ? '' : '<br><span class="muted">estimated for this report</span>'}</td>` +
        `<td>${h.esc(r.vessel)}</td><td>${h.esc(r.operation)}</td>` +
        `<td>${h.esc(r.tonnes)}${r.barrels === '—' ? '' : `<br>≈ ${h.esc(r.barrels)}`}</td>` +
        `<td>${h.esc(r.method)}</td><td>${h.esc(r.inputs)}</td><td>${h.esc(r.capacity)}</td></tr>`,
    );
  }
  out.push('</tbody></table>');
  return out;
}
