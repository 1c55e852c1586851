import type { Chain } from '../crypto/addresses.js';
import { CHAINS } from '../crypto/addresses.js';
import { exposureFromStore, screenFromStore, traceFromStore } from '../crypto/service.js';
import type { TraceMethod } from '../crypto/trace.js';
import type { EvidenceRef, Finding } from '../findings/finding.js';
import { BANNED_EXPORT_DEFAULTS, type BannedExportParams, bannedExports } from '../maritime/cargo/banned-export.js';
import { CAP_DEFAULTS, type CapParams, capFindings, trackCap } from '../maritime/cargo/cap.js';
import type { CargoEstimateDetails } from '../maritime/cargo/events.js';
import { CARGO_DEFAULTS, type CargoParams, type HullClass, type Product } from '../maritime/cargo/params.js';
import { estimateFinding } from '../maritime/cargo/store.js';
import { sanctionedVessels, sanctionFindings } from '../maritime/detect.js';
import { loadStatics } from '../maritime/tracks/load.js';
import { ownershipFindings } from '../ownership/findings.js';
import { loadNetwork } from '../ownership/load.js';
import type { Store } from '../store/store.js';
import { screenerFor, TRADE_SCREEN_DEFAULTS, type TradeScreener, type TradeScreenParams } from '../trade/screen.js';
import { shipmentFromRow } from '../trade/shipments.js';
import {
  compareFindings,
  hasEntity,
  hasStatementRecord,
  hasStatic,
  hasTransaction,
  missing,
  notReproducible,
  type ReproResult,
  result,
} from './repro-common.js';

/**
 * Re-running the findings that are not maritime detector events, each through the function that made it, with
 * the finding's recorded parameters, over what the store holds now:
 * - `ais.sanctions_match`: the vessel's static reports re-screened against the lists (detect.ts
 *   `sanctionedVessels`, `sanctionFindings`);
 * - `crypto.trace`, `crypto.exposure`, `crypto.sanctioned_counterparty`: the trace, exposure or counterparty screen
 *   over the stored transfers (crypto/service.ts), peel chains included in the trace;
 * - `cargo.estimate`: the estimate of the source event from the draught reports (cargo/store.ts `estimateFinding`),
 *   `trade.banned_export` from the estimate, its event and the vessel's port calls (cargo/banned-export.ts),
 *   `trade.petroleum_cap` from the year's stored estimates and port calls (cargo/cap.ts);
 * - `trade.prohibited_goods`, `trade.listed_party`, `trade.origin_mismatch`: the recorded shipment row re-screened
 *   (trade/screen.ts `TradeScreener.screen`);
 * - `vessel.ownership_exposure`, `network.front_company`, `vessel.acquisition`: the ownership network rebuilt
 *   from the stored lists and registry (ownership/findings.ts).
 * Before each re-run the evidence the finding cites is looked up: rows gone (or a shipment row whose hash changed)
 * make it not reproducible, naming them.
 */

export interface KindsCache {
  screeners?: Map<string, TradeScreener>;
}

type Reproducer = (store: Store, f: Finding, cache: KindsCache) => Promise<ReproResult>;

const STATIC = /^static:mmsi:\d+@-?\d+$/;

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

// ---- screening ----------------------------------------------------------------------------------------------------

