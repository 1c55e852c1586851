import { type Finding, findingId } from '../../findings/finding.js';
import { DPRK_MID, mmsiMid } from '../ais/mid.js';
import type { StaticReport } from '../tracks/types.js';
import { type CargoEstimate, describeEstimate, estimateCargo } from './estimate.js';
import type { VesselHull } from './hulls.js';
import { CARGO_DEFAULTS, type CargoParams, flatParams, hullClassOf } from './params.js';

/**
 * Cargo estimates for the events that have a draught before and after: port calls (`ais.port_visit`), STS
 * encounters (`ais.encounter`, each vessel) and dark periods (`ais.gap`). Draught before is the last report at or
 * before the event's start (within beforeWindowS); draught after the last report within afterWindowS after its end
 * (crews update the draught once cargo work is done, often some time after sailing). Each estimate is a finding of
 * kind `cargo.estimate` naming the source finding; the estimate's method, inputs and range are in its details,
 * the constants in its params.
 */

export const CARGO_SOURCE_KINDS = ['ais.port_visit', 'ais.encounter', 'ais.gap'] as const;

export interface CargoContext {
  statics: Map<number, StaticReport[]>;
  hulls: Map<number, VesselHull>;
  /** MMSIs tied to the DPRK beyond MID 445 (sanctions matches, DPRK port calls), with the reason. */
  dprkLinked?: Map<number, string>;
}

