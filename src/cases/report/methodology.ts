/**
 * The methodology and limitations chapter: what AIS can and cannot show, the detector parameters as recorded in
 * each finding's params (the values actually used, not the defaults), and the cargo and identity assumptions.
 */
import type { Finding } from '../../findings/finding.js';
import { kindLabel } from '../../findings/kinds.js';
import { cleanValue } from '../annex-format.js';

/** What AIS shows and what it does not, as numbered paragraphs (plain text). */
export const AIS_LIMITS: string[] = [
  'Positions come from the Automatic Identification System (AIS): each vessel reports its own position, speed, course and identity over VHF radio, and terrestrial or satellite receivers record what they hear. A position is what the transponder said, at the time the receiver recorded it; the receiving station and time are quoted from the NMEA tag block where the source kept them (annex I).',
  'AIS cannot show what a vessel did while it was not heard. A gap in reception is not proof that the transponder was switched off: coverage, satellite revisit times, message collisions in busy waters and receiver outages also leave gaps. A gap is reported as likely intentional only when it is long, starts far from shore and ends far from where it started.',
  'AIS cannot show cargo, a transfer, or who is on board. Two vessels side by side at low speed for hours are consistent with a ship-to-ship transfer; only imagery, documents or inspection can show that cargo moved. Draught is typed in by the crew and is often stale; any cargo estimate from it is an order of magnitude, not a measurement.',
  'Identity fields (name, call sign, IMO number, ship type) are self-declared and can be falsified; a flag read from the first digits of the MMSI (its MID) is the flag the MMSI claims, not a registry record. Positions can be spoofed; implausible jumps are reported as such.',
];

/** Cargo and identity assumptions (plain text), completed with the values recorded in cargo findings. */
export function assumptions(findings: Finding[]): string[] {
  const out = [
    'Identity: a hull is identified by its IMO number (check digit verified). AIS identities join a hull by the IMO number they broadcast; list entries by their IMO number, or by name only when exactly one hull bears that name (such joins are marked in annex II). Designation status is as stated in the list versions loaded, on the date of each version.',
  ];
  const cargo = findings.find((f) => f.kind === 'cargo.estimate');
  if (cargo) {
    const p = cargo.params;
    const parts = [
      p.seawaterDensityTPerM3 !== undefined ? `seawater density ${cleanValue(p.seawaterDensityTPerM3)} t/m³` : '',
      p.deadweightRatio !== undefined ? `deadweight ratio ${cleanValue(p.deadweightRatio)} (low/central/high)` : '',
      p['cb.tanker'] !== undefined ? `tanker block coefficient ${cleanValue(p['cb.tanker'])}` : '',
      p.waterplane !== undefined ? `waterplane coefficient ${cleanValue(p.waterplane)}` : '',
      p.draughtReadingErrorM !== undefined ? `draught reading error ±${cleanValue(p.draughtReadingErrorM)} m` : '',
      p.product !== undefined ? `product assumed ${cleanValue(p.product)}` : '',
      p.barrelsPerTonne !== undefined ? `${cleanValue(p.barrelsPerTonne)} barrels per tonne` : '',
    ].filter(Boolean);
    out.push(
      `Cargo: quantities are estimated from the change in reported draught before and after the meeting, with ${parts.join(', ')}. The estimate is a range, shown as such.`,
    );
  } else {
    out.push(
      'Cargo: no cargo quantity is estimated in this case; statements about cargo rest on vessel type and the sources cited.',
    );
  }
  return out;
}

/**
 * The parameters each detector used, as recorded in the findings: one row per kind and parameter with the
 * distinct values and the findings that used each.
 */
export function parameterRows(
  findings: Finding[],
  refOf: (id: string) => string,
): Array<{ kind: string; param: string; values: string }> {
  const byKey = new Map<string, { kind: string; param: string; values: Map<string, string[]> }>();
  for (const f of findings) {
    for (const [k, v] of Object.entries(f.params)) {
      const key = `${f.kind}\u0000${k}`;
      let row = byKey.get(key);
      if (!row) byKey.set(key, (row = { kind: f.kind, param: k, values: new Map() }));
      const value = cleanValue(v);
      row.values.set(value, [...(row.values.get(value) ?? []), refOf(f.id)]);
    }
  }
  return [...byKey.values()].map((r) => ({
    kind: kindLabel(r.kind),
    param: r.param,
    values: [...r.values.entries()]
      .map(([v, refs]) => (r.values.size > 1 ? `${v} (${refs.join(', ')})` : v))
      .join('; '),
  }));
}
