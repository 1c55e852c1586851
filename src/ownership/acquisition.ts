import { type Finding, findingId } from '../findings/finding.js';
import { dateStartIso } from './link.js';

/**
 * `vessel.acquisition`: the UN Panel's pattern for the DPRK's newly acquired ships. A hull's ownership passes to
 * a DPRK-linked or front company, and afterwards the hull goes dark, reappears under an MMSI with MID 445 (the
 * DPRK), under a new name, under the DPRK flag or a flag its registry does not give it, or calls at DPRK ports.
 * A pure function over the hull's ownership changes and AIS timeline, so it is tested on constructed input and
 * fed from the store by `acquisitionInput` callers.
 */
export const ACQUISITION_KIND = 'vessel.acquisition';

export const ACQUISITION_PARAMS = {
  /** A silence of at least this long after the sale is "dark". */
  minDarkH: 24,
  /** Signals count when they start within this many days of the sale. */
  windowDays: 365,
  baseScore: 0.5,
  perSignal: 0.1,
  maxScore: 0.95,
} as const;

export interface OwnershipChange {
  /** ISO date the new owner took over. */
  date: string;
  party: string;
  partyName: string;
  role: string;
  /** The new owner is listed, blocked under the 50 % rule, or DPRK-based. */
  dprkLinked: boolean;
  /** The new owner scores as a front company. */
  front: boolean;
  /** Why (one phrase each). */
  reasons: string[];
  source?: string;
  record?: string;
}