const sanctionsMatch: Reproducer = async (store, f) => {
  const mmsi = f.vessels?.[0]?.mmsi ?? Number(/^ais-(\d+)$/.exec(f.subjects[0] ?? '')?.[1]);
  if (!Number.isFinite(mmsi)) return result(f, 'not-reproducible', 'the finding names no MMSI');
  const statics = f.evidence.filter((r) => STATIC.test(r.record));
  const listed = f.evidence.filter((r) => r.source === 'lists');
  const gone = [
    ...(await missing(statics, (r) => hasStatic(store, r))),
    ...(await missing(listed, (r) => hasEntity(store, r.record))),
  ];
  if (gone.length > 0)
    return notReproducible(
      f,
      gone,
      statics.length + listed.length,
      'evidence record(s) (static report, list entry) are',
    );
  const reports = await loadStatics(store.db, { mmsis: [mmsi] });
  if (reports.length === 0) return result(f, 'not-reproducible', `the store holds no static report of MMSI ${mmsi}`);
  const matches = await sanctionedVessels(store, reports);
  const m = matches.get(mmsi);
  // The start is the vessel's first fix in the detect run's window: kept as recorded; the match is recomputed.
  const again = sanctionFindings(matches, reports, new Map([[mmsi, Date.parse(f.start)]]));
  return compareFindings(
    f,
    again.find((g) => g.id === f.id),
    `re-screened MMSI ${mmsi}'s latest identity against the lists`,
    m ? `it now matches ${m.id} (${m.caption}) with score ${m.score.toFixed(2)}` : 'it matches no listed vessel now',
  );
};

// ---- crypto -------------------------------------------------------------------------------------------------------

function chainOf(f: Finding): Chain | undefined {
  const src = f.evidence.find((r) => r.source.startsWith('chain:'))?.source.slice('chain:'.length);
  if (src && (CHAINS as readonly string[]).includes(src)) return src as Chain;
  if (typeof f.params.chain === 'string' && (CHAINS as readonly string[]).includes(f.params.chain))
    return f.params.chain as Chain;
  return undefined;
}

/** The wallet subjects of a finding on `chain`, as addresses (longest chain name first: btc-testnet before btc). */
function walletsOf(f: Finding, chain: Chain): string[] {
  const prefix = `wallet-${chain}-`;
  return f.subjects.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
}

async function cryptoEvidence(store: Store, f: Finding): Promise<ReproResult | undefined> {
  const txs = f.evidence.filter((r) => r.source.startsWith('chain:'));
  const gone = await missing(txs, (r) => hasTransaction(store, r));
  return gone.length > 0 ? notReproducible(f, gone, txs.length, 'evidence transaction(s) are') : undefined;
}

async function orNotFound(f: Finding, run: () => Promise<ReproResult>): Promise<ReproResult> {
  try {
    return await run();
  } catch (err) {
    return result(f, 'not-reproducible', `the re-run fails: ${(err as Error).message}`);
  }
}

const cryptoTrace: Reproducer = async (store, f) => {
  const chain = chainOf(f);
  if (!chain) return result(f, 'not-reproducible', 'the finding names no chain');
  const early = await cryptoEvidence(store, f);
  if (early) return early;
  const seeds = walletsOf(f, chain);
  const p = f.params;
  return orNotFound(f, async () => {
    const r = await traceFromStore(store, {
      chain,
      from: seeds,
      method: p.method as TraceMethod,
      direction: p.direction === 'backward' ? 'backward' : 'forward',
      hops: num(p.maxHops, 6),
      ...(typeof p.minAmount === 'string' ? { minAmount: p.minAmount } : {}),
      ...(typeof p.asset === 'string' ? { asset: p.asset } : {}),
      finding: true,
    });
    return compareFindings(
      f,
      r.finding?.id === f.id ? r.finding : undefined,
      `re-traced ${p.direction} from ${seeds.length} seed(s) over the stored transfers (${p.method}, ${p.maxHops} hops)`,
      r.finding ? `the trace now starts ${r.finding.start}` : 'the trace now finds no transfer',
    );
  });
};

const cryptoExposure: Reproducer = async (store, f) => {
  const chain = chainOf(f);
  if (!chain) return result(f, 'not-reproducible', 'the finding names no chain');
  const early = await cryptoEvidence(store, f);
  if (early) return early;
  const targets = walletsOf(f, chain);
  if (targets.length === 0) return result(f, 'not-reproducible', 'the finding names no wallet');
  const p = f.params;
  return orNotFound(f, async () => {
    const e = await exposureFromStore(store, targets[0]!, {
      chain,
      ...(typeof p.asset === 'string' ? { asset: p.asset } : {}),
      method: p.method as TraceMethod,
      hops: num(p.maxHops, 6),
      cluster: targets.length > 1,
      finding: true,
    });
    return compareFindings(
      f,
      e.finding?.id === f.id ? e.finding : undefined,
      `re-computed the exposure of ${targets.length} address(es) over the stored transfers (${p.method}, ${p.maxHops} hops)`,
      `${(e.share * 100).toFixed(2)}% exposed now`,
    );
  });
};