export interface CargoEstimateDetails {
  sourceFinding: string;
  sourceKind: string;
  mmsi: number;
  name: string | null;
  shipType: number | null;
  dprkLinked: string | null;
  port: { name: string; iso3: string; dprk: boolean } | null;
  counterpart: { mmsi: number; shipType: number | null; dprkLinked: string | null } | null;
  draughtBefore: { m: number; time: string };
  draughtAfter: { m: number; time: string };
  estimate: CargoEstimate;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** DPRK ties known from the findings themselves: MID 445, sanctions matches, calls at DPRK ports. */
export function dprkLinks(findings: Finding[], extra?: Map<number, string>): Map<number, string> {
  const out = new Map<number, string>(extra ?? []);
  for (const f of findings) {
    for (const v of f.vessels ?? []) {
      if (!out.has(v.mmsi) && mmsiMid(v.mmsi).mid === DPRK_MID) out.set(v.mmsi, 'DPRK-flagged MMSI (MID 445)');
    }
    if (f.kind === 'ais.sanctions_match' && f.vessels?.[0] && !out.has(f.vessels[0].mmsi))
      out.set(f.vessels[0].mmsi, `matches listed vessel ${String(f.details?.caption ?? f.subjects[1])}`);
    if (f.kind === 'ais.port_visit' && f.details?.dprkPort === true && f.vessels?.[0] && !out.has(f.vessels[0].mmsi))
      out.set(f.vessels[0].mmsi, `called at ${(f.details.port as { name: string }).name} (DPRK)`);
  }
  return out;
}

export function draughtAround(
  statics: StaticReport[] | undefined,
  startMs: number,
  endMs: number,
  params: CargoParams,
): { before: StaticReport; after: StaticReport } | undefined {
  if (!statics) return undefined;
  let before: StaticReport | undefined;
  let after: StaticReport | undefined;
  const afterLimit = endMs + params.afterWindowS * 1000;
  for (const s of statics) {
    if (s.draughtM === null || !(s.draughtM > 0)) continue;
    if (s.tsMs <= startMs) {
      if (startMs - s.tsMs <= params.beforeWindowS * 1000) before = s;
    } else if (s.tsMs > afterLimit) break;
    else after = s;
  }
  if (!before || !after) return undefined;
  return { before, after };
}

/**
 * A draught as the crew entered it: AIS carries it in 0.1 m steps, and the store keeps it as a 4-byte REAL, which
 * reads back as 3.799999952316284 for 3.8. Rounded to the centimetre, so estimates and their explanations quote
 * the value that was sent.
 */
export const draughtValue = (m: number): number => Math.round(m * 100) / 100;

function maxDraught(statics: StaticReport[] | undefined): number | null {
  let m = 0;
  for (const s of statics ?? []) if (s.draughtM !== null && s.draughtM > m) m = s.draughtM;
  return m > 0 ? draughtValue(m) : null;
}

function shipTypeOf(statics: StaticReport[] | undefined, hull: VesselHull | undefined): number | null {
  if (hull?.shipType !== null && hull?.shipType !== undefined) return hull.shipType;
  let t: number | null = null;
  for (const s of statics ?? []) if (s.shipType !== null) t = s.shipType;
  return t;
}

/** The cargo estimate of one vessel in one source finding, or undefined when draught or dimensions are missing. */
export function estimateFor(
  source: Finding,
  mmsi: number,
  ctx: CargoContext,
  params: CargoParams = CARGO_DEFAULTS,
  links: Map<number, string> = dprkLinks([source], ctx.dprkLinked),
): Finding | undefined {
  const statics = ctx.statics.get(mmsi);
  const hull = ctx.hulls.get(mmsi);
  if (!hull) return undefined;
  const startMs = Date.parse(source.start);
  const endMs = source.end ? Date.parse(source.end) : startMs;
  const d = draughtAround(statics, startMs, endMs, params);
  if (!d) return undefined;
  const before = draughtValue(d.before.draughtM!);
  const after = draughtValue(d.after.draughtM!);
  const change = after - before;
  if (Math.abs(change) < params.minDraughtChangeM - 1e-9) return undefined;
  const shipType = shipTypeOf(statics, hull);
  const estimate = estimateCargo(
    {
      lengthM: hull.lengthM,
      beamM: hull.beamM,
      shipType,
      draughtBeforeM: before,
      draughtAfterM: after,
      deadweightT: hull.deadweightT ?? null,
      summerDraughtM: hull.summerDraughtM ?? null,
      maxDraughtM: maxDraught(statics),
    },
    params,
  );
  const vessel = source.vessels?.find((v) => v.mmsi === mmsi) ?? { mmsi, imo: null, name: null };
  const otherMmsi = source.kind === 'ais.encounter' ? source.vessels?.find((v) => v.mmsi !== mmsi)?.mmsi : undefined;
  const rawPort = source.kind === 'ais.port_visit' ? (source.details?.port as { name: string; iso3: string }) : null;
  const port = rawPort ? { name: rawPort.name, iso3: rawPort.iso3, dprk: source.details?.dprkPort === true } : null;
  const where =
    source.kind === 'ais.port_visit'
      ? `during its call at ${port!.name} (${port!.iso3})`
      : source.kind === 'ais.encounter'
        ? `during its encounter with MMSI ${otherMmsi}`
        : 'while dark (AIS gap)';
  const details: CargoEstimateDetails = {
    sourceFinding: source.id,
    sourceKind: source.kind,
    mmsi,
    name: vessel.name ?? null,
    shipType,
    dprkLinked: links.get(mmsi) ?? null,
    port,
    counterpart:
      otherMmsi === undefined
        ? null
        : {
            mmsi: otherMmsi,
            shipType: shipTypeOf(ctx.statics.get(otherMmsi), ctx.hulls.get(otherMmsi)),
            dprkLinked: links.get(otherMmsi) ?? null,
          },
    draughtBefore: { m: before, time: iso(d.before.tsMs) },
    draughtAfter: { m: after, time: iso(d.after.tsMs) },
    estimate,
  };
  const subject = `ais-${mmsi}`;
  const dprk = links.has(mmsi) || (otherMmsi !== undefined && links.has(otherMmsi)) || port?.dprk === true;
  return {
    id: findingId('cargo.estimate', [subject, source.id], source.start),
    kind: 'cargo.estimate',
    subjects: [subject],
    start: source.start,
    ...(source.end ? { end: source.end } : {}),
    ...(source.geometry ? { geometry: source.geometry } : {}),
    score: dprk ? 0.6 : 0.15,
    // A measurement, not a red flag of its own: the source finding carries the flags (no double counting in risk).
    redFlags: [],
    explanation:
      `MMSI ${mmsi}${vessel.name ? ` (${vessel.name})` : ''} ${where}: ${describeEstimate(estimate)}; ` +
      `capacity ${estimate.capacityT === null ? 'unknown' : `${estimate.capacityT.toLocaleString('en-US')} t`} (${estimate.capacityBasis}).`,
    evidence: [
      { source: 'findings', record: source.id, note: `source ${source.kind} finding` },
      {
        source: d.before.source,
        record: `static:mmsi:${mmsi}@${d.before.tsMs}`,
        note: `draught before: ${before} m`,
      },
      {
        source: d.after.source,
        record: `static:mmsi:${mmsi}@${d.after.tsMs}`,
        note: `draught after: ${after} m`,
      },
    ],
    params: flatParams(params, estimate.product ?? undefined),
    vessels: [vessel],
    details: details as unknown as Record<string, unknown>,
  };
}

/** Estimates for every port call, encounter (each vessel) and gap among `findings`. Pure. */
export function cargoEstimates(
  findings: Finding[],
  ctx: CargoContext,
  params: CargoParams = CARGO_DEFAULTS,
): Finding[] {
  const links = dprkLinks(findings, ctx.dprkLinked);
  const out: Finding[] = [];
  for (const f of findings) {
    if (!(CARGO_SOURCE_KINDS as readonly string[]).includes(f.kind)) continue;
    for (const v of f.vessels ?? []) {
      const e = estimateFor(f, v.mmsi, ctx, params, links);
      if (e) out.push(e);
    }
  }
  return out;
}

export const isTanker = (shipType: number | null | undefined): boolean => hullClassOf(shipType) === 'tanker';
