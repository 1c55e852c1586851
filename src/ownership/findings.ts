import { createHash } from 'node:crypto';
import { type Finding, isSuperseded } from '../findings/finding.js';
import type { VesselRecord } from '../registry/registry.js';
import { inputsFingerprint } from '../resolve/run.js';
import type { Store } from '../store/store.js';
import {
  ACQUISITION_KIND,
  type AcquisitionInput,
  type AisIdentitySpan,
  type AisTimelineEvent,
  detectAcquisition,
} from './acquisition.js';
import { ownershipChanges } from './acquisition-input.js';
import { EXPOSURE_KIND, vesselExposure } from './exposure.js';
import { FRONT_KIND, type FrontScore, frontCompanyFindings, frontCompanyScores } from './front-company.js';
import { aisIdentitiesWithImo, loadNetwork } from './load.js';
import type { OwnershipNetwork } from './network.js';
import { isOwnershipRole } from './roles.js';

/**
 * The ownership findings over a store: `vessel.ownership_exposure`, `network.front_company` and
 * `vessel.acquisition`, the last fed from the AIS side of the registry (the identities that broadcast the hull's
 * IMO) and the stored `ais.gap` and `ais.port_visit` findings of those MMSIs. Used by `watchkeeper detect` and
 * `watchkeeper ownership findings`.
 */
export const OWNERSHIP_KINDS = [EXPOSURE_KIND, FRONT_KIND, ACQUISITION_KIND] as const;

export interface OwnershipFindingsOptions {
  /** Kinds to produce (default all three). */
  kinds?: readonly string[];
  /**
   * Only hulls seen in AIS (a registry record with an `ais-<mmsi>` identity) and the companies owning them: what
   * `detect` reports, so a run over AIS data is not flooded with every listed hull of the lists.
   */
  aisOnly?: boolean;
}

/** The MMSIs that broadcast a hull's IMO, with name, flag and first/last seen (from `vessel_identity`). */
export function aisSpans(r: VesselRecord): AisIdentitySpan[] {
  const by = new Map<string, AisIdentitySpan>();
  for (const f of r.facts) {
    if (f.source !== 'ais' || !f.firstSeen) continue;
    let s = by.get(f.sourceRecord);
    if (!s) {
      const mmsi = Number(/^mmsi:(\d+)@/.exec(f.sourceRecord)?.[1]);
      if (!Number.isFinite(mmsi)) continue;
      s = {
        mmsi,
        name: null,
        flag: null,
        firstSeenMs: Date.parse(f.firstSeen),
        lastSeenMs: Date.parse(f.lastSeen ?? f.firstSeen),
      };
      by.set(f.sourceRecord, s);
    }
    if (f.prop === 'name') s.name = f.value;
    if (f.prop === 'flag') s.flag = f.value.toLowerCase();
  }
  return [...by.values()].sort((a, b) => a.firstSeenMs - b.firstSeenMs);
}

/** The `vessels` of a finding about a hull: each MMSI that broadcast its IMO, with its latest name. */
function vesselsOf(imo: number, spans: AisIdentitySpan[]): Finding['vessels'] {
  const by = new Map<number, AisIdentitySpan>();
  for (const s of spans) {
    const cur = by.get(s.mmsi);
    if (!cur || s.lastSeenMs > cur.lastSeenMs) by.set(s.mmsi, s);
  }
  return [...by.values()].map((s) => ({ mmsi: s.mmsi, imo, name: s.name }));
}

