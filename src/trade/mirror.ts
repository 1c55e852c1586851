import type { Store } from '../store/store.js';
import { MOT_CODES } from './comtrade.js';
import { type Direction, HsRules, hsDescription, RESOLUTION_DATES } from './hs.js';

/**
 * Mirror statistics: the DPRK reports no trade, so its trade is read from what its partners report (rows whose
 * partner is 408). A partner's import is a DPRK export and a partner's export (or re-export) a DPRK import. Totals
 * use the all-procedures (C00) and all-modes (motCode 0) rows; a reporter-year with annual rows ignores its monthly
 * rows (no double counting); a chapter's value comes from the coarsest level the file has for it (the chapter row,
 * else its headings, else its subheadings), so a file mixing levels is not counted twice.
 */

export const DPRK_CODE = 408;

/** The banned codes the mirror flags (issue 15): label and HS prefixes. */
export const BANNED_FLOWS: ReadonlyArray<{ label: string; codes: string[] }> = [
  { label: 'coal', codes: ['2701'] },
  { label: 'iron ore', codes: ['2601'] },
  { label: 'seafood', codes: ['03'] },
  { label: 'textiles', codes: Array.from({ length: 14 }, (_, i) => String(50 + i)) },
  { label: 'machinery', codes: ['84'] },
  { label: 'electrical equipment', codes: ['85'] },
  { label: 'vehicles', codes: ['87'] },
  { label: 'refined petroleum', codes: ['2710'] },
];

/** Adoption dates of the DPRK resolutions: a ban counts for a year from the year it was adopted. */
export { RESOLUTION_DATES };

export interface MirrorParams {
  /** Barrels per tonne for refined petroleum reported by weight (diesel ≈ 7.45, gasoline ≈ 8.5; 7.33 by default). */
  barrelsPerTonne: number;
  /** The refined-petroleum cap, barrels per year (S/RES/2397 OP5). */
  petroleumCapBarrels: number;
}

export const MIRROR_DEFAULTS: MirrorParams = { barrelsPerTonne: 7.33, petroleumCapBarrels: 500_000 };

export interface MirrorCell {
  year: number;
  reporterCode: number;
  reporter: string;
  /** From the DPRK's side. */
  flow: Direction;
  chapter: string;
  chapterDesc: string | null;
  valueUsd: number;
  netWgtKg: number | null;
}

export interface MirrorTotal {
  year: number;
  reporterCode: number;
  reporter: string;
  flow: Direction;
  valueUsd: number;
  /** "TOTAL" when the file has the reporter's total row, else "chapters" (their sum). */
  from: 'TOTAL' | 'chapters';
}

export interface BannedFlow {
  year: number;
  reporterCode: number;
  reporter: string;
  flow: Direction;
  label: string;
  codes: string[];
  valueUsd: number;
  netWgtKg: number | null;
  verdict: 'ban' | 'cap';
  resolutions: string[];
  /** The earliest resolution in force was adopted during this year (part of the year's trade predates it). */
  partYear: boolean;
  /** Refined petroleum: the year's total over all reporters in barrels is above the cap. */
  aboveCap?: boolean;
}

export interface BorderFlow {
  year: number;
  reporterCode: number;
  reporter: string;
  flow: Direction;
  mode: string;
  motCode: number;
  valueUsd: number;
  netWgtKg: number | null;
}

export interface PetroleumYear {
  year: number;
  netWgtKg: number;
  barrels: number;
  capBarrels: number;
  aboveCap: boolean;
}

export interface MirrorReport {
  params: MirrorParams;
  rows: number;
  /** Rows left out: other flows (processing), customs procedures other than C00, monthly rows beside annual ones. */
  skipped: number;
  totals: MirrorTotal[];
  chapters: MirrorCell[];
  banned: BannedFlow[];
  border: BorderFlow[];
  petroleum: PetroleumYear[];
}

export interface FlowRow {
  freq: string | null;
  year: number;
  reporterCode: number;
  reporter: string;
  flowCode: string;
  cmdCode: string;
  customsCode: string | null;
  motCode: number | null;
  netWgtKg: number | null;
  valueUsd: number;
}

function dprkFlow(flowCode: string): Direction | undefined {
  if (flowCode === 'M' || flowCode === 'RM') return 'export';
  if (flowCode === 'X' || flowCode === 'RX') return 'import';
  return undefined;
}

