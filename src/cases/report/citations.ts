/**
 * Citations for the report's footnotes: the Security Council resolutions and paragraphs each red flag rests on,
 * the May 2020 maritime advisory, the list entries (reference and date) and references the investigator added.
 * Footnotes are numbered once per report, in order of first use, and the same text reuses its number.
 */
import { redFlag } from '../../findings/red-flags.js';

export const ADVISORY_2020 =
  'U.S. Department of State, Department of the Treasury (OFAC) and U.S. Coast Guard, "Sanctions Advisory for the Maritime Industry, Energy and Metals Sectors, and Related Communities", 14 May 2020.';

/**
 * The resolution paragraphs behind each red flag (the obligations a Panel report cites for the practice). The
 * red-flag taxonomy (findings/red-flags.ts) names the advisory; these are the Council's own provisions. Each text
 * says what the paragraph provides, checked against the texts (docs/evidence.md, "Citations checked"):
 * - 2397 (2017) para. 4: crude oil, at most 4 million barrels or 525,000 tons per twelve months from 22 December
 *   2017, with reports to the Committee every 90 days; para. 5: refined petroleum products, at most 500,000 barrels
 *   per twelve months from 1 January 2018 (U.S. Mission fact sheet on 2397 as reported by VOA, "Crude Oil (OP4)",
 *   "Refined Petroleum Products (OP5)"; EU Regulation 2017/1509 art. 16g cites "paragraph 4 of UNSCR 2397 (2017)"
 *   for crude oil; quantities from the 1718 Committee's resolutions page).
 * - 2397 para. 6 (DPRK exports of food and agricultural products, machinery, electrical equipment, earth and stone,
 *   wood and vessels) and para. 7 (supply to the DPRK of industrial machinery, transportation vehicles, iron, steel
 *   and other metals), both with HS codes in the text.
 * - 2397 para. 9: Member States shall seize, inspect and freeze (impound) any vessel in their ports, and may do so
 *   in their territorial waters, with reasonable grounds to believe it was involved in prohibited activities or the
 *   transport of prohibited items (fact sheet: "Countering Maritime Smuggling (OPs 9-15)"). It is the enforcement
 *   measure, not a rule on AIS or markings: cited as such.
 * - 2371 (2017) para. 8: the DPRK shall not supply, sell or transfer coal, iron and iron ore, and all States shall
 *   prohibit their procurement (text as quoted by ASIL; para. 9 seafood, para. 10 lead and lead ore).
 * - SOLAS chapter V, regulation 19.2.4: AIS carriage (ships of 300 gross tonnage and upwards on international
 *   voyages, cargo ships of 500 GT and upwards not on international voyages, all passenger ships); 19.2.4.7: AIS
 *   kept in operation at all times except where international agreements, rules or standards provide for the
 *   protection of navigational information.
 */
const R2397_P9 =
  'Security Council resolution 2397 (2017), para. 9 (Member States shall seize, inspect and freeze (impound) any vessel in their ports, and may do so in their territorial waters, where they have reasonable grounds to believe it was involved in activities or the transport of items prohibited by the resolutions).';
const SOLAS_V19 =
  'International Convention for the Safety of Life at Sea (SOLAS), chapter V, regulation 19.2.4 (AIS to be carried by ships of 300 gross tonnage and upwards on international voyages, cargo ships of 500 gross tonnage and upwards not on international voyages and all passenger ships) and 19.2.4.7 (AIS to be kept in operation at all times, except where international agreements, rules or standards provide for the protection of navigational information).';
const R2371_P8 =
  'Security Council resolution 2371 (2017), para. 8 (the DPRK shall not supply, sell or transfer coal, iron and iron ore; all States shall prohibit their procurement).';

export const RESOLUTION_PARAGRAPHS: Record<string, string[]> = {
  SHIP_TO_SHIP_TRANSFER: [
    'Security Council resolution 2375 (2017), para. 11 (ship-to-ship transfers to or from DPRK-flagged vessels).',
    'Security Council resolution 2397 (2017), para. 5 (annual cap on refined petroleum products supplied to the DPRK).',
  ],
  CONTACT_WITH_SANCTIONED_VESSEL: [
    'Security Council resolution 2375 (2017), para. 11 (ship-to-ship transfers to or from DPRK-flagged vessels).',
    'Security Council resolution 2321 (2016), para. 12 (measures on vessels designated by the Committee).',
  ],
  AIS_MANIPULATION: [SOLAS_V19, R2397_P9],
  VESSEL_IDENTITY_ALTERATION: [R2397_P9],
  DPRK_PORT_CALL: [
    'Security Council resolution 2397 (2017), paras. 6 and 7 (bans on DPRK exports of food and agricultural products, machinery, electrical equipment, earth and stone, wood and vessels, and on supplying it industrial machinery, transportation vehicles, iron, steel and other metals).',
    R2371_P8,
    R2397_P9,
  ],
  SANCTIONS_LIST_MATCH: [
    'Security Council resolution 1718 (2006), para. 8 (d) (asset freeze on designated persons and entities).',
  ],
  PROHIBITED_GOODS: [
    R2371_P8,
    'Security Council resolution 2397 (2017), paras. 4 and 5 (caps on crude oil, 4 million barrels or 525,000 tons, and refined petroleum products, 500,000 barrels, per twelve months).',
  ],
  HIGH_RISK_AREA: [],
};

/** Footnote texts for one red flag: its resolution paragraphs, then the reference the taxonomy gives. */
export function redFlagCitations(code: string): string[] {
  const rf = redFlag(code);
  const out = [...(RESOLUTION_PARAGRAPHS[code] ?? [])];
  if (rf) {
    for (const part of rf.reference.split(';').map((x) => x.trim())) {
      if (/Sanctions Advisory for the Maritime Industry/.test(part)) out.push(ADVISORY_2020);
      else if (part && !out.some((o) => o.includes(part))) out.push(`${part}.`);
    }
  }
  return [...new Set(out)];
}

/** A user-added reference: a note like "S/2024/215, para. 42" or "Ref: ...". Undefined when the text is not one. */
export function asReference(text: string): string | undefined {
  const t = text.trim();
  const m = /^(?:ref(?:erence)?|see|source)\s*:\s*(.+)$/is.exec(t);
  if (m) return m[1]!.trim();
  if (/^S\/\d{4}\/\d+\b/.test(t)) return t;
  return undefined;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Numbered footnotes: `mark(texts)` returns the superscript markers, `html()` the list. */
export class Footnotes {
  private readonly texts: string[] = [];
  private readonly index = new Map<string, number>();

  /** Number of the footnote with this text (added when new). */
  add(text: string): number {
    const known = this.index.get(text);
    if (known) return known;
    this.texts.push(text);
    this.index.set(text, this.texts.length);
    return this.texts.length;
  }

  /** Superscript markers linking to the notes, e.g. `<sup>3, 4</sup>`. Empty for no texts. */
  mark(texts: string[]): string {
    const ns = [...new Set(texts.map((t) => this.add(t)))].sort((a, b) => a - b);
    if (ns.length === 0) return '';
    return `<sup class="fn">${ns.map((n) => `<a href="#fn-${n}" id="fnref-${n}">${n}</a>`).join(', ')}</sup>`;
  }

  get size(): number {
    return this.texts.length;
  }

  all(): string[] {
    return [...this.texts];
  }

  html(): string {
    if (this.texts.length === 0) return '';
    return `<ol class="footnotes">${this.texts.map((t, i) => `<li id="fn-${i + 1}" value="${i + 1}">${esc(t)}</li>`).join('')}</ol>`;
  }
}