/** Stored gaps and port calls of the MMSIs, as the acquisition detector's AIS timeline. */
async function aisEvents(store: Store, mmsis: number[]): Promise<AisTimelineEvent[]> {
  const out: AisTimelineEvent[] = [];
  for (const mmsi of mmsis)
    for (const f of await store.queryFindings({ subject: `ais-${mmsi}`, kinds: ['ais.gap', 'ais.port_visit'] })) {
      const startMs = Date.parse(f.start);
      const endMs = f.end ? Date.parse(f.end) : undefined;
      if (f.kind === 'ais.gap') out.push({ kind: 'gap', startMs, endMs, record: f.id });
      else {
        const d = f.details as { port?: { name?: string; iso3?: string }; dprkPort?: boolean } | undefined;
        out.push({
          kind: 'port_call',
          startMs,
          endMs,
          port: d?.port?.name,
          country: d?.dprkPort || d?.port?.iso3 === 'PRK' ? 'kp' : d?.port?.iso3?.toLowerCase(),
          record: f.id,
        });
      }
    }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/**
 * Front-company scores of the unlisted ship owners (or of those in `only`), best first: computed once per entity
 * side (kept on the network's base, and in the store with it) for the front-company and the acquisition findings.
 * A party's score does not depend on which others are scored, so a subset is the full list filtered.
 */
export function frontScoresOf(net: OwnershipNetwork, only?: ReadonlySet<string>): FrontScore[] {
  net.base.front ??= frontCompanyScores(net);
  return only ? net.base.front.filter((s) => only.has(s.node)) : net.base.front;
}

/** `vessel.acquisition` for every hull whose ownership passed to a DPRK-linked or front company. */
export async function acquisitionFindings(
  store: Store,
  net: OwnershipNetwork,
  opts: { aisOnly?: boolean; front?: FrontScore[] } = {},
): Promise<Finding[]> {
  const hulls = new Set<number>();
  for (const l of net.links)
    if (l.asset.startsWith('imo-') && l.startDate && isOwnershipRole(l.role)) hulls.add(Number(l.asset.slice(4)));
  if (hulls.size === 0) return [];
  const front = opts.front ?? frontScoresOf(net);
  const out: Finding[] = [];
  for (const imo of [...hulls].sort((a, b) => a - b)) {
    const r = net.registry.get(imo);
    if (!r) continue;
    const changes = ownershipChanges(net, imo, front);
    if (!changes.some((c) => c.dprkLinked || c.front)) continue;
    const identities = aisSpans(r);
    if (opts.aisOnly && identities.length === 0) continue;
    const input: AcquisitionInput = {
      imo,
      vesselIds: r.entityIds,
      changes,
      identities,
      events: await aisEvents(store, [...new Set(identities.map((s) => s.mmsi))]),
      registryFlags: [
        ...new Set(r.facts.filter((f) => f.prop === 'flag' && f.source !== 'ais').map((f) => f.value.toLowerCase())),
      ],
    };
    const f = detectAcquisition(input);
    if (!f) continue;
    if (identities.length > 0) f.vessels = vesselsOf(imo, identities);
    out.push(f);
  }
  return out;
}

/** The ownership findings of the store's network (see OWNERSHIP_KINDS), hulls with AIS carrying `vessels`. */
export async function ownershipFindings(
  store: Store,
  net: OwnershipNetwork,
  opts: OwnershipFindingsOptions = {},
): Promise<Finding[]> {
  const want = (k: string): boolean => !opts.kinds || opts.kinds.includes(k);
  const spansOf = new Map<number, AisIdentitySpan[]>();
  const spans = (imo: number): AisIdentitySpan[] => {
    let s = spansOf.get(imo);
    if (!s) {
      const r = net.registry.get(imo);
      s = r ? aisSpans(r) : [];
      spansOf.set(imo, s);
    }
    return s;
  };
  const out: Finding[] = [];
  if (want(EXPOSURE_KIND))
    for (const f of vesselExposure(net)) {
      const imo = (f.details as { imo: number }).imo;
      const s = spans(imo);
      if (opts.aisOnly && s.length === 0) continue;
      if (s.length > 0) f.vessels = vesselsOf(imo, s);
      out.push(f);
    }
  // A front company matters to an AIS run when it owns a hull seen in AIS: only those owners are scored (the
  // acquisitions of the hulls seen in AIS read the scores of their owners only).
  let seenOwners: Set<string> | undefined;
  if (opts.aisOnly) {
    seenOwners = new Set();
    for (const l of net.links)
      if (l.asset.startsWith('imo-') && isOwnershipRole(l.role) && spans(Number(l.asset.slice(4))).length > 0)
        seenOwners.add(l.party);
  }
  const front = want(FRONT_KIND) || want(ACQUISITION_KIND) ? frontScoresOf(net, seenOwners) : [];
  if (want(FRONT_KIND))
    for (const f of frontCompanyFindings(net, front)) {
      const node = (f.details as { node?: string } | undefined)?.node;
      if (seenOwners && !f.subjects.some((s) => seenOwners.has(s)) && !(node && seenOwners.has(node))) continue;
      out.push(f);
    }
  if (want(ACQUISITION_KIND)) out.push(...(await acquisitionFindings(store, net, { aisOnly: opts.aisOnly, front })));
  return out;
}

/** Bump when what the ownership findings compute changes, so a store's kept findings are recomputed. */
export const OWNERSHIP_RUN_VERSION = 1;

/** How many times this process built `detect`'s ownership findings (rather than reading the kept ones). */
export const ownershipRunStats = { builds: 0, reused: 0 };

/**
 * A digest of everything `detect`'s ownership findings read: the resolver's inputs (current list versions,
 * statements outside versions, AIS IMO numbers, judgements: src/resolve/run.ts), the AIS identities with an IMO
 * (the registry's AIS side), the stored gaps and port calls of their MMSIs (the acquisitions' timeline), the date
 * (links in force) and the kinds asked for.
 */
export async function ownershipInputsFingerprint(
  store: Store,
  wanted: readonly string[],
  asOf: string,
): Promise<string> {
  const h = createHash('sha256');
  h.update(`v${OWNERSHIP_RUN_VERSION} ${asOf} ${wanted.join(',')}\n`);
  h.update(`${await inputsFingerprint(store)}\n`);
  for (const r of await aisIdentitiesWithImo(store))
    h.update(`${r.mmsi}|${r.imo}|${r.name}|${r.callsign}|${r.shipType}|${r.flag}|${r.firstSeen}|${r.lastSeen}\n`);
  const events = await store.db.query(
    `SELECT f.id, f.start_ts, f.end_ts, f.doc FROM findings f
      WHERE f.kind IN ('ais.gap', 'ais.port_visit') AND f.id IN (
        SELECT s.finding_id FROM finding_subjects s
         WHERE s.entity_id IN (SELECT 'ais-' || CAST(v.mmsi AS TEXT) FROM vessel_identity v WHERE v.imo IS NOT NULL))
      ORDER BY f.id`,
  );
  for (const e of events) h.update(`${String(e.id)}|${String(e.start_ts)}|${String(e.end_ts)}|${String(e.doc)}\n`);
  return h.digest('hex');
}

/**
 * What `ownership_runs.findings` holds: the run's findings, and the findings the step has stored and not removed
 * since (`[id, kind]`), the ones a later run with other inputs checks for staleness. Rows written before this was
 * kept hold the findings array alone.
 */
interface KeptRun {
  findings: Finding[];
  owned: Array<[string, string]>;
}

function parseKept(text: string): KeptRun {
  const v = JSON.parse(text) as Finding[] | KeptRun;
  return Array.isArray(v) ? { findings: v, owned: v.map((f) => [f.id, f.kind]) } : v;
}

/** The reason written into a stale finding that a case or an alert cites (`details.superseded`). */
export const SUPERSEDED_REASON =
  'the ownership step no longer finds it on the current lists, registry, judgements and AIS data';

/** What the last build of this process removed or marked superseded (tests and `detect`'s log read it). */
export const ownershipRetired = { removed: [] as string[], superseded: [] as string[] };

/**
 * Stale findings of the ownership step: removed, unless a case item or an alert cites them; those stay readable
 * with `details.superseded` (`{at, reason}`) so the case's evidence still resolves.
 */
async function retireFindings(
  tx: Store['db'],
  ids: string[],
  at: string,
): Promise<{ removed: string[]; superseded: string[] }> {
  const removed: string[] = [];
  const superseded: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const ph = part.map((_, k) => `$${k + 1}`).join(', ');
    const cited = new Set<string>();
    for (const r of await tx.query(
      `SELECT ref AS id FROM case_items WHERE kind = 'finding' AND ref IN (${ph})
       UNION SELECT finding_id AS id FROM alerts WHERE finding_id IN (${ph})`,
      part,
    ))
      cited.add(String(r.id));
    const stored = await tx.query(`SELECT id, doc FROM findings WHERE id IN (${ph})`, part);
    const gone: string[] = [];
    for (const r of stored) {
      const id = String(r.id);
      if (!cited.has(id)) {
        gone.push(id);
        continue;
      }
      const f = JSON.parse(String(r.doc)) as Finding;
      if (isSuperseded(f)) continue;
      f.details = { ...f.details, superseded: { at, reason: SUPERSEDED_REASON } };
      await tx.query('UPDATE findings SET doc = $1 WHERE id = $2', [JSON.stringify(f), id]);
      superseded.push(id);
    }
    if (gone.length > 0) {
      const gph = gone.map((_, k) => `$${k + 1}`).join(', ');
      await tx.query(`DELETE FROM finding_subjects WHERE finding_id IN (${gph})`, gone);
      await tx.query(`DELETE FROM findings WHERE id IN (${gph})`, gone);
      removed.push(...gone);
    }
  }
  return { removed, superseded };
}

