import { CARGO_DEFAULTS, type CargoParams, type HullClass, hullClassOf, type Product } from './params.js';

/**
 * Cargo loaded or discharged, from a change of draught. Two methods:
 *
 * - `dimensions`: tonnes = ρ · L · B · Cwp · ΔT, i.e. tonnes-per-centimetre immersion (TPC = ρ·L·B·Cwp/100) times
 *   the change in centimetres, with L and B from the AIS antenna offsets (to_bow + to_stern, to_port +
 *   to_starboard), Cwp = (1 + 2·Cb)/3 and Cb by ship type (params.ts). The range takes the low/high Cb of the type
 *   and the draught change ± two reading errors.
 * - `deadweight` (when the deadweight and summer draught are known): displacement at the summer draught is
 *   DWT / r (r the deadweight/displacement ratio), taken as proportional to draught, so tonnes = DWT / r · ΔT / Ts;
 *   the range takes r's high/low ends and the draught change ± two reading errors.
 *
 * Tankers also get barrels, from the product's barrels per tonne. Pure: no I/O, same input, same estimate.
 */

export interface CargoInput {
  lengthM: number;
  beamM: number;
  shipType: number | null;
  draughtBeforeM: number;
  draughtAfterM: number;
  /** Summer deadweight (t), e.g. from a registry or the vessel's list entry. */
  deadweightT?: number | null;
  /** Summer (load-line) draught (m); with deadweightT it selects the deadweight method. */
  summerDraughtM?: number | null;
  /** Deepest draught the vessel has reported: the capacity estimate's reference draught when DWT is unknown. */
  maxDraughtM?: number | null;
  /** Petroleum product, for barrels (tankers only); default params.defaultProduct. */
  product?: Product;
}

export interface Range {
  low: number;
  mid: number;
  high: number;
}

export interface CargoEstimate {
  operation: 'loaded' | 'discharged' | 'none';
  method: 'dimensions' | 'deadweight';
  hullClass: HullClass;
  draughtChangeM: number;
  tonnes: Range;
  /** Tonnes per centimetre immersion used (dimensions method), [low, mid, high]. */
  tpc: Range | null;
  /** Barrels (tankers only). */
  barrels: Range | null;
  product: Product | null;
  barrelsPerTonne: number | null;
  /** Deadweight capacity (t): the DWT when known, else estimated from the dimensions at the reference draught. */
  capacityT: number | null;
  capacityBasis: string;
  inputs: Record<string, number | string | null>;
}

const r0 = (v: number): number => Math.round(v);
const r2 = (v: number): number => Math.round(v * 100) / 100;

export function estimateCargo(input: CargoInput, params: CargoParams = CARGO_DEFAULTS): CargoEstimate {
  const { lengthM: L, beamM: B } = input;
  if (!(L > 0 && B > 0)) throw new Error(`estimateCargo: length and beam must be positive (got ${L} × ${B} m)`);
  const delta = input.draughtAfterM - input.draughtBeforeM;
  const abs = Math.abs(delta);
  const err = 2 * params.draughtReadingErrorM;
  const dLow = Math.max(0, abs - err);
  const dHigh = abs + err;
  const hullClass = hullClassOf(input.shipType);
  const rho = params.seawaterDensityTPerM3;
  const [rLow, rMid, rHigh] = params.deadweightRatio;
  const dwt = input.deadweightT && input.deadweightT > 0 ? input.deadweightT : null;
  const ts = input.summerDraughtM && input.summerDraughtM > 0 ? input.summerDraughtM : null;
  let method: CargoEstimate['method'];
  let tonnes: Range;
  let tpc: Range | null = null;
  if (dwt !== null && ts !== null) {
    method = 'deadweight';
    const perM = (r: number) => dwt / r / ts;
    tonnes = { low: perM(rHigh) * dLow, mid: perM(rMid) * abs, high: perM(rLow) * dHigh };
  } else {
    method = 'dimensions';
    const [cbLow, cbMid, cbHigh] = params.blockCoefficient[hullClass];
    const t = (cb: number) => (rho * L * B * ((1 + 2 * cb) / 3)) / 100;
    tpc = { low: r2(t(cbLow)), mid: r2(t(cbMid)), high: r2(t(cbHigh)) };
    tonnes = { low: t(cbLow) * dLow * 100, mid: t(cbMid) * abs * 100, high: t(cbHigh) * dHigh * 100 };
  }
  tonnes = { low: r0(tonnes.low), mid: r0(tonnes.mid), high: r0(tonnes.high) };
  let capacityT: number | null = null;
  let capacityBasis: string;
  if (dwt !== null) {
    capacityT = r0(dwt);
    capacityBasis = 'deadweight as given';
  } else {
    const tref = ts ?? (input.maxDraughtM && input.maxDraughtM > 0 ? input.maxDraughtM : null);
    const cb = params.blockCoefficient[hullClass][1];
    if (tref !== null) capacityT = r0(rho * L * B * tref * cb * rMid);
    capacityBasis =
      tref === null
        ? 'unknown (no deadweight and no reference draught)'
        : `ρ·L·B·T·Cb·r at ${ts ? 'the summer' : 'the deepest reported'} draught ${tref} m (Cb ${cb}, r ${rMid})`;
  }
  let product: Product | null = null;
  let bpt: number | null = null;
  let barrels: Range | null = null;
  if (hullClass === 'tanker') {
    product = input.product ?? params.defaultProduct;
    bpt = params.barrelsPerTonne[product];
    barrels = { low: r0(tonnes.low * bpt), mid: r0(tonnes.mid * bpt), high: r0(tonnes.high * bpt) };
  }
  return {
    operation: abs === 0 ? 'none' : delta > 0 ? 'loaded' : 'discharged',
    method,
    hullClass,
    draughtChangeM: r2(delta),
    tonnes,
    tpc,
    barrels,
    product,
    barrelsPerTonne: bpt,
    capacityT,
    capacityBasis,
    inputs: {
      lengthM: L,
      beamM: B,
      shipType: input.shipType,
      draughtBeforeM: input.draughtBeforeM,
      draughtAfterM: input.draughtAfterM,
      deadweightT: dwt,
      summerDraughtM: ts,
      maxDraughtM: input.maxDraughtM ?? null,
    },
  };
}

const fmt = (v: number): string => v.toLocaleString('en-US');

/** One sentence: what moved, how much, by which method and from which inputs. */
export function describeEstimate(e: CargoEstimate): string {
  const dir = e.operation === 'loaded' ? 'loaded' : e.operation === 'discharged' ? 'discharged' : 'moved';
  const how =
    e.method === 'dimensions'
      ? `draught ${e.inputs.draughtBeforeM} → ${e.inputs.draughtAfterM} m × TPC ${e.tpc!.mid} t/cm (L ${e.inputs.lengthM} m × B ${e.inputs.beamM} m, ${e.hullClass} block coefficient)`
      : `draught ${e.inputs.draughtBeforeM} → ${e.inputs.draughtAfterM} m on a ${fmt(e.inputs.deadweightT as number)} t deadweight at ${e.inputs.summerDraughtM} m summer draught`;
  const bbl = e.barrels
    ? ` ≈ ${fmt(e.barrels.mid)} barrels of ${e.product} at ${e.barrelsPerTonne} bbl/t (${fmt(e.barrels.low)}–${fmt(e.barrels.high)})`
    : '';
  return `about ${fmt(e.tonnes.mid)} t ${dir} (range ${fmt(e.tonnes.low)}–${fmt(e.tonnes.high)} t)${bbl}, from ${how}`;
}