/** Value and weight of `prefix` from the coarsest level present among `rows`. */
function amountAt(rows: FlowRow[], prefix: string): { valueUsd: number; netWgtKg: number | null } | undefined {
  let best = Number.POSITIVE_INFINITY;
  for (const r of rows)
    if (r.cmdCode !== 'TOTAL' && r.cmdCode.startsWith(prefix) && r.cmdCode.length < best) best = r.cmdCode.length;
  if (best === Number.POSITIVE_INFINITY) return undefined;
  let valueUsd = 0;
  let netWgtKg: number | null = null;
  for (const r of rows) {
    if (r.cmdCode.length !== best || !r.cmdCode.startsWith(prefix)) continue;
    valueUsd += r.valueUsd;
    if (r.netWgtKg !== null && r.netWgtKg > 0) netWgtKg = (netWgtKg ?? 0) + r.netWgtKg;
  }
  return { valueUsd, netWgtKg };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The mirror report from rows already read (partner = DPRK). */
export function mirrorReport(input: FlowRow[], p: Partial<MirrorParams> = {}, rules = HsRules.load()): MirrorReport {
  const params = { ...MIRROR_DEFAULTS, ...p };
  let skipped = 0;
  const annual = new Set<string>();
  for (const r of input) if (r.freq !== 'M') annual.add(`${r.reporterCode}:${r.year}`);
  // Groups: reporter, year, DPRK flow; totals (all modes) and per mode apart.
  const groups = new Map<
    string,
    { year: number; reporterCode: number; reporter: string; flow: Direction; rows: FlowRow[] }
  >();
  const modes = new Map<string, BorderFlow>();
  for (const r of input) {
    const flow = dprkFlow(r.flowCode);
    const monthlyBesideAnnual = r.freq === 'M' && annual.has(`${r.reporterCode}:${r.year}`);
    if (!flow || (r.customsCode && r.customsCode !== 'C00') || monthlyBesideAnnual) {
      skipped++;
      continue;
    }
    if (r.motCode !== null && r.motCode !== 0) {
      if (r.cmdCode !== 'TOTAL') continue; // mode split read from the reporter's total rows only
      const key = `${r.year}:${r.reporterCode}:${flow}:${r.motCode}`;
      const m = modes.get(key) ?? {
        year: r.year,
        reporterCode: r.reporterCode,
        reporter: r.reporter,
        flow,
        mode: MOT_CODES[r.motCode] ?? `mode ${r.motCode}`,
        motCode: r.motCode,
        valueUsd: 0,
        netWgtKg: null,
      };
      m.valueUsd += r.valueUsd;
      if (r.netWgtKg !== null && r.netWgtKg > 0) m.netWgtKg = (m.netWgtKg ?? 0) + r.netWgtKg;
      modes.set(key, m);
      continue;
    }
    const key = `${r.year}:${r.reporterCode}:${flow}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { year: r.year, reporterCode: r.reporterCode, reporter: r.reporter, flow, rows: [] }));
    g.rows.push(r);
  }
  const totals: MirrorTotal[] = [];
  const chapters: MirrorCell[] = [];
  const banned: BannedFlow[] = [];
  const petroleumKg = new Map<number, number>();
  for (const g of groups.values()) {
    const head = { year: g.year, reporterCode: g.reporterCode, reporter: g.reporter, flow: g.flow };
    const chapterCodes = [
      ...new Set(g.rows.filter((r) => r.cmdCode !== 'TOTAL').map((r) => r.cmdCode.slice(0, 2))),
    ].sort();
    let sum = 0;
    for (const ch of chapterCodes) {
      const a = amountAt(g.rows, ch)!;
      sum += a.valueUsd;
      chapters.push({
        ...head,
        chapter: ch,
        chapterDesc: hsDescription(ch) ?? null,
        valueUsd: round2(a.valueUsd),
        netWgtKg: a.netWgtKg,
      });
    }
    const totalRows = g.rows.filter((r) => r.cmdCode === 'TOTAL');
    totals.push(
      totalRows.length > 0
        ? { ...head, valueUsd: round2(totalRows.reduce((s, r) => s + r.valueUsd, 0)), from: 'TOTAL' }
        : { ...head, valueUsd: round2(sum), from: 'chapters' },
    );
    for (const b of BANNED_FLOWS) {
      let valueUsd = 0;
      let netWgtKg: number | null = null;
      const matched = b.codes.flatMap((code) => rules.match(code, g.flow));
      if (matched.length === 0) continue;
      for (const code of b.codes) {
        const a = amountAt(g.rows, code);
        if (!a) continue;
        valueUsd += a.valueUsd;
        if (a.netWgtKg !== null) netWgtKg = (netWgtKg ?? 0) + a.netWgtKg;
      }
      if (valueUsd <= 0 && !netWgtKg) continue;
      const inForce = matched.filter((r) => {
        const date = RESOLUTION_DATES[/S\/RES\/(\d+)/.exec(r.source)?.[1] ?? ''];
        return date !== undefined && Number(date.slice(0, 4)) <= g.year;
      });
      if (inForce.length === 0) continue;
      const verdict = inForce.some((r) => r.rule === 'ban') ? 'ban' : 'cap';
      const resolutions = [...new Set(inForce.map((r) => r.source))];
      const earliest = inForce.map((r) => RESOLUTION_DATES[/S\/RES\/(\d+)/.exec(r.source)![1]!]!).sort()[0]!;
      banned.push({
        ...head,
        label: b.label,
        codes: b.codes,
        valueUsd: round2(valueUsd),
        netWgtKg,
        verdict,
        resolutions,
        partYear: Number(earliest.slice(0, 4)) === g.year,
      });
      if (b.label === 'refined petroleum' && g.flow === 'import' && netWgtKg)
        petroleumKg.set(g.year, (petroleumKg.get(g.year) ?? 0) + netWgtKg);
    }
  }
  const petroleum: PetroleumYear[] = [...petroleumKg.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([year, kg]) => {
      const barrels = Math.round((kg / 1000) * params.barrelsPerTonne);
      return {
        year,
        netWgtKg: kg,
        barrels,
        capBarrels: params.petroleumCapBarrels,
        aboveCap: barrels > params.petroleumCapBarrels,
      };
    });
  for (const b of banned) {
    if (b.label !== 'refined petroleum' || b.flow !== 'import') continue;
    b.aboveCap = petroleum.find((y) => y.year === b.year)?.aboveCap ?? false;
  }
  const order = <T extends { year: number; reporter: string; flow: string }>(a: T, b: T): number =>
    a.year - b.year || a.reporter.localeCompare(b.reporter) || a.flow.localeCompare(b.flow);
  return {
    params,
    rows: input.length,
    skipped,
    totals: totals.sort(order),
    chapters: chapters.sort((a, b) => order(a, b) || a.chapter.localeCompare(b.chapter)),
    banned: banned.sort((a, b) => order(a, b) || a.label.localeCompare(b.label)),
    border: [...modes.values()].sort((a, b) => order(a, b) || a.motCode - b.motCode),
    petroleum,
  };
}

export interface MirrorQuery {
  fromYear?: number;
  toYear?: number;
  /** Reporter (the DPRK's partner) by Comtrade code. */
  reporterCode?: number;
}

/** The mirror report over the stored Comtrade rows whose partner is the DPRK. */
export async function mirrorFromStore(
  store: Store,
  q: MirrorQuery = {},
  p: Partial<MirrorParams> = {},
): Promise<MirrorReport> {
  const where = ['partner_code = $1', 'reporter_code <> $1'];
  const params: number[] = [DPRK_CODE];
  if (q.fromYear !== undefined) where.push(`ref_year >= $${params.push(q.fromYear)}`);
  if (q.toYear !== undefined) where.push(`ref_year <= $${params.push(q.toYear)}`);
  if (q.reporterCode !== undefined) where.push(`reporter_code = $${params.push(q.reporterCode)}`);
  const rows = await store.db.query(
    `SELECT freq, ref_year, reporter_code, reporter_desc, reporter_iso, flow_code, cmd_code, customs_code, mot_code,
            net_wgt_kg, primary_value_usd
       FROM trade_flows WHERE ${where.join(' AND ')} ORDER BY import_id, line`,
    params,
  );
  const input: FlowRow[] = rows.map((r) => ({
    freq: r.freq === null ? null : String(r.freq),
    year: Number(r.ref_year),
    reporterCode: Number(r.reporter_code),
    reporter: String(r.reporter_desc ?? r.reporter_iso ?? r.reporter_code),
    flowCode: String(r.flow_code),
    cmdCode: String(r.cmd_code),
    customsCode: r.customs_code === null ? null : String(r.customs_code),
    motCode: r.mot_code === null ? null : Number(r.mot_code),
    netWgtKg: r.net_wgt_kg === null ? null : Number(r.net_wgt_kg),
    valueUsd: Number(r.primary_value_usd),
  }));
  return mirrorReport(input, p);
}
