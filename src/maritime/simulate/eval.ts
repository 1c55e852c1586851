import type { Finding } from '../../findings/finding.js';
import type { TruthEvent } from './scenario.js';

/**
 * Precision and recall of findings against a truth list, per finding kind. A finding matches a truth event of its
 * kind when they share a vessel (both vessels for encounters) and their time spans overlap within `toleranceMs`
 * (instants: starts within the tolerance). Precision = matched findings / findings; recall = matched truth / truth.
 */

export interface KindScore {
  kind: string;
  truth: number;
  findings: number;
  truePositives: number;
  recalled: number;
  precision: number | null;
  recall: number | null;
  missed: TruthEvent[];
  falsePositives: Finding[];
}

export interface EvalOptions {
  toleranceMs?: number;
}

const mmsisOf = (f: Finding): number[] => (f.vessels ?? []).map((v) => v.mmsi);

/**
 * Ownership truth (vessel.ownership_exposure, vessel.acquisition, network.front_company) is about a hull and the
 * companies behind it, dated by a registry row rather than by AIS: a finding matches when it names the hull (its
 * IMO, or one of the MMSIs) and at least one of the truth's subjects; the time is not compared.
 */
function matchesOwnership(f: Finding, t: TruthEvent): boolean {
  const d = f.details as { imo?: number } | undefined;
  const fm = new Set(mmsisOf(f));
  const hull =
    t.imo === undefined ||
    d?.imo === t.imo ||
    f.subjects.includes(`reg-vessel-${t.imo}`) ||
    t.mmsis.some((m) => fm.has(m));
  const who = !t.subjects || t.subjects.length === 0 || t.subjects.some((s) => f.subjects.includes(s));
  return hull && who;
}

export function matches(f: Finding, t: TruthEvent, toleranceMs = 3_600_000): boolean {
  if (f.kind !== t.kind) return false;
  if (t.imo !== undefined || t.subjects !== undefined) return matchesOwnership(f, t);
  const fm = new Set(mmsisOf(f));
  const need = t.kind === 'ais.encounter' ? t.mmsis : [t.mmsis[0]!];
  if (t.kind === 'ais.identity_change' && t.mmsis.length > 1) {
    // Flag hopping / shared IMO: the finding must name every MMSI of the truth event.
    if (!t.mmsis.every((m) => fm.has(m))) return false;
  } else if (!need.every((m) => fm.has(m)) && !t.mmsis.some((m) => fm.has(m) && t.kind !== 'ais.encounter'))
    return false;
  const fs = Date.parse(f.start);
  const fe = f.end ? Date.parse(f.end) : fs;
  const ts = Date.parse(t.start);
  const te = t.end ? Date.parse(t.end) : ts;
  if (!t.end || !f.end) return Math.abs(fs - ts) <= toleranceMs;
  return fs <= te + toleranceMs && fe >= ts - toleranceMs;
}

export function evaluate(findings: Finding[], truth: TruthEvent[], opts: EvalOptions = {}): KindScore[] {
  const tol = opts.toleranceMs ?? 3_600_000;
  const kinds = [...new Set([...truth.map((t) => t.kind), ...findings.map((f) => f.kind)])].sort();
  const truthKinds = new Set(truth.map((t) => t.kind));
  return kinds.map((kind) => {
    const T = truth.filter((t) => t.kind === kind);
    const F = findings.filter((f) => f.kind === kind);
    const fp = F.filter((f) => !T.some((t) => matches(f, t, tol)));
    const missed = T.filter((t) => !F.some((f) => matches(f, t, tol)));
    const tp = F.length - fp.length;
    return {
      kind,
      truth: T.length,
      findings: F.length,
      truePositives: tp,
      recalled: T.length - missed.length,
      precision: truthKinds.has(kind) && F.length ? tp / F.length : null,
      recall: T.length ? (T.length - missed.length) / T.length : null,
      missed,
      falsePositives: fp,
    };
  });
}

/** A plain-text table of the scores. */
export function formatEval(scores: KindScore[]): string {
  const rows = [['kind', 'truth', 'findings', 'matched', 'precision', 'recall']];
  for (const s of scores)
    rows.push([
      s.kind,
      String(s.truth),
      String(s.findings),
      String(s.truePositives),
      s.precision === null ? (s.truth ? 'n/a (no findings)' : 'n/a (no truth)') : s.precision.toFixed(3),
      s.recall === null ? 'n/a' : s.recall.toFixed(3),
    ]);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
