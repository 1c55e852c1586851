import type { VesselRecord } from './registry.js';

/**
 * Identity laundering on the registry timeline, from the AIS identities that broadcast the hull's IMO:
 * - `succession`: the IMO under several MMSIs over time (re-flagging, or a new transponder identity after a sale);
 * - `simultaneous`: two MMSIs broadcasting the IMO at the same time, which one hull cannot do: one of them is
 *   claiming another ship's identity (the Panel's "two hulls, one IMO").
 */
export interface MmsiSpan {
  mmsi: string;
  names: string[];
  firstSeen: string;
  lastSeen: string;
}

export interface IdentityConflicts {
  spans: MmsiSpan[];
  succession: Array<{ from: string; to: string; at: string }>;
  simultaneous: Array<{ a: string; b: string; from: string; to: string }>;
}

export function identityConflicts(r: VesselRecord): IdentityConflicts {
  const byMmsi = new Map<string, MmsiSpan>();
  for (const f of r.facts) {
    if (f.source !== 'ais' || !f.firstSeen || !f.lastSeen) continue;
    const mmsi = f.entityId.replace(/^ais-/, '');
    let s = byMmsi.get(mmsi);
    if (!s) byMmsi.set(mmsi, (s = { mmsi, names: [], firstSeen: f.firstSeen, lastSeen: f.lastSeen }));
    if (f.firstSeen < s.firstSeen) s.firstSeen = f.firstSeen;
    if (f.lastSeen > s.lastSeen) s.lastSeen = f.lastSeen;
    if (f.prop === 'name' && !s.names.includes(f.value)) s.names.push(f.value);
  }
  const spans = [...byMmsi.values()].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  const succession: IdentityConflicts['succession'] = [];
  const simultaneous: IdentityConflicts['simultaneous'] = [];
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!;
      const b = spans[j]!;
      if (b.firstSeen <= a.lastSeen) {
        simultaneous.push({
          a: a.mmsi,
          b: b.mmsi,
          from: b.firstSeen,
          to: [a.lastSeen, b.lastSeen].sort()[0]!, // ISO strings: the earlier end
        });
      } else if (j === i + 1) succession.push({ from: a.mmsi, to: b.mmsi, at: b.firstSeen });
    }
  }
  return { spans, succession, simultaneous };
}
