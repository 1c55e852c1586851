import type { Finding } from '../../findings/finding.js';
import { imoCheckDigitValid } from '../../screening/identifiers.js';
import { DPRK_MID, type MmsiForm, mmsiMid } from '../ais/mid.js';
import type { StaticReport, TrackSet } from '../tracks/types.js';
import { iso, makeFinding, staticEvidence } from './common.js';

/**
 * Identity tampering: a hull's name, call sign, IMO number or ship type changing under one MMSI; an MMSI whose MID
 * is 445 (DPRK); an IMO number that fails its check digit; one IMO number broadcast by two MMSIs (a new flag
 * means a new MMSI, so different MIDs under one IMO is flag hopping; the same MID is identity sharing or theft).
 */
export interface IdentityParams {
  /** Ignore ship type changes inside one AIS decade (e.g. 80 → 89, both tankers). */
  shipTypeByDecade: boolean;
  dprkMid: number;
}

export const IDENTITY_DEFAULTS: IdentityParams = { shipTypeByDecade: true, dprkMid: DPRK_MID };

/** IMO check digit (the rule lives in screening/identifiers.ts): 7 digits, the last = sum(digit × 7..2) mod 10. */
export function imoValid(imo: number): boolean {
  return Number.isInteger(imo) && imo >= 1_000_000 && imo <= 9_999_999 && imoCheckDigitValid(String(imo));
}

const norm = (s: string | null): string | null => {
  if (s === null) return null;
  const t = s.replace(/@+$/g, '').replace(/\s+/g, ' ').trim().toUpperCase();
  return t ? t : null;
};

/** How an explanation names an MMSI form. */
const FORM_LABEL: Record<MmsiForm, string> = {
  ship: 'ship station',
  group: 'group call',
  coast: 'coast station',
  sar_aircraft: 'SAR aircraft',
  handheld: 'handheld VHF',
  aton: 'aid to navigation',
  parent_craft: 'craft of a parent ship',
  sart: 'AIS-SART',
  mob: 'man-overboard device',
  epirb: 'EPIRB-AIS',
  other: 'non-standard',
};

type Field = 'name' | 'callsign' | 'imo' | 'shipType';

