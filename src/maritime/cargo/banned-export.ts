import { type Finding, findingId } from '../../findings/finding.js';
import { haversineM, NM_M } from '../geo/distance.js';
import type { CargoEstimateDetails } from './events.js';
import { DPRK_COAL_PORTS, hullClassOf, type NamedPort, portNamed } from './params.js';

/**
 * Banned exports (resolution 2371 (2017) para 8 and 2397 para 6: coal, iron, seafood, textiles, ...): a cargo ship
 * whose draught rises at a DPRK port, or across a dark period in which it could have reached a DPRK coal port, is
 * reported as `trade.banned_export` with the tonnes loaded and where it went next (its next non-DPRK port call,
 * with the tonnes discharged there when its draught fell). The commodity is "likely coal" only when both hold:
 * the loading port is one of the coal-export ports the Panel names (params.ts DPRK_COAL_PORTS) and the vessel is a
 * cargo ship with no hazardous category (AIS type 70 or 79, what bulk carriers report); otherwise "unknown".
 */

export interface BannedExportParams {
  /** A dark period counts as a possible call at a coal port when the port lies within this of its ends (nm). */
  gapMaxPortDistanceNm: number;
  /** ... and the detour via the port fits the gap at this speed with the dwell below. */
  gapMaxSpeedKn: number;
  gapMinDwellH: number;
  /** How long after loading the next port call may start to be its destination (days). */
  destinationWindowDays: number;
  /** Smallest loading reported (t). */
  minTonnes: number;
}

export const BANNED_EXPORT_DEFAULTS: Readonly<BannedExportParams> = Object.freeze({
  gapMaxPortDistanceNm: 200,
  gapMaxSpeedKn: 15,
  gapMinDwellH: 4,
  destinationWindowDays: 20,
  minTonnes: 500,
});

const COAL_SHIP_TYPES = new Set([70, 79]);

interface Pos {
  lat: number;
  lon: number;
}

/** The coal ports a dark period could have included a call at, shortest detour first. */
export function reachableCoalPorts(gap: Finding, p: BannedExportParams = BANNED_EXPORT_DEFAULTS): NamedPort[] {
  const a = gap.details?.before as Pos | undefined;
  const b = gap.details?.after as Pos | undefined;
  if (!a || !b || !gap.end) return [];
  const hours = (Date.parse(gap.end) - Date.parse(gap.start)) / 3_600_000;
  const found: Array<{ port: NamedPort; detourM: number }> = [];
  for (const port of DPRK_COAL_PORTS) {
    const da = haversineM(a.lat, a.lon, port.lat, port.lon);
    const db = haversineM(port.lat, port.lon, b.lat, b.lon);
    if (Math.min(da, db) > p.gapMaxPortDistanceNm * NM_M) continue;
    if ((da + db) / NM_M / p.gapMaxSpeedKn + p.gapMinDwellH > hours) continue;
    found.push({ port, detourM: da + db });
  }
  return found.sort((x, y) => x.detourM - y.detourM).map((x) => x.port);
}

