import { type Finding, findingId } from '../../findings/finding.js';
import type { CargoEstimateDetails } from './events.js';
import type { OfficialDelivery } from './official.js';
import { CARGO_DEFAULTS, type CargoParams, DPRK_OIL_TERMINALS, hullClassOf, portNamed } from './params.js';

/**
 * The refined-petroleum cap tracker. Resolution 2397 (2017), paragraph 5, caps refined petroleum supplied to the
 * DPRK at 500,000 barrels a calendar year. Deliveries per year come from:
 *  (a) STS encounters between a DPRK-linked tanker and a foreign tanker: the DPRK tanker's draught rise (or, when
 *      it did not report one, the foreign tanker's fall), as estimated by `cargo.estimate`;
 *  (b) calls of DPRK-linked tankers at DPRK oil terminals: a call after such an encounter (same tanker, within
 *      `confirmWindowDays`) confirms that delivery and is not counted again; a call with a draught fall and no
 *      observed encounter is a delivery of its own (the loading was not seen);
 *  (c) official deliveries reported to the 1718 Committee (official.ts).
 * Totals are kept under the draught estimate (low/mid/high) and under the Panel's load assumptions: the receiving
 * tanker carried 33 %, 50 % or 90 % of its deadweight capacity, as the Panel's reports present them (e.g. S/2019/171).
 */

export interface CapParams {
  capBbl: number;
  loadFractions: readonly number[];
  confirmWindowDays: number;
}

export const CAP_DEFAULTS: Readonly<CapParams> = Object.freeze({
  capBbl: 500_000,
  loadFractions: [0.33, 0.5, 0.9] as const,
  confirmWindowDays: 30,
});

export type DeliverySource = 'sts' | 'port_call' | 'official';

export interface Delivery {
  date: string;
  source: DeliverySource;
  /** Receiving (DPRK-linked) tanker, for AIS deliveries. */
  mmsi: number | null;
  name: string | null;
  counterpart: number | null;
  /** Draught-based barrels. Official rows: the reported quantity in all three. */
  barrels: { low: number; mid: number; high: number };
  /** Barrels under each load assumption (capacity × fraction × barrels per tonne); null when capacity is unknown. */
  loadBarrels: number[] | null;
  capacityT: number | null;
  findings: string[];
  /** DPRK port calls that corroborate the delivery. */
  confirmedBy: Array<{ finding: string; port: string; start: string }>;
  note: string;
}

export interface CapScenario {
  name: string;
  totalBbl: number;
  /** Date of the delivery that took the running total over the cap, if it did. */
  crossedOn: string | null;
}

export interface CapYear {
  year: number;
  capBbl: number;
  deliveries: Delivery[];
  scenarios: CapScenario[];
  /** Running totals after each delivery, per scenario (same order as scenarios). */
  running: number[][];
}

