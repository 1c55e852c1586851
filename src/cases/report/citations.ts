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
 * red-flag taxonomy (findings/red-flags.ts) names the advisory; these are the Council's own provisions.
 */
export const RESOLUTION_PARAGRAPHS: Record<string, string[]> = {
  SHIP_TO_SHIP_TRANSFER: [
    'Security Council resolution 2375 (2017), para. 11 (ship-to-ship transfers to or from DPRK-flagged vessels).',
    'Security Council resolution 2397 (2017), para. 5 (annual cap on refined petroleum products supplied to the DPRK).',
  ],
  CONTACT_WITH_SANCTIONED_VESSEL: [
    'Security Council resolution 2375 (2017), para. 11 (ship-to-ship transfers to or from DPRK-flagged vessels).',
    'Security Council resolution 2321 (2016), para. 12 (measures on vessels designated by the Committee).',
  ],
  AIS_MANIPULATION: [
    'Security Council resolution 2397 (2017), para. 9 (vessels in port believed to have been involved in prohibited activities).',
    'International Convention for the Safety of Life at Sea (SOLAS), chapter V, regulation 19 (carriage and operation of AIS).',
  ],
  VESSEL_IDENTITY_ALTERATION: [
    'Security Council resolution 2397 (2017), para. 9 (vessels in port believed to have been involved in prohibited activities).',
  ],
  DPRK_PORT_CALL: [
    'Security Council resolution 2397 (2017), para. 9 (vessels in port believed to have been involved in prohibited activities).',
  ],
  SANCTIONS_LIST_MATCH: [
    'Security Council resolution 1718 (2006), para. 8 (d) (asset freeze on designated persons and entities).',
  ],
  PROHIBITED_GOODS: [
    'Security Council resolution 2371 (2017), para. 8 (coal, iron and iron ore).',
    'Security Council resolution 2397 (2017), paras. 4 and 5 (caps on crude oil and refined petroleum products).',
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