/**
 * `detect`'s ownership step: the ownership findings of the hulls seen in AIS, when the store holds AIS identities
 * with an IMO number and any ownership or management link (lists or registry extracts); none otherwise. `kinds`
 * narrows them like the maritime kinds. Runs after the run's AIS findings are stored (acquisitions read the gaps
 * and port calls). The findings are kept in `ownership_runs` with the fingerprint of their inputs: a run (in any
 * process) whose inputs did not change reads them instead of building the ownership network.
 *
 * A run on new inputs also retires what it no longer finds: the findings of the kinds asked for that an earlier run
 * of the step stored and this one does not produce (a registry import that drops the listed owner, a judgement
 * that splits an entity, another date) are removed from the store, or marked superseded when cited (retireFindings).
 * The caller stores the findings returned (`detect` does, with its own).
 */
export async function ownershipForRun(
  store: Store,
  kinds?: readonly string[],
  opts: { asOf?: string } = {},
): Promise<Finding[]> {
  const wanted = OWNERSHIP_KINDS.filter((k) => !kinds || kinds.includes(k));
  if (wanted.length === 0) return [];
  const [row] = await store.db.query('SELECT count(*) AS n FROM vessel_identity WHERE imo IS NOT NULL');
  if (!Number(row?.n)) return [];
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const fingerprint = await ownershipInputsFingerprint(store, wanted, asOf);
  const kept = await store.db.query('SELECT findings FROM ownership_runs WHERE fingerprint = $1 LIMIT 1', [
    fingerprint,
  ]);
  if (kept[0]) {
    ownershipRunStats.reused++;
    return parseKept(String(kept[0].findings)).findings;
  }
  ownershipRunStats.builds++;
  const net = await loadNetwork(store, { asOf, keep: true });
  const out = net.links.length === 0 ? [] : await ownershipFindings(store, net, { kinds: wanted, aisOnly: true });
  const produced = new Set(out.map((f) => f.id));
  const owned = new Map<string, string>(out.map((f) => [f.id, f.kind]));
  const stale: string[] = [];
  for (const r of await store.db.query("SELECT findings FROM ownership_runs WHERE fingerprint NOT LIKE 'base:%'"))
    for (const [id, kind] of parseKept(String(r.findings)).owned) {
      if (produced.has(id) || owned.has(id)) continue;
      // A kind not asked for this time is not checked: it stays the step's until a run asks for it.
      if (wanted.includes(kind as (typeof wanted)[number])) stale.push(id);
      else owned.set(id, kind);
    }
  const at = new Date().toISOString();
  // Only the latest is kept: the next run with other inputs replaces it.
  await store.db.transaction(async (tx) => {
    const retired = await retireFindings(tx, [...new Set(stale)], at);
    ownershipRetired.removed = retired.removed;
    ownershipRetired.superseded = retired.superseded;
    // The entity side load.ts keeps in the same table (`base:` rows) stays.
    await tx.exec("DELETE FROM ownership_runs WHERE fingerprint NOT LIKE 'base:%'");
    const kept: KeptRun = { findings: out, owned: [...owned] };
    await tx.query('INSERT INTO ownership_runs (fingerprint, computed_at, findings) VALUES ($1, $2, $3)', [
      fingerprint,
      at,
      JSON.stringify(kept),
    ]);
  });
  return out;
}