export function bannedExports(findings: Finding[], p: BannedExportParams = BANNED_EXPORT_DEFAULTS): Finding[] {
  const byId = new Map<string, Finding>();
  const visits = new Map<number, Finding[]>();
  const estimateBySource = new Map<string, Finding>();
  for (const f of findings) {
    byId.set(f.id, f);
    if (f.kind === 'ais.port_visit' && f.vessels?.[0]) {
      const m = f.vessels[0].mmsi;
      let l = visits.get(m);
      if (!l) visits.set(m, (l = []));
      l.push(f);
    }
    if (f.kind === 'cargo.estimate')
      estimateBySource.set((f.details as unknown as CargoEstimateDetails).sourceFinding, f);
  }
  for (const l of visits.values()) l.sort((a, b) => a.start.localeCompare(b.start));
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.kind !== 'cargo.estimate') continue;
    const d = f.details as unknown as CargoEstimateDetails;
    if (d.estimate.operation !== 'loaded' || d.estimate.tonnes.mid < p.minTonnes) continue;
    if (hullClassOf(d.shipType) !== 'cargo') continue;
    let where: string;
    let coalPort: NamedPort | undefined;
    let candidates: NamedPort[] = [];
    if (d.sourceKind === 'ais.port_visit' && d.port?.dprk) {
      coalPort = portNamed(DPRK_COAL_PORTS, d.port.name);
      where = `at ${d.port.name} (DPRK)`;
    } else if (d.sourceKind === 'ais.gap') {
      const gap = byId.get(d.sourceFinding);
      candidates = gap ? reachableCoalPorts(gap, p) : [];
      coalPort = candidates[0];
      if (!coalPort) continue;
      where = `while dark for ${((Date.parse(f.end!) - Date.parse(f.start)) / 3_600_000).toFixed(1)} h, long enough to call at ${candidates.map((c) => c.name).join(', ')} (DPRK coal ports, shortest detour first)`;
    } else continue;
    const loadedMs = Date.parse(f.end ?? f.start);
    const next = (visits.get(d.mmsi) ?? []).find(
      (v) =>
        v.details?.dprkPort !== true &&
        Date.parse(v.start) >= loadedMs - 3_600_000 &&
        Date.parse(v.start) - loadedMs <= p.destinationWindowDays * 86_400_000,
    );
    const nextPort = next ? (next.details!.port as { name: string; iso3: string }) : null;
    const dis = next ? estimateBySource.get(next.id) : undefined;
    const disD = dis ? (dis.details as unknown as CargoEstimateDetails) : undefined;
    const discharged = disD && disD.estimate.operation === 'discharged' ? disD.estimate.tonnes : null;
    const likelyCoal = coalPort !== undefined && d.shipType !== null && COAL_SHIP_TYPES.has(d.shipType);
    const support = likelyCoal
      ? `${candidates.length > 1 ? 'each of these' : coalPort!.name} is a coal-export port the Panel names and AIS type ${d.shipType} is the cargo-ship code bulk carriers use`
      : coalPort
        ? `${coalPort.name} exports coal but AIS type ${d.shipType ?? 'unknown'} is not a plain cargo ship`
        : `${d.port?.name ?? 'the port'} is not among the coal-export ports`;
    const commodity = likelyCoal ? 'likely coal' : 'unknown';
    const t = d.estimate.tonnes;
    const fmt = (v: number) => v.toLocaleString('en-US');
    const dest = nextPort
      ? `then called at ${nextPort.name} (${nextPort.iso3})${discharged ? ` where its draught fell by about ${fmt(discharged.mid)} t` : ''}`
      : 'its next port call is not in the data';
    out.push({
      id: findingId('trade.banned_export', [`ais-${d.mmsi}`, f.id], f.start),
      kind: 'trade.banned_export',
      subjects: [`ais-${d.mmsi}`],
      start: f.start,
      ...(f.end ? { end: f.end } : {}),
      ...(f.geometry ? { geometry: f.geometry } : {}),
      score: likelyCoal ? 0.9 : 0.7,
      redFlags: d.sourceKind === 'ais.gap' ? ['AIS_MANIPULATION', 'DPRK_PORT_CALL'] : ['DPRK_PORT_CALL'],
      explanation:
        `MMSI ${d.mmsi}${d.name ? ` (${d.name})` : ''} loaded about ${fmt(t.mid)} t (${fmt(t.low)}–${fmt(t.high)} t) ${where}, ` +
        `${dest}; commodity: ${commodity} (${support}).`,
      evidence: [
        { source: 'findings', record: f.id, note: 'cargo estimate (loading)' },
        { source: 'findings', record: d.sourceFinding, note: `source ${d.sourceKind}` },
        ...(next ? [{ source: 'findings', record: next.id, note: 'next port call (destination)' }] : []),
      ],
      params: { ...p, coalShipTypes: [...COAL_SHIP_TYPES].join('/') },
      vessels: f.vessels ?? [{ mmsi: d.mmsi, name: d.name }],
      details: {
        commodity,
        support,
        loadingPort: d.sourceKind === 'ais.gap' ? null : (d.port?.name ?? null),
        possibleLoadingPorts: candidates.map((c) => c.name),
        tonnes: t,
        destination: nextPort ? { ...nextPort, finding: next!.id, start: next!.start } : null,
        dischargedTonnes: discharged,
        estimateFinding: f.id,
      },
    });
  }
  return out;
}
