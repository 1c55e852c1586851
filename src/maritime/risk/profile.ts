import { type EvidenceRef, type Finding, isSuperseded } from '../../findings/finding.js';
import { severityOf } from '../../findings/kinds.js';
import { RED_FLAGS, type RedFlag, redFlag } from '../../findings/red-flags.js';

/**
 * Vessel risk: a vessel's maritime findings combined into the red flags of the May 2020 maritime advisory
 * (AIS manipulation, STS transfers, identity alteration, false flags / flag hopping, DPRK port calls, contact with
 * sanctioned vessels, ...). Declared like a nomenklatura matcher: each factor is one red flag with its weight; a
 * factor's strength is the noisy-or of weight × finding score over the findings raising it; the vessel score is
 * the noisy-or of its factors. Every factor names the findings and the evidence behind it.
 *
 * This is the only vessel risk model: the CLI (`vessel risk`, `risk`), the API (`GET /vessels/:mmsi/risk`, `/risk`)
 * and the web vessel page (`GET /workspace/vessels/:id`, field `risk`) all return this document.
 */

export interface RiskFactor {
  code: string;
  title: string;
  /** What the practice is, from the red-flag taxonomy. */
  description: string;
  weight: number;
  reference: string;
  /** 0..1 */
  score: number;
  count: number;
  explanation: string;
  findings: Array<{ id: string; kind: string; start: string; score: number; explanation: string }>;
  evidence: EvidenceRef[];
}

export interface VesselRiskProfile {
  mmsis: number[];
  imo: number | null;
  name: string | null;
  score: number;
  severity: 'high' | 'medium' | 'low' | 'none';
  explanation: string;
  factors: RiskFactor[];
  findingCount: number;
  findingsByKind: Record<string, number>;
}

/** Pseudo-flag for vessels broadcasting a DPRK MMSI: UNSCR 2321 (2016) ¶8 bars flagging and registering them. */
export const DPRK_FLAG_FACTOR: RedFlag = {
  code: 'DPRK_FLAGGED',
  category: 'maritime',
  title: 'DPRK-flagged vessel (MMSI MID 445)',
  description: 'The vessel broadcasts an MMSI allocated to the DPRK.',
  weight: 1.0,
  reference: 'UNSCR 2321 (2016) para 8; May 2020 maritime advisory',
};

/**
 * Pseudo-flag for a ship whose owner, manager or operator is listed or blocked under the OFAC 50 % rule
 * (`vessel.ownership_exposure` with reason listed or blocked_50pct): the ship is then the property of a blocked
 * person, whatever its AIS shows.
 */
export const LISTED_CONTROLLER_FACTOR: RedFlag = {
  code: 'LISTED_CONTROLLER',
  category: 'maritime',
  title: 'Owner, manager or operator listed or blocked (50 % rule)',
  description:
    'A registered or beneficial owner, ship manager, ISM company or operator of the vessel is a listed person, or an entity owned 50 % or more by listed persons.',
  weight: 1.0,
  reference:
    'OFAC, Revised Guidance on Entities Owned by Persons Whose Property and Interests in Property Are Blocked (13 August 2014)',
};

const PSEUDO_FACTORS = new Map([DPRK_FLAG_FACTOR, LISTED_CONTROLLER_FACTOR].map((f) => [f.code, f]));

function factorsOf(f: Finding): string[] {
  const codes = [...f.redFlags];
  const d = f.details as { check?: string; reason?: string } | undefined;
  if (d?.check === 'dprk_mid') codes.push(DPRK_FLAG_FACTOR.code);
  if (f.kind === 'vessel.ownership_exposure' && (d?.reason === 'listed' || d?.reason === 'blocked_50pct'))
    codes.push(LISTED_CONTROLLER_FACTOR.code);
  return codes;
}

