import { NotFoundError, UserError } from '../../errors.js';
import type { Finding } from '../../findings/finding.js';
import { MARITIME_KINDS } from '../../findings/kinds.js';
import type { Store } from '../../store/store.js';
import { rankVessels, type VesselRiskProfile, vesselRisk } from './profile.js';

/** The maritime kinds (detectors and the AIS sanctions match) come from the one list in findings/kinds.ts. */
export { MARITIME_KINDS };

/** Resolve "MMSI or IMO" to the MMSIs it covers: 9 digits is an MMSI; 7 digits (or "IMO1234567") an IMO. */
export async function resolveVessel(store: Store, key: string): Promise<{ mmsis: number[]; imo: number | null }> {
  const k = key
    .trim()
    .toUpperCase()
    .replace(/^IMO\s*/, '');
  if (!/^\d{7,9}$/.test(k)) throw new UserError(`"${key}" is neither an MMSI (9 digits) nor an IMO number (7 digits)`);
  if (k.length === 9) return { mmsis: [Number(k)], imo: null };
  const imo = Number(k);
  const rows = await store.db.query<{ mmsi: number }>(
    'SELECT DISTINCT mmsi FROM vessel_static WHERE imo = $1 ORDER BY mmsi',
    [imo],
  );
  const mmsis = rows.map((r) => Number(r.mmsi));
  if (mmsis.length === 0) {
    // Fall back to findings that name the IMO (e.g. findings imported without static data).
    const all = await store.queryFindings({ kinds: [...MARITIME_KINDS] });
    for (const f of all)
      for (const v of f.vessels ?? []) if (v.imo === imo && !mmsis.includes(v.mmsi)) mmsis.push(v.mmsi);
  }
  if (mmsis.length === 0) throw new NotFoundError(`no vessel with IMO ${imo} in the store`);
  return { mmsis, imo };
}

/**
 * The risk profile of the vessel broadcasting these MMSIs: every stored finding naming `ais-<mmsi>` as a subject
 * (any kind: an `ais.*` detection or a list match naming the AIS vessel), combined by vesselRisk. Null when the
 * store holds neither findings nor AIS data for them.
 */
export async function vesselRiskOf(
  store: Store,
  mmsis: number[],
  imo: number | null,
): Promise<VesselRiskProfile | null> {
  const byId = new Map<string, Finding>();
  for (const m of mmsis) for (const f of await store.queryFindings({ subject: `ais-${m}` })) byId.set(f.id, f);
  const list = mmsis.map((m) => Math.trunc(m)).join(',');
  if (byId.size === 0) {
    const seen = list
      ? await store.db.query(
          `SELECT mmsi FROM vessel_static WHERE mmsi IN (${list}) UNION ALL SELECT mmsi FROM vessel_identity WHERE mmsi IN (${list}) LIMIT 1`,
        )
      : [];
    if (seen.length === 0) return null;
  }
  const rows = list
    ? await store.db.query<{ name: string | null; imo: number | null }>(
        `SELECT name, imo FROM vessel_static WHERE mmsi IN (${list}) ORDER BY ts DESC LIMIT 1`,
      )
    : [];
  return vesselRisk([...byId.values()], {
    mmsis,
    imo: imo ?? (rows[0]?.imo ? Number(rows[0].imo) : null),
    name: rows[0]?.name ?? null,
  });
}

/** `vessel risk <MMSI|IMO>` and `GET /vessels/:mmsi/risk`. */
export async function vesselRiskFromStore(store: Store, key: string): Promise<VesselRiskProfile> {
  const { mmsis, imo } = await resolveVessel(store, key);
  const profile = await vesselRiskOf(store, mmsis, imo);
  if (!profile) throw new NotFoundError(`no vessel with MMSI ${mmsis.join('/')} in the store`);
  return profile;
}

export async function topRiskFromStore(store: Store, top: number): Promise<VesselRiskProfile[]> {
  if (!Number.isInteger(top) || top < 1 || top > 10_000)
    throw new UserError(`--top must be an integer 1..10000, got ${top}`);
  // Every finding: rankVessels keeps those naming an AIS vessel, as a vessel's own profile does.
  const findings = await store.queryFindings({});
  return rankVessels(findings, top);
}