const DAY = 86_400_000;
/** ISO-8601 UTC strings sort as plain strings (no locale collation needed). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function estimateOf(f: Finding): CargoEstimateDetails | undefined {
  if (f.kind !== 'cargo.estimate' || !f.details) return undefined;
  return f.details as unknown as CargoEstimateDetails;
}

function loadBarrels(d: CargoEstimateDetails | undefined, p: CapParams, params: CargoParams): number[] | null {
  if (!d?.estimate.capacityT) return null;
  const bpt = d.estimate.barrelsPerTonne ?? params.barrelsPerTonne[params.defaultProduct];
  return p.loadFractions.map((x) => Math.round(d.estimate.capacityT! * x * bpt));
}

/** Deliveries seen in the findings (cargo.estimate and ais.port_visit), in time order. */
export function aisDeliveries(
  findings: Finding[],
  p: CapParams = CAP_DEFAULTS,
  params: CargoParams = CARGO_DEFAULTS,
): Delivery[] {
  const bySource = new Map<string, Array<{ f: Finding; d: CargoEstimateDetails }>>();
  const calls: Finding[] = [];
  for (const f of findings) {
    const d = estimateOf(f);
    if (d) {
      // Only estimates that can be DPRK deliveries: encounters with a DPRK-linked side, discharges at DPRK ports.
      if (d.sourceKind === 'ais.encounter') {
        if (d.dprkLinked === null && !d.counterpart?.dprkLinked) continue;
      } else if (d.sourceKind !== 'ais.port_visit' || !d.port?.dprk) continue;
      let l = bySource.get(d.sourceFinding);
      if (!l) bySource.set(d.sourceFinding, (l = []));
      l.push({ f, d });
    } else if (f.kind === 'ais.port_visit' && f.details?.dprkPort === true) calls.push(f);
  }
  const out: Delivery[] = [];
  for (const list of bySource.values()) {
    const d0 = list[0]!.d;
    if (d0.sourceKind !== 'ais.encounter') continue;
    const tanker = (t: number | null) => hullClassOf(t) === 'tanker';
    // Sides of the encounter: the DPRK-linked receiver and the foreign supplier.
    const own = list.map((x) => x.d);
    const dprkSide = (x: CargoEstimateDetails) => x.dprkLinked !== null;
    const recvMmsi = dprkSide(d0) ? d0.mmsi : d0.counterpart?.dprkLinked ? d0.counterpart.mmsi : null;
    if (recvMmsi === null) continue;
    const recv = own.find((x) => x.mmsi === recvMmsi);
    const foreign = own.find((x) => x.mmsi !== recvMmsi);
    const recvType = recv ? recv.shipType : d0.counterpart!.shipType;
    const foreignType = foreign ? foreign.shipType : (d0.counterpart?.shipType ?? null);
    const foreignLinked = foreign ? foreign.dprkLinked : (recv?.counterpart?.dprkLinked ?? null);
    if (!tanker(recvType) || !tanker(foreignType) || foreignLinked !== null) continue;
    const use =
      recv && recv.estimate.operation === 'loaded'
        ? recv
        : foreign && foreign.estimate.operation === 'discharged'
          ? foreign
          : undefined;
    if (!use?.estimate.barrels) continue;
    const src = list.find((x) => x.d === use)!.f;
    out.push({
      date: src.end ?? src.start,
      source: 'sts',
      mmsi: recvMmsi,
      name: recv?.name ?? null,
      counterpart: foreign?.mmsi ?? use.counterpart?.mmsi ?? null,
      barrels: { ...use.estimate.barrels },
      loadBarrels: loadBarrels(recv, p, params),
      capacityT: recv?.estimate.capacityT ?? null,
      findings: list.map((x) => x.f.id).concat(d0.sourceFinding),
      confirmedBy: [],
      note: `STS: ${use === recv ? 'the DPRK-linked tanker’s draught rise' : 'the foreign tanker’s draught fall'}`,
    });
  }
  out.sort((a, b) => cmp(a.date, b.date));
  // (b) calls at DPRK oil terminals: confirm a preceding STS delivery of the same tanker, else count a discharge.
  const callEstimates = new Map<string, { f: Finding; d: CargoEstimateDetails }>();
  for (const list of bySource.values())
    for (const x of list) if (x.d.sourceKind === 'ais.port_visit') callEstimates.set(x.d.sourceFinding, x);
  const extra: Delivery[] = [];
  // STS deliveries per receiving tanker, in time order, for the confirmation look-up.
  const byTanker = new Map<number, Array<{ d: Delivery; ms: number }>>();
  for (const d of out) {
    let l = byTanker.get(d.mmsi!);
    if (!l) byTanker.set(d.mmsi!, (l = []));
    l.push({ d, ms: Date.parse(d.date) });
  }
  for (const c of calls.sort((a, b) => cmp(a.start, b.start))) {
    const port = (c.details!.port as { name: string }).name;
    if (!portNamed(DPRK_OIL_TERMINALS, port)) continue;
    const mmsi = c.vessels?.[0]?.mmsi;
    const t = Date.parse(c.start);
    let prior: Delivery | undefined;
    for (const x of (mmsi === undefined ? undefined : byTanker.get(mmsi)) ?? []) {
      if (x.ms > t + 3_600_000) break;
      if (t - x.ms <= p.confirmWindowDays * DAY) prior = x.d;
    }
    if (prior) {
      prior.confirmedBy.push({ finding: c.id, port, start: c.start });
      continue;
    }
    const est = callEstimates.get(c.id);
    if (est?.d.estimate.operation !== 'discharged' || !est.d.estimate.barrels) continue;
    if (est.d.dprkLinked === null || hullClassOf(est.d.shipType) !== 'tanker') continue;
    extra.push({
      date: c.start,
      source: 'port_call',
      mmsi: est.d.mmsi,
      name: est.d.name,
      counterpart: null,
      barrels: { ...est.d.estimate.barrels },
      loadBarrels: loadBarrels(est.d, p, params),
      capacityT: est.d.estimate.capacityT,
      findings: [est.f.id, c.id],
      confirmedBy: [{ finding: c.id, port, start: c.start }],
      note: `discharge at ${port} with no observed loading`,
    });
  }
  return [...out, ...extra].sort((a, b) => cmp(a.date, b.date));
}

function officialDelivery(o: OfficialDelivery): Delivery {
  return {
    date: o.date,
    source: 'official',
    mmsi: null,
    name: o.reportingState,
    counterpart: null,
    barrels: { low: o.barrels, mid: o.barrels, high: o.barrels },
    loadBarrels: null,
    capacityT: null,
    findings: [],
    confirmedBy: [],
    note: `reported by ${o.reportingState}: ${o.quantity} ${o.unit} of ${o.product}${o.reference ? ` (${o.reference})` : ''}`,
  };
}