const cryptoCounterparty: Reproducer = async (store, f) => {
  const chain = chainOf(f);
  if (!chain) return result(f, 'not-reproducible', 'the finding names no chain');
  const early = await cryptoEvidence(store, f);
  if (early) return early;
  const [address] = walletsOf(f, chain);
  if (!address) return result(f, 'not-reproducible', 'the finding names no wallet');
  return orNotFound(f, async () => {
    const r = await screenFromStore(store, [address], { chain, counterparties: true });
    return compareFindings(
      f,
      r.findings.find((g) => g.id === f.id),
      `re-screened ${address}'s stored transfers for listed counterparties`,
      `${r.findings.length} listed counterparty finding(s) now`,
    );
  });
};

// ---- cargo --------------------------------------------------------------------------------------------------------

/** The cargo constants back from a finding's flat params (cargo/params.ts `flatParams`); defaults for the rest. */
export function cargoParamsOf(flat: Finding['params']): CargoParams {
  const triple = (v: unknown, d: readonly [number, number, number]): readonly [number, number, number] => {
    const parts = typeof v === 'string' ? v.split('/').map(Number) : [];
    return parts.length === 3 && parts.every(Number.isFinite) ? (parts as [number, number, number]) : d;
  };
  const blockCoefficient = { ...CARGO_DEFAULTS.blockCoefficient };
  for (const k of Object.keys(blockCoefficient) as HullClass[])
    blockCoefficient[k] = triple(flat[`cb.${k}`], CARGO_DEFAULTS.blockCoefficient[k]);
  const product = typeof flat.product === 'string' ? (flat.product as Product) : CARGO_DEFAULTS.defaultProduct;
  return {
    seawaterDensityTPerM3: num(flat.seawaterDensityTPerM3, CARGO_DEFAULTS.seawaterDensityTPerM3),
    blockCoefficient,
    deadweightRatio: triple(flat.deadweightRatio, CARGO_DEFAULTS.deadweightRatio),
    draughtReadingErrorM: num(flat.draughtReadingErrorM, CARGO_DEFAULTS.draughtReadingErrorM),
    minDraughtChangeM: num(flat.minDraughtChangeM, CARGO_DEFAULTS.minDraughtChangeM),
    beforeWindowS: num(flat.beforeWindowS, CARGO_DEFAULTS.beforeWindowS),
    afterWindowS: num(flat.afterWindowS, CARGO_DEFAULTS.afterWindowS),
    barrelsPerTonne: {
      ...CARGO_DEFAULTS.barrelsPerTonne,
      ...(typeof flat.barrelsPerTonne === 'number' ? { [product]: flat.barrelsPerTonne } : {}),
    },
    defaultProduct: product,
  };
}

async function findingsEvidence(store: Store, f: Finding): Promise<{ refs: EvidenceRef[]; gone: string[] }> {
  const refs = f.evidence.filter((r) => r.source === 'findings');
  return { refs, gone: await missing(refs, async (r) => (await store.getFinding(r.record)) !== undefined) };
}

const cargoEstimate: Reproducer = async (store, f) => {
  const d = f.details as unknown as CargoEstimateDetails | undefined;
  const { refs, gone } = await findingsEvidence(store, f);
  const statics = f.evidence.filter((r) => STATIC.test(r.record));
  gone.push(...(await missing(statics, (r) => hasStatic(store, r))));
  if (gone.length > 0)
    return notReproducible(
      f,
      gone,
      refs.length + statics.length,
      'evidence record(s) (source event, draught report) are',
    );
  const source = d?.sourceFinding ?? refs[0]?.record;
  if (!source) return result(f, 'not-reproducible', 'the estimate names no source event');
  const again = await estimateFinding(store, source, cargoParamsOf(f.params));
  return compareFindings(
    f,
    again.find((g) => g.id === f.id),
    `re-estimated from the draught reports around ${source} with the recorded constants`,
    again.length ? `${again.length} estimate(s) of other vessels` : 'no draught change is found around the event now',
  );
};

