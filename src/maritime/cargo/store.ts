import { NotFoundError, UserError } from '../../errors.js';
import type { Finding } from '../../findings/finding.js';
import type { Store } from '../../store/store.js';
import { loadStatics } from '../tracks/load.js';
import type { StaticReport } from '../tracks/types.js';
import { analyseCargo } from './analyse.js';
import { CAP_DEFAULTS, type CapYear, trackCap } from './cap.js';
import { CARGO_SOURCE_KINDS, dprkLinks, estimateFor } from './events.js';
import { loadHulls, staticsByMmsi } from './hulls.js';
import type { OfficialDelivery } from './official.js';
import { CARGO_DEFAULTS, type CargoParams } from './params.js';

/** The cargo module against the store: the detect hook, `cargo estimate FINDING` and the cap tracker by year. */

const CAP_INPUT_KINDS = ['cargo.estimate', 'ais.port_visit'];

function yearsOf(findings: Finding[]): number[] {
  return [...new Set(findings.map((f) => Number(f.start.slice(0, 4))))].sort();
}

async function storedForYears(store: Store, years: number[]): Promise<Finding[]> {
  if (years.length === 0) return [];
  return store.queryFindings({
    kinds: CAP_INPUT_KINDS,
    since: `${years[0]}-01-01T00:00:00.000Z`,
    until: `${years[years.length - 1]! + 1}-01-01T00:00:00.000Z`,
  });
}

/** Called by `detectStore` with the run's findings and static reports: the cargo findings to store with them. */
export async function cargoForRun(
  store: Store,
  findings: Finding[],
  statics: Map<number, StaticReport[]>,
): Promise<Finding[]> {
  const mmsis = new Set<number>();
  for (const f of findings)
    if ((CARGO_SOURCE_KINDS as readonly string[]).includes(f.kind)) for (const v of f.vessels ?? []) mmsis.add(v.mmsi);
  if (mmsis.size === 0) return [];
  const hulls = await loadHulls(store.db, [...mmsis]);
  const earlier = await storedForYears(store, yearsOf(findings));
  return analyseCargo(findings, { statics, hulls }, { earlier });
}

/** The cargo estimate(s) for one finding: a `cargo.estimate` is returned as stored; a port call, encounter or gap
 * is estimated now from the stored static reports (each vessel that reported draught before and after), with
 * `params` (verify passes an estimate's recorded ones). */
export async function estimateFinding(
  store: Store,
  id: string,
  params: CargoParams = CARGO_DEFAULTS,
): Promise<Finding[]> {
  const f = await store.getFinding(id);
  if (!f) throw new NotFoundError(`finding ${id} not found`);
  if (f.kind === 'cargo.estimate') return [f];
  if (!(CARGO_SOURCE_KINDS as readonly string[]).includes(f.kind))
    throw new UserError(`finding ${id} is ${f.kind}: cargo is estimated for ${CARGO_SOURCE_KINDS.join(', ')} findings`);
  const mmsis = (f.vessels ?? []).map((v) => v.mmsi);
  const statics = staticsByMmsi(await loadStatics(store.db, { mmsis }));
  const hulls = await loadHulls(store.db, mmsis);
  const links = dprkLinks(await store.queryFindings({ kinds: ['ais.sanctions_match', 'ais.port_visit'] }));
  for (const [m, why] of dprkLinks([f])) links.set(m, why);
  const out: Finding[] = [];
  for (const m of mmsis) {
    const e = estimateFor(f, m, { statics, hulls }, params, links);
    if (e) out.push(e);
  }
  return out;
}

/** The cap tracker over the stored findings (and official deliveries, when given), optionally one year. */
export async function capByYear(
  store: Store,
  opts: { year?: number; official?: OfficialDelivery[] } = {},
): Promise<CapYear[]> {
  const filter = opts.year
    ? {
        kinds: CAP_INPUT_KINDS,
        since: `${opts.year}-01-01T00:00:00.000Z`,
        until: `${opts.year + 1}-01-01T00:00:00.000Z`,
      }
    : { kinds: CAP_INPUT_KINDS };
  const findings = await store.queryFindings(filter);
  const official = (opts.official ?? []).filter((o) => !opts.year || o.year === opts.year);
  return trackCap(findings, official, CAP_DEFAULTS);
}