export function scenarioNames(p: CapParams = CAP_DEFAULTS): string[] {
  return ['draught low', 'draught', 'draught high', ...p.loadFractions.map((x) => `${Math.round(x * 100)} % load`)];
}

/** Per calendar year: deliveries, running totals and the date each scenario crossed the cap. Pure. */
export function trackCap(
  findings: Finding[],
  official: OfficialDelivery[] = [],
  p: CapParams = CAP_DEFAULTS,
  params: CargoParams = CARGO_DEFAULTS,
): CapYear[] {
  const all = [...aisDeliveries(findings, p, params), ...official.map(officialDelivery)].sort((a, b) =>
    cmp(a.date, b.date),
  );
  const names = scenarioNames(p);
  const years = new Map<number, Delivery[]>();
  for (const d of all) {
    const y = Number(d.date.slice(0, 4));
    let l = years.get(y);
    if (!l) years.set(y, (l = []));
    l.push(d);
  }
  const out: CapYear[] = [];
  for (const [year, deliveries] of [...years].sort((a, b) => a[0] - b[0])) {
    const totals = names.map(() => 0);
    const crossed: Array<string | null> = names.map(() => null);
    const running: number[][] = [];
    for (const d of deliveries) {
      const add = [
        d.barrels.low,
        d.barrels.mid,
        d.barrels.high,
        ...p.loadFractions.map((_, k) =>
          d.source === 'official' ? d.barrels.mid : (d.loadBarrels?.[k] ?? d.barrels.mid),
        ),
      ];
      for (let k = 0; k < names.length; k++) {
        const before = totals[k]!;
        totals[k] = before + add[k]!;
        if (crossed[k] === null && before <= p.capBbl && totals[k]! > p.capBbl) crossed[k] = d.date;
      }
      running.push([...totals]);
    }
    out.push({
      year,
      capBbl: p.capBbl,
      deliveries,
      scenarios: names.map((name, k) => ({ name, totalBbl: totals[k]!, crossedOn: crossed[k]! })),
      running,
    });
  }
  return out;
}

/**
 * One `trade.petroleum_cap` finding per year in which any scenario's total passed the cap. Its id is stable per
 * year (kind + year), so a later run with more deliveries replaces it; `start` is the earliest crossing.
 */
export function capFindings(years: CapYear[], p: CapParams = CAP_DEFAULTS): Finding[] {
  const out: Finding[] = [];
  for (const y of years) {
    const over = y.scenarios.filter((s) => s.crossedOn !== null);
    if (over.length === 0) continue;
    const first = over.map((s) => s.crossedOn!).sort()[0]!;
    const vessels = [...new Set(y.deliveries.filter((d) => d.mmsi !== null).map((d) => d.mmsi!))].sort((a, b) => a - b);
    const subjects = vessels.length ? vessels.map((m) => `ais-${m}`) : ['country-prk'];
    const conservative = over.some((s) => s.name === 'draught low' || s.name.startsWith('33'));
    const central = over.some((s) => s.name === 'draught' || s.name.startsWith('50'));
    const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
    out.push({
      id: findingId('trade.petroleum_cap', [`dprk-petroleum-cap-${y.year}`], `${y.year}-01-01T00:00:00.000Z`),
      kind: 'trade.petroleum_cap',
      subjects,
      start: first.length === 10 ? `${first}T00:00:00.000Z` : first,
      end: `${y.year}-12-31T23:59:59.999Z`,
      score: conservative ? 0.95 : central ? 0.8 : 0.55,
      redFlags: ['SHIP_TO_SHIP_TRANSFER'],
      explanation:
        `Refined petroleum delivered to the DPRK in ${y.year} passes the ${fmt(p.capBbl)}-barrel cap of resolution 2397 ` +
        `under ${over.map((s) => `${s.name} (${fmt(s.totalBbl)} bbl, crossed ${s.crossedOn})`).join('; ')}; ` +
        `${y.deliveries.length} deliveries (${y.deliveries.filter((d) => d.source === 'sts').length} STS, ` +
        `${y.deliveries.filter((d) => d.source === 'port_call').length} DPRK port-call discharges, ` +
        `${y.deliveries.filter((d) => d.source === 'official').length} official reports).`,
      evidence: y.deliveries.flatMap((d) =>
        d.findings.length
          ? d.findings.map((id) => ({ source: 'findings', record: id, note: `${d.source} delivery ${d.date}` }))
          : [{ source: 'official', record: `${d.name}@${d.date}`, note: d.note }],
      ),
      params: { capBbl: p.capBbl, loadFractions: p.loadFractions.join('/'), confirmWindowDays: p.confirmWindowDays },
      vessels: vessels.map((mmsi) => ({ mmsi, name: y.deliveries.find((d) => d.mmsi === mmsi)?.name ?? null })),
      details: {
        year: y.year,
        scenarios: y.scenarios,
        deliveries: y.deliveries.length,
      },
    });
  }
  return out;
}