const bannedExport: Reproducer = async (store, f) => {
  const { refs, gone } = await findingsEvidence(store, f);
  if (gone.length > 0) return notReproducible(f, gone, refs.length, 'evidence finding(s) are');
  const subject = f.subjects[0]!;
  const estimateId = String(f.details?.estimateFinding ?? refs[0]?.record);
  const estimate = await store.getFinding(estimateId);
  const sourceId = (estimate?.details as unknown as CargoEstimateDetails | undefined)?.sourceFinding;
  const source = sourceId ? await store.getFinding(sourceId) : undefined;
  if (!estimate || !source) return result(f, 'not-reproducible', `the estimate ${estimateId} or its event is gone`);
  const around = await store.queryFindings({ subject, kinds: ['ais.port_visit', 'cargo.estimate'] });
  const byId = new Map([...around, estimate, source].map((g) => [g.id, g]));
  const p: BannedExportParams = {
    gapMaxPortDistanceNm: num(f.params.gapMaxPortDistanceNm, BANNED_EXPORT_DEFAULTS.gapMaxPortDistanceNm),
    gapMaxSpeedKn: num(f.params.gapMaxSpeedKn, BANNED_EXPORT_DEFAULTS.gapMaxSpeedKn),
    gapMinDwellH: num(f.params.gapMinDwellH, BANNED_EXPORT_DEFAULTS.gapMinDwellH),
    destinationWindowDays: num(f.params.destinationWindowDays, BANNED_EXPORT_DEFAULTS.destinationWindowDays),
    minTonnes: num(f.params.minTonnes, BANNED_EXPORT_DEFAULTS.minTonnes),
  };
  return compareFindings(
    f,
    bannedExports([...byId.values()], p).find((g) => g.id === f.id),
    `re-checked the loading of ${estimateId} against the DPRK coal ports and ${subject}'s port calls`,
  );
};

const petroleumCap: Reproducer = async (store, f) => {
  const official = f.evidence.filter((r) => r.source === 'official');
  if (official.length > 0)
    return result(
      f,
      'not-reproducible',
      `it counts ${official.length} official delivery report(s), which the store does not keep`,
    );
  const { refs, gone } = await findingsEvidence(store, f);
  if (gone.length > 0) return notReproducible(f, gone, refs.length, 'evidence delivery finding(s) are');
  const year = Number(f.details?.year ?? f.start.slice(0, 4));
  const fractions = typeof f.params.loadFractions === 'string' ? f.params.loadFractions.split('/').map(Number) : [];
  const p: CapParams = {
    capBbl: num(f.params.capBbl, CAP_DEFAULTS.capBbl),
    loadFractions: fractions.length > 0 && fractions.every(Number.isFinite) ? fractions : CAP_DEFAULTS.loadFractions,
    confirmWindowDays: num(f.params.confirmWindowDays, CAP_DEFAULTS.confirmWindowDays),
  };
  const inputs = await store.queryFindings({
    kinds: ['cargo.estimate', 'ais.port_visit'],
    since: `${year}-01-01T00:00:00.000Z`,
    until: `${year + 1}-01-01T00:00:00.000Z`,
  });
  return compareFindings(
    f,
    capFindings(trackCap(inputs, [], p), p).find((g) => g.id === f.id),
    `re-totalled ${year}'s estimated deliveries from the stored estimates and port calls`,
    'the total no longer passes the cap',
  );
};

// ---- trade --------------------------------------------------------------------------------------------------------

