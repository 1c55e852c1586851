import { readFileSync } from 'node:fs';
import { parseCsv } from '../ingest/csv.js';
import { dataPath } from '../paths.js';

/**
 * HS codes against the DPRK prohibitions: the sectoral bans and caps of the UN Security Council resolutions
 * (data/trade/dprk_hs_prohibitions.csv) and the luxury-goods lists (data/trade/dprk_luxury_goods.csv), matched as
 * prefixes of the declared code (a rule on chapter 03 covers 030617), with the HS2022 nomenclature
 * (data/trade/hs/harmonized-system.csv) for the descriptions findings quote.
 */

/** Read from the DPRK's side: import = supply to the DPRK, export = procurement from it. */
export type Direction = 'import' | 'export';

export interface HsRule {
  /** "S/RES/2371 (2017) OP8" or the luxury list's legal source. */
  source: string;
  direction: Direction | 'both';
  hsCode: string;
  rule: 'ban' | 'cap';
  /** "500000 barrels per 12 months" for caps. */
  cap?: string;
  /** Short description (the resolution's wording, before the HS text). */
  description: string;
  /** resolution_text or compiler_mapping (see data/trade/PROVENANCE.md). */
  basis: string;
  /** Luxury rows with a value threshold ("> USD 2,000"). */
  valueThreshold?: string;
  list: 'prohibitions' | 'luxury';
  /**
   * The date (`YYYY-MM-DD`) the rule took effect: the adoption of its resolution (Security Council resolutions
   * take effect on adoption). Unset for the UK/EU luxury guidance rows, which carry no date in the table.
   */
  inForce?: string;
  /** Days after adoption during which deliveries under contracts concluded before it may still be completed. */
  windDownDays?: number;
}

/**
 * Adoption dates of the DPRK resolutions (the dates on the official S/RES documents, undocs.org/S/RES/<n>(<year>)).
 * A resolution's bans apply to shipments from that day.
 */
export const RESOLUTION_DATES: Record<string, string> = {
  '1718': '2006-10-14',
  '1874': '2009-06-12',
  '2087': '2013-01-22',
  '2094': '2013-03-07',
  '2270': '2016-03-02',
  '2321': '2016-11-30',
  '2371': '2017-08-05',
  '2375': '2017-09-11',
  '2397': '2017-12-22',
};

/** The adoption date of the resolution a rule's source names ("S/RES/2371 (2017) OP8"), if known. */
export function resolutionDate(source: string): string | undefined {
  return RESOLUTION_DATES[/S\/RES\/(\d+)/.exec(source)?.[1] ?? ''];
}

function readCsvRows(file: string): Array<Record<string, string>> {
  const records = parseCsv(readFileSync(file, 'utf8').replace(/^\ufeff/, ''), { name: file });
  const header = records[0]!.fields;
  return records
    .slice(1)
    .filter((r) => r.fields.length > 1)
    .map((r) => Object.fromEntries(header.map((h, i) => [h, r.fields[i] ?? ''])));
}

export class HsRules {
  private readonly byCode = new Map<string, HsRule[]>();
  readonly size: number;

  constructor(rules: HsRule[]) {
    for (const r of rules) {
      let list = this.byCode.get(r.hsCode);
      if (!list) this.byCode.set(r.hsCode, (list = []));
      list.push(r);
    }
    this.size = rules.length;
  }

  /** The bundled prohibitions and luxury lists. */
  static load(): HsRules {
    const rules: HsRule[] = [];
    for (const r of readCsvRows(dataPath('trade', 'dprk_hs_prohibitions.csv'))) {
      if (!r.hs_code) continue; // WMD lists and undefined luxury goods: no HS code can express them
      const windDown = /(\d+)-day wind-down/.exec(r.notes ?? '');
      const inForce = RESOLUTION_DATES[r.resolution ?? ''];
      rules.push({
        ...(inForce ? { inForce } : {}),
        ...(windDown ? { windDownDays: Number(windDown[1]) } : {}),
        source: `S/RES/${r.resolution} ${r.paragraph}`.trim(),
        direction: r.direction as HsRule['direction'],
        hsCode: r.hs_code,
        rule: r.rule === 'cap' ? 'cap' : 'ban',
        ...(r.rule === 'cap' ? { cap: `${r.cap_quantity} ${r.cap_unit}`.trim() } : {}),
        description: r.description!.split(' | ')[0]!,
        basis: r.hs_basis!,
        list: 'prohibitions',
      });
    }
    for (const r of readCsvRows(dataPath('trade', 'dprk_luxury_goods.csv'))) {
      const codes = (r.hs_codes ?? '').match(/\d{2,6}/g) ?? [];
      for (const code of codes) {
        const inForce = resolutionDate(r.legal_source ?? '');
        rules.push({
          ...(inForce ? { inForce } : {}),
          source: `${r.list} ${r.legal_source}`,
          direction: 'import',
          hsCode: code,
          rule: 'ban',
          description: `Luxury goods: ${r.category}`,
          basis: r.hs_basis!,
          ...(r.value_threshold ? { valueThreshold: r.value_threshold } : {}),
          list: 'luxury',
        });
      }
    }
    return new HsRules(rules);
  }

  /** Verdict lists already computed, per direction and declared code (a file repeats a few thousand codes). */
  private readonly memo: Record<Direction, Map<string, HsRule[]>> = { import: new Map(), export: new Map() };

  /** Rules whose code is a prefix of `hs` (2, 4, 6 digits) and whose direction covers `direction`. */
  match(hs: string, direction: Direction): HsRule[] {
    const memo = this.memo[direction];
    let out = memo.get(hs);
    if (out) return out;
    out = this.lookup(hs, direction);
    if (memo.size < 100_000) memo.set(hs, out);
    return out;
  }

  private lookup(hs: string, direction: Direction): HsRule[] {
    const out: HsRule[] = [];
    for (let len = 2; len <= Math.min(6, hs.length); len += 2) {
      const list = this.byCode.get(hs.slice(0, len));
      if (!list) continue;
      for (const r of list) if (r.direction === direction || r.direction === 'both') out.push(r);
    }
    return out;
  }
}

let nomenclature: Map<string, string> | undefined;

/** HS2022 description of a 2-, 4- or 6-digit code (the longest known prefix of `hs`), or undefined. */
export function hsDescription(hs: string): string | undefined {
  if (!nomenclature) {
    nomenclature = new Map();
    for (const r of readCsvRows(dataPath('trade', 'hs', 'harmonized-system.csv')))
      nomenclature.set(r.hscode!, r.description!);
  }
  for (let len = Math.min(6, hs.length - (hs.length % 2)); len >= 2; len -= 2) {
    const d = nomenclature.get(hs.slice(0, len));
    if (d) return d;
  }
  return undefined;
}

/** The rules in force on `date` (`YYYY-MM-DD`); rules without a date always are. Without a date, all of them. */
export function inForceOn(rules: HsRule[], date: string | null): HsRule[] {
  if (!date) return rules;
  return rules.every((r) => !r.inForce || r.inForce <= date)
    ? rules
    : rules.filter((r) => !r.inForce || r.inForce <= date);
}

/** The verdict of a set of matched rules: a ban when any rule bans, else a cap. */
export function verdictOf(rules: HsRule[]): 'ban' | 'cap' | undefined {
  if (rules.length === 0) return undefined;
  return rules.some((r) => r.rule === 'ban') ? 'ban' : 'cap';
}