export interface AisIdentitySpan {
  mmsi: number;
  name: string | null;
  /** ISO alpha-2 from the MMSI's MID. */
  flag: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface AisTimelineEvent {
  kind: 'gap' | 'port_call';
  startMs: number;
  endMs?: number;
  /** Port call: port name and ISO alpha-2 country. */
  port?: string;
  country?: string;
  record?: string;
}

export interface AcquisitionInput {
  imo: number;
  /** Entity ids of the hull (list entries, AIS vessels). */
  vesselIds: string[];
  changes: OwnershipChange[];
  identities: AisIdentitySpan[];
  events: AisTimelineEvent[];
  /** Flags registries give the hull (ISO alpha-2, lower case); empty when unknown. */
  registryFlags: string[];
}

export interface AcquisitionSignal {
  name: 'dark' | 'mid_445' | 'dprk_flag' | 'renamed' | 'flag_not_in_registry' | 'dprk_port_call';
  atMs: number;
  explanation: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The signals that follow one ownership change. */
export function signalsAfter(
  input: AcquisitionInput,
  change: OwnershipChange,
  params: typeof ACQUISITION_PARAMS = ACQUISITION_PARAMS,
): AcquisitionSignal[] {
  const t0 = Date.parse(change.date);
  const t1 = t0 + params.windowDays * 86_400_000;
  const inWindow = (ms: number): boolean => ms >= t0 && ms <= t1;
  const out: AcquisitionSignal[] = [];
  const spans = [...input.identities].sort((a, b) => a.firstSeenMs - b.firstSeenMs);
  const before = spans.filter((s) => s.firstSeenMs < t0);
  const namesBefore = new Set(before.map((s) => s.name).filter((n): n is string => !!n));
  const minDarkMs = params.minDarkH * 3_600_000;
  for (const e of input.events) {
    if (e.kind === 'gap' && inWindow(e.startMs) && e.endMs !== undefined && e.endMs - e.startMs >= minDarkMs)
      out.push({
        name: 'dark',
        atMs: e.startMs,
        explanation: `dark for ${Math.round((e.endMs - e.startMs) / 3_600_000)} h from ${iso(e.startMs)}`,
      });
    if (e.kind === 'port_call' && e.country === 'kp' && inWindow(e.startMs))
      out.push({
        name: 'dprk_port_call',
        atMs: e.startMs,
        explanation: `called at ${e.port ?? 'a DPRK port'} on ${iso(e.startMs)}`,
      });
  }
  // Silence between two identities (the transponder off, then on again under another MMSI or name).
  for (let i = 1; i < spans.length; i++) {
    const prevEnd = Math.max(...spans.slice(0, i).map((s) => s.lastSeenMs));
    const gap = spans[i]!.firstSeenMs - prevEnd;
    if (gap >= minDarkMs && inWindow(spans[i]!.firstSeenMs) && !out.some((s) => s.name === 'dark'))
      out.push({
        name: 'dark',
        atMs: prevEnd,
        explanation: `no AIS for ${Math.round(gap / 3_600_000)} h from ${iso(prevEnd)}`,
      });
  }
  for (const s of spans) {
    if (!inWindow(s.firstSeenMs)) continue;
    if (String(s.mmsi).startsWith('445') && !before.some((b) => b.mmsi === s.mmsi))
      out.push({
        name: 'mid_445',
        atMs: s.firstSeenMs,
        explanation: `reappeared as MMSI ${s.mmsi} (MID 445, DPRK) on ${iso(s.firstSeenMs)}`,
      });
    if (s.flag === 'kp' && !before.some((b) => b.flag === 'kp'))
      out.push({
        name: 'dprk_flag',
        atMs: s.firstSeenMs,
        explanation: `claims the DPRK flag from ${iso(s.firstSeenMs)}`,
      });
    if (s.flag && input.registryFlags.length > 0 && !input.registryFlags.includes(s.flag))
      out.push({
        name: 'flag_not_in_registry',
        atMs: s.firstSeenMs,
        explanation: `AIS flag ${s.flag.toUpperCase()} is not a flag the registry gives it (${input.registryFlags.join(', ').toUpperCase()})`,
      });
    if (s.name && namesBefore.size > 0 && !namesBefore.has(s.name))
      out.push({ name: 'renamed', atMs: s.firstSeenMs, explanation: `renamed ${s.name} on ${iso(s.firstSeenMs)}` });
  }
  // One signal of each kind (the first).
  const first = new Map<string, AcquisitionSignal>();
  for (const s of out.sort((a, b) => a.atMs - b.atMs)) if (!first.has(s.name)) first.set(s.name, s);
  return [...first.values()];
}

/** The acquisition finding for one hull, or undefined when no sale to a DPRK-linked or front company is followed by a signal. */
export function detectAcquisition(
  input: AcquisitionInput,
  params: typeof ACQUISITION_PARAMS = ACQUISITION_PARAMS,
): Finding | undefined {
  const changes = [...input.changes].sort((a, b) => a.date.localeCompare(b.date));
  for (const change of changes) {
    if (!change.dprkLinked && !change.front) continue;
    const signals = signalsAfter(input, change, params);
    if (signals.length === 0) continue;
    const start = dateStartIso(change.date);
    const score = Math.min(params.maxScore, params.baseScore + params.perSignal * signals.length);
    const who = `${change.partyName} (${change.reasons.join('; ')})`;
    const redFlags = ['COMPLEX_OWNERSHIP'];
    if (signals.some((s) => s.name === 'dark' || s.name === 'mid_445')) redFlags.push('AIS_MANIPULATION');
    if (signals.some((s) => s.name === 'renamed')) redFlags.push('VESSEL_IDENTITY_ALTERATION');
    if (signals.some((s) => s.name === 'dprk_flag' || s.name === 'flag_not_in_registry')) redFlags.push('FALSE_FLAG');
    if (signals.some((s) => s.name === 'dprk_port_call')) redFlags.push('DPRK_PORT_CALL');
    return {
      id: findingId(ACQUISITION_KIND, [`imo-${input.imo}`], start),
      kind: ACQUISITION_KIND,
      subjects: [...input.vesselIds, change.party],
      start,
      end: iso(Math.max(...signals.map((s) => s.atMs))),
      score: Math.round(score * 1000) / 1000,
      redFlags,
      explanation: `IMO ${input.imo} passed to ${who} on ${change.date.slice(0, 10)}, then ${signals.map((s) => s.explanation).join('; ')}.`,
      evidence: [
        {
          source: change.source ?? 'ownership',
          record: change.record ?? change.party,
          note: `${change.role} from ${change.date}`,
        },
        ...input.events
          .filter((e) => e.record && signals.some((s) => s.atMs === e.startMs))
          .map((e) => ({ source: 'ais', record: e.record!, note: e.kind })),
      ],
      params: { ...params },
      details: {
        timeline: [
          { atMs: Date.parse(change.date), what: `${change.role}: ${change.partyName}` },
          ...signals.map((s) => ({ atMs: s.atMs, what: s.explanation })),
        ],
      },
    };
  }
  return undefined;
}