const tradeShipment: Reproducer = async (store, f, cache) => {
  const row = f.evidence.find((r) => r.contentHash && /:\d+$/.test(r.record) && r.source !== 'findings');
  if (!row) return result(f, 'not-reproducible', 'the finding cites no shipment row');
  const at = row.record.lastIndexOf(':');
  const line = Number(row.record.slice(at + 1));
  const rows = await store.db.query('SELECT * FROM trade_shipments WHERE import_id = $1 AND line = $2', [
    row.source,
    line,
  ]);
  if (rows.length === 0) return notReproducible(f, [row.record], 1, 'shipment row(s) are');
  const stored = String(rows[0]!.row_sha256);
  if (stored !== row.contentHash) {
    return result(
      f,
      'not-reproducible',
      `the shipment row ${row.record} changed in the store: sha256 ${stored}, the finding cites ${row.contentHash}`,
    );
  }
  const listed = f.evidence.filter((r) => r.source !== row.source && r.source !== 'findings');
  const calls = f.evidence.filter((r) => r.source === 'findings');
  const gone = [
    ...(await missing(listed, (r) => hasEntity(store, r.record))),
    ...(await missing(calls, async (r) => (await store.getFinding(r.record)) !== undefined)),
  ];
  if (gone.length > 0)
    return notReproducible(f, gone, listed.length + calls.length, 'evidence record(s) (list entry, port call) are');
  const params: Partial<TradeScreenParams> = {
    ...(typeof f.params.threshold === 'number' ? { threshold: f.params.threshold } : {}),
    ...(typeof f.params.voyageLeadDays === 'number' ? { voyageLeadDays: f.params.voyageLeadDays } : {}),
    ...(typeof f.params.voyageDays === 'number' ? { voyageDays: f.params.voyageDays } : {}),
  };
  const key = JSON.stringify({ ...TRADE_SCREEN_DEFAULTS, ...params });
  cache.screeners ??= new Map();
  let screener = cache.screeners.get(key);
  if (!screener) cache.screeners.set(key, (screener = await screenerFor(store, params)));
  const again = screener.screen(shipmentFromRow(rows[0]!));
  return compareFindings(
    f,
    again.find((g) => g.id === f.id),
    `re-screened shipment row ${row.record} (sha256 unchanged)`,
    `${again.length} finding(s) from the row now: ${again.map((g) => g.kind).join(', ') || 'none'}`,
  );
};

// ---- ownership ----------------------------------------------------------------------------------------------------

const ownership: Reproducer = async (store, f) => {
  const refs = f.evidence.filter((r) => r.source !== 'ais');
  const events = f.evidence.filter((r) => r.source === 'ais');
  const gone = [
    ...(await missing(refs, (r) =>
      r.source === 'lists' || r.source === 'entities' ? hasEntity(store, r.record) : hasStatementRecord(store, r),
    )),
    ...(await missing(events, async (r) => (await store.getFinding(r.record)) !== undefined)),
  ];
  if (gone.length > 0)
    return notReproducible(f, gone, refs.length + events.length, 'evidence record(s) (statement, AIS event) are');
  // The date the network was read at: recorded by exposures, the start of a front-company finding; else today.
  const asOf =
    typeof f.params.asOf === 'string'
      ? f.params.asOf
      : f.kind === 'network.front_company'
        ? f.start.slice(0, 10)
        : new Date().toISOString().slice(0, 10);
  const net = await loadNetwork(store, { asOf });
  const again = await ownershipFindings(store, net, { kinds: [f.kind] });
  return compareFindings(
    f,
    again.find((g) => g.id === f.id),
    `rebuilt the ownership network from the stored lists and registry as of ${asOf}`,
  );
};

export const REPRODUCERS: Readonly<Record<string, Reproducer>> = {
  'ais.sanctions_match': sanctionsMatch,
  'crypto.trace': cryptoTrace,
  'crypto.exposure': cryptoExposure,
  'crypto.sanctioned_counterparty': cryptoCounterparty,
  'cargo.estimate': cargoEstimate,
  'trade.banned_export': bannedExport,
  'trade.petroleum_cap': petroleumCap,
  'trade.prohibited_goods': tradeShipment,
  'trade.listed_party': tradeShipment,
  'trade.origin_mismatch': tradeShipment,
  'vessel.ownership_exposure': ownership,
  'network.front_company': ownership,
  'vessel.acquisition': ownership,
};