export function vesselRisk(
  findings: Finding[],
  identity: { mmsis: number[]; imo?: number | null; name?: string | null },
): VesselRiskProfile {
  const byCode = new Map<string, Finding[]>();
  const byKind: Record<string, number> = {};
  let imo = identity.imo ?? null;
  let name = identity.name ?? null;
  for (const f of findings) {
    if (isSuperseded(f)) continue;
    byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    for (const v of f.vessels ?? []) {
      if (!identity.mmsis.includes(v.mmsi)) continue;
      if (imo === null && v.imo) imo = v.imo;
      if (name === null && v.name) name = v.name;
    }
    for (const code of factorsOf(f)) {
      let list = byCode.get(code);
      if (!list) byCode.set(code, (list = []));
      list.push(f);
    }
  }
  const factors: RiskFactor[] = [];
  for (const [code, list] of byCode) {
    const flag = PSEUDO_FACTORS.get(code) ?? redFlag(code);
    if (!flag) continue;
    const sorted = [...list].sort((a, b) => b.score - a.score || a.start.localeCompare(b.start));
    let miss = 1;
    for (const f of sorted) miss *= 1 - flag.weight * f.score;
    const score = 1 - miss;
    const top = sorted[0]!;
    const kinds = [...new Set(sorted.map((f) => f.kind))].join(', ');
    factors.push({
      code,
      title: flag.title,
      description: flag.description,
      weight: flag.weight,
      reference: flag.reference,
      score: Math.round(score * 1000) / 1000,
      count: sorted.length,
      explanation: `${sorted.length} finding(s) (${kinds}); strongest: ${top.explanation}`,
      findings: sorted.map((f) => ({
        id: f.id,
        kind: f.kind,
        start: f.start,
        score: f.score,
        explanation: f.explanation,
      })),
      evidence: sorted.slice(0, 5).flatMap((f) => f.evidence),
    });
  }
  factors.sort((a, b) => b.score - a.score || a.code.localeCompare(b.code));
  let miss = 1;
  for (const f of factors) miss *= 1 - f.score;
  const score = Math.round((1 - miss) * 1000) / 1000;
  const severity = factors.length === 0 ? 'none' : severityOf(score);
  const what = [name, imo ? `IMO ${imo}` : null].filter(Boolean).join(', ');
  const who = identity.mmsis.length
    ? `MMSI ${identity.mmsis.join('/')}${what ? ` (${what})` : ''}`
    : what || 'The vessel';
  const explanation = factors.length
    ? `${who} scores ${score.toFixed(2)} from ${factors.length} red flag(s): ${factors.map((f) => `${f.title} (${f.count}, ${f.score.toFixed(2)})`).join('; ')}.`
    : `${who} raises no red flags in ${findings.length} finding(s).`;
  return {
    mmsis: identity.mmsis,
    imo,
    name,
    score,
    severity,
    explanation,
    factors,
    findingCount: findings.length,
    findingsByKind: byKind,
  };
}

/**
 * Group findings per vessel and rank the vessels by risk. A finding belongs to each vessel it names as a subject
 * (`ais-<mmsi>`), the same rule as vesselRiskOf in store.ts, so a vessel's rank score is its profile score.
 */
export function rankVessels(findings: Finding[], top: number): VesselRiskProfile[] {
  const per = new Map<number, Finding[]>();
  for (const f of findings)
    for (const s of f.subjects) {
      const m = /^ais-(\d{1,9})$/.exec(s);
      if (!m) continue;
      const mmsi = Number(m[1]);
      let list = per.get(mmsi);
      if (!list) per.set(mmsi, (list = []));
      list.push(f);
    }
  const profiles = [...per].map(([mmsi, list]) => vesselRisk(list, { mmsis: [mmsi] }));
  return profiles
    .filter((p) => p.factors.length > 0)
    .sort((a, b) => b.score - a.score || b.findingCount - a.findingCount || a.mmsis[0]! - b.mmsis[0]!)
    .slice(0, top);
}

export const ADVISORY_FLAGS = Object.values(RED_FLAGS)
  .filter((f) => f.category === 'maritime')
  .map((f) => f.code);