export function detectIdentity(tracks: TrackSet, p: Partial<IdentityParams> = {}): Finding[] {
  const params: IdentityParams = { ...IDENTITY_DEFAULTS, ...p };
  const out: Finding[] = [];
  const mmsis = new Set<number>([...tracks.vessels.map((v) => v.mmsi), ...tracks.statics.keys()]);
  const firstSeen = new Map<number, number>();
  for (const v of tracks.vessels) firstSeen.set(v.mmsi, tracks.cols.tsMs[v.from]!);
  for (const [m, list] of tracks.statics) {
    const t = list[0]?.tsMs;
    if (t !== undefined && (firstSeen.get(m) ?? Infinity) > t) firstSeen.set(m, t);
  }
  const imoUsers = new Map<number, Map<number, StaticReport>>();
  for (const mmsi of [...mmsis].sort((a, b) => a - b)) {
    const id = mmsiMid(mmsi);
    if (id.mid === params.dprkMid) {
      const t = firstSeen.get(mmsi)!;
      const first = tracks.statics.get(mmsi)?.[0];
      out.push(
        makeFinding(tracks, {
          kind: 'ais.identity_change',
          mmsis: [mmsi],
          startMs: t,
          score: 0.8,
          redFlags: [],
          explanation:
            id.form === 'ship'
              ? `MMSI ${mmsi} carries MID ${params.dprkMid}: the vessel broadcasts as DPRK-flagged.`
              : `MMSI ${mmsi} is a ${FORM_LABEL[id.form]} identity under MID ${params.dprkMid}: a DPRK-assigned station.`,
          evidence: first
            ? [staticEvidence(first, 'first static report')]
            : [{ source: 'ais', record: `mmsi:${mmsi}@${t}`, note: 'first position' }],
          params: { ...params },
          idKey: 'dprk-mid',
          details: { check: 'dprk_mid', mid: params.dprkMid, mmsiForm: id.form },
        }),
      );
    }
    const list = tracks.statics.get(mmsi) ?? [];
    const current: Record<Field, string | number | null> = { name: null, callsign: null, imo: null, shipType: null };
    const currentAt: Record<Field, StaticReport | null> = { name: null, callsign: null, imo: null, shipType: null };
    const badImo = new Set<number>();
    for (const s of list) {
      const vals: Record<Field, string | number | null> = {
        name: norm(s.name),
        callsign: norm(s.callsign),
        imo: s.imo && s.imo > 0 ? s.imo : null,
        shipType:
          s.shipType && s.shipType > 0
            ? params.shipTypeByDecade
              ? Math.floor(s.shipType / 10) * 10
              : s.shipType
            : null,
      };
      const changes: Array<{ field: Field; from: string | number; to: string | number; since: StaticReport }> = [];
      for (const f of ['name', 'callsign', 'imo', 'shipType'] as const) {
        const v = vals[f];
        if (v === null) continue;
        if (current[f] !== null && current[f] !== v)
          changes.push({ field: f, from: current[f]!, to: v, since: currentAt[f]! });
        if (current[f] !== v) currentAt[f] = s;
        current[f] = v;
      }
      if (changes.length) {
        const what = changes.map((c) => `${c.field} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join(', ');
        out.push(
          makeFinding(tracks, {
            kind: 'ais.identity_change',
            mmsis: [mmsi],
            startMs: s.tsMs,
            score: changes.some((c) => c.field === 'imo' || c.field === 'name') ? 0.75 : 0.5,
            redFlags: ['VESSEL_IDENTITY_ALTERATION'],
            explanation: `MMSI ${mmsi} changed its broadcast identity at ${iso(s.tsMs)}: ${what}.`,
            evidence: [...new Set(changes.map((c) => c.since))]
              .map((x) => staticEvidence(x, 'previous identity'))
              .concat(staticEvidence(s, 'new identity')),
            params: { ...params },
            idKey: 'change',
            details: {
              check: 'field_change',
              changes: changes.map((c) => ({
                field: c.field,
                from: c.from,
                to: c.to,
                previousSince: iso(c.since.tsMs),
              })),
            },
          }),
        );
      }
      if (vals.imo !== null) {
        const imo = vals.imo as number;
        if (!imoValid(imo) && !badImo.has(imo)) {
          badImo.add(imo);
          out.push(
            makeFinding(tracks, {
              kind: 'ais.identity_change',
              mmsis: [mmsi],
              startMs: s.tsMs,
              score: 0.7,
              redFlags: ['VESSEL_IDENTITY_ALTERATION'],
              explanation: `MMSI ${mmsi} broadcasts IMO ${imo}, which fails the IMO check digit, so it cannot be a real IMO number.`,
              evidence: [staticEvidence(s, 'static report with the invalid IMO')],
              params: { ...params },
              idKey: `imo-check-${imo}`,
              details: { check: 'imo_check_digit', imo },
            }),
          );
        }
        let users = imoUsers.get(imo);
        if (!users) imoUsers.set(imo, (users = new Map()));
        if (!users.has(mmsi)) users.set(mmsi, s);
      }
    }
  }
  for (const [imo, users] of imoUsers) {
    if (users.size < 2) continue;
    const byTime = [...users.values()].sort((a, b) => a.tsMs - b.tsMs);
    const mids = new Set(byTime.map((s) => mmsiMid(s.mmsi).mid));
    const hop = mids.size > 1;
    const list = byTime.map((s) => `${s.mmsi} (MID ${mmsiMid(s.mmsi).mid ?? 'none'}, from ${iso(s.tsMs)})`).join(', ');
    out.push(
      makeFinding(tracks, {
        kind: 'ais.identity_change',
        mmsis: byTime.map((s) => s.mmsi),
        startMs: byTime[1]!.tsMs,
        score: hop ? 0.85 : 0.75,
        redFlags: hop ? ['VESSEL_IDENTITY_ALTERATION', 'FALSE_FLAG'] : ['VESSEL_IDENTITY_ALTERATION'],
        explanation: `IMO ${imo} was broadcast by ${users.size} MMSIs: ${list}${hop ? '; their flags (MIDs) differ, a sign of flag hopping' : ''}.`,
        evidence: byTime.map((s) => staticEvidence(s, `first report of IMO ${imo} by MMSI ${s.mmsi}`)),
        params: { ...params },
        idKey: `imo-shared-${imo}`,
        details: { check: hop ? 'flag_hopping' : 'imo_shared', imo, mmsis: byTime.map((s) => s.mmsi), mids: [...mids] },
      }),
    );
  }
  return out;
}
