import { NotFoundError, UserError } from '../../errors.js';
import type { Finding } from '../../findings/finding.js';
import type { Store } from '../../store/store.js';
import { DETECTOR_KINDS } from '../events/index.js';
import { rankVessels, type VesselRiskProfile, vesselRisk } from './profile.js';

export const MARITIME_KINDS = [...DETECTOR_KINDS, 'ais.sanctions_match'];

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
    const all = await store.queryFindings({ kinds: MARITIME_KINDS });
    for (const f of all)
      for (const v of f.vessels ?? []) if (v.imo === imo && !mmsis.includes(v.mmsi)) mmsis.push(v.mmsi);
  }
  if (mmsis.length === 0) throw new NotFoundError(`no vessel with IMO ${imo} in the store`);
  return { mmsis, imo };
}

export async function vesselRiskFromStore(store: Store, key: string): Promise<VesselRiskProfile> {
  const { mmsis, imo } = await resolveVessel(store, key);
  const byId = new Map<string, Finding>();
  for (const m of mmsis)
    for (const f of await store.queryFindings({ subject: `ais-${m}` }))
      if (f.kind.startsWith('ais.')) byId.set(f.id, f);
  if (byId.size === 0) {
    const list = mmsis.join(',');
    const seen = await store.db.query(
      `SELECT mmsi FROM vessel_static WHERE mmsi IN (${list}) UNION ALL SELECT mmsi FROM vessel_identity WHERE mmsi IN (${list}) LIMIT 1`,
    );
    if (seen.length === 0) throw new NotFoundError(`no vessel with MMSI ${mmsis.join('/')} in the store`);
  }
  const rows = await store.db.query<{ name: string | null; imo: number | null }>(
    `SELECT name, imo FROM vessel_static WHERE mmsi IN (${mmsis.join(',')}) ORDER BY ts DESC LIMIT 1`,
  );
  return vesselRisk([...byId.values()], {
    mmsis,
    imo: imo ?? (rows[0]?.imo ? Number(rows[0].imo) : null),
    name: rows[0]?.name ?? null,
  });
}

export async function topRiskFromStore(store: Store, top: number): Promise<VesselRiskProfile[]> {
  if (!Number.isInteger(top) || top < 1 || top > 10_000)
    throw new UserError(`--top must be an integer 1..10000, got ${top}`);
  const findings = await store.queryFindings({ kinds: MARITIME_KINDS });
  return rankVessels(findings, top);
}
