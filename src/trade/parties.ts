import { readFileSync } from 'node:fs';
import { dataPath } from '../paths.js';
import { countryCode } from '../screening/countries.js';
import type { NameForm } from '../screening/normalise.js';
import type { Prepared } from '../screening/prepare.js';
import { levenshteinBounded } from '../screening/strings.js';

/**
 * Whether a party name's match against a list entry rests on the words that make a company itself, not on the
 * words every trading company shares. The list matcher scores the whole name, and a record's party
 * "Haiphong Ramin Phoenix Electronics Inc." scores 0.82 against the listed "PHOENIX ELECTRONICS": every listed word
 * is there, and the extra words cost little. In trade records that is a different company: its own coined name
 * ("Ramin") is not on the list.
 *
 * The query's **distinctive** words are its name words that are none of: legal forms and organisation symbols
 * (the normaliser marks them with a base weight below 0.9: "Co., Ltd.", "trading", "general", "group"), the
 * activity and goods words of company names in trade (GENERIC below: "shipping", "electronics", "logistics"),
 * function words, and place names (countries from the screening country table, port towns from the World Port
 * Index in data/ais/geo/gfw_wpi_ports.csv). A match is accepted when
 * - every name word of the entry (legal forms and symbols aside) is in the query, or at least one distinctive
 *   query word matches a word of the entry; and
 * - no distinctive query word is left without a counterpart in the entry, nor a distinctive word of the entry
 *   without one in the query (one in four may be left over in long names); and
 * - their lines of business (ACTIVITY_WORDS) agree when both give one: "Korea Kumsan Shipping" is not taken for
 *   "KOREA KUMSAN TRADING CORPORATION" (a front's variant an analyst finds through `screen`, not from a record).
 * So "Korea Kumsan Trading Corp., Dandong Branch" matches "KOREA KUMSAN TRADING CORPORATION", and "Santos Kelian
 * Dragon Trading LLC" does not match "DRAGON TRADING LIMITED": Kelian is its own name.
 * Words match when they are equal, share a phonetic key, are one edit apart (five letters or more), when one
 * abbreviates the other or ends it (four letters or more), or when one is two adjacent words of the other name
 * written together ("Ryon Bong" / "Ryonbong").
 */

/** Activity and goods words of company names in trade records (lower case, folded). */
export const GENERIC_WORDS = new Set(
  `trading trade traders shipping shipment logistics logistic electronics electronic industrial industry industries
  foods food textile textiles machinery machine machines chemicals chemical metals metal agro energy garments garment
  seafood seafoods marine maritime steel technology technologies tech development investment investments import
  export imports exports imp exp international intl global group grp holdings holding enterprise enterprises company
  companies corporation corp general commercial commerce services service supply supplies products product
  manufacturing mfg materials resources petroleum oil gas mining minerals mineral construction engineering transport
  transportation freight forwarding forwarder cargo container containers lines line navigation bulk tanker tankers
  management consulting solutions systems equipment parts auto automotive motors motor pharma pharmaceutical
  pharmaceuticals medical fishery fisheries aquatic agricultural agriculture branch office factory plant works store
  center centre sales distribution distributors trust partners associates ventures venture capital finance
  financial bank insurance fuel fuels coal ore iron apparel fashion packaging plastic plastics rubber paper wood
  timber furniture food beverage beverages garments head office representative rep agency agent bureau station
  the and of for de la del des du und et y e
  llc ltd co inc gmbh sa bv kk jsc limited pte plc ag oy ab srl spa llp lp pvt private sdn bhd pt tbk ooo zao oao
  pao cjsc ojsc jv`.split(/\s+/),
);

/**
 * Towns of the DPRK and its border trade that company names carry and the World Port Index lacks (inland, or
 * ports under another spelling there).
 */
const EXTRA_PLACES =
  `pyongyang sinuiju hyesan manpo kaesong rason rajin najin chongjin hamhung nampho nampo wonsan haeju
  dandong shenyang hunchun yanji tumen jian liaoning jilin beijing harbin changchun dalian qingdao tianjin shanghai
  guangzhou shenzhen ningbo xiamen busan pusan incheon seoul mumbai dubai hongkong macau`.split(/\s+/);

/**
 * The line of business among the generic words. Two names that agree on nothing but common words and name
 * different lines of business ("Pacific International Lines" and "INTERNATIONAL PACIFIC TRADING") are different
 * companies; compared by their first four letters ("ship" in shipping and shipment).
 */
export const ACTIVITY_WORDS = new Set(
  `trading trade traders shipping shipment logistics logistic lines line navigation freight forwarding forwarder
  cargo container containers tanker tankers bulk marine maritime electronics electronic foods food seafood seafoods
  textile textiles garments garment apparel fashion machinery machine machines chemicals chemical metals metal steel
  agro agricultural agriculture energy petroleum oil gas fuel fuels coal mining minerals mineral ore iron pharma
  pharmaceutical pharmaceuticals medical fishery fisheries aquatic auto automotive motors motor construction
  engineering transport transportation technology technologies tech plastic plastics rubber paper wood timber
  furniture beverage beverages packaging bank finance financial insurance`.split(/\s+/),
);

function activities(f: NameForm): Set<string> {
  const out = new Set<string>();
  for (const t of f.tokens) if (ACTIVITY_WORDS.has(t)) out.add(t.slice(0, 4));
  return out;
}

let places: Set<string> | undefined;

/** Port towns of the World Port Index (folded; multi-word names also joined: "hai phong" and "haiphong"). */
function portPlaces(): Set<string> {
  if (!places) {
    places = new Set(EXTRA_PLACES);
    const lines = readFileSync(dataPath('ais', 'geo', 'gfw_wpi_ports.csv'), 'utf8')
      .split('\n')
      .slice(1);
    for (const line of lines) {
      const label = line
        .split(',')[1]
        ?.toLowerCase()
        .replace(/[^a-z ]+/g, ' ')
        .trim();
      if (!label) continue;
      places.add(label.replace(/\s+/g, ' '));
      places.add(label.replace(/\s+/g, ''));
    }
  }
  return places;
}

const placeMemo = new Map<string, boolean>();
function isPlace(token: string): boolean {
  let p = placeMemo.get(token);
  if (p === undefined) {
    p = portPlaces().has(token) || (token.length > 2 && countryCode(token) !== undefined);
    if (placeMemo.size > 100_000) placeMemo.clear();
    placeMemo.set(token, p);
  }
  return p;
}

/** Indices of the tokens of `form` that are place names, alone or as two words ("hong kong", "hai phong"). */
function placeTokens(form: NameForm): Set<number> {
  const out = new Set<number>();
  const t = form.tokens;
  for (let i = 0; i < t.length; i++) {
    if (isPlace(t[i]!)) out.add(i);
    if (i + 1 < t.length) {
      if (isPlace(`${t[i]} ${t[i + 1]}`)) {
        out.add(i);
        out.add(i + 1);
      }
    }
  }
  return out;
}

function wordsMatch(a: string, pa: string, b: string, pb: string): boolean {
  if (a === b || pa === pb) return true;
  if (a.length >= 5 && b.length >= 5 && levenshteinBounded(a, b, 1) <= 1) return true;
  if (a.length >= 4 && b.length >= 4 && (a.startsWith(b) || b.startsWith(a))) return true;
  // the second half of a word written in two ("Ryon Bong" against "Ryonbong")
  return a.length >= 4 && b.length > a.length && b.endsWith(a);
}

/** Whether token i of `form` has a counterpart among the tokens of `other` (or two of them written as one). */
function hasCounterpart(form: NameForm, i: number, other: NameForm): boolean {
  const a = form.tokens[i]!;
  const pa = form.phonetic[i]!;
  const t = other.tokens;
  for (let j = 0; j < t.length; j++) {
    if (wordsMatch(a, pa, t[j]!, other.phonetic[j]!)) return true;
    if (j + 1 < t.length && a.length === t[j]!.length + t[j + 1]!.length && a === t[j]! + t[j + 1]!) return true;
  }
  return false;
}

export interface PartyNameCheck {
  ok: boolean;
  /** The query's distinctive words, and those the entry matches. */
  distinctive: string[];
  matched: string[];
  /** Why a match was refused (for the explanation of a near miss). */
  reason?: string;
}

/** The forms of a party query the check reads: its organisation forms when it has any. */
function queryForms(query: Prepared): NameForm[] {
  return query.names.some((f) => f.kind === 'org') ? query.names.filter((f) => f.kind === 'org') : query.names;
}

/** Indices of the distinctive words of a query form. */
function distinctiveWords(q: NameForm): number[] {
  const places = placeTokens(q);
  const out: number[] = [];
  for (let i = 0; i < q.tokens.length; i++) {
    const t = q.tokens[i]!;
    if (q.base[i]! >= 0.9 && !GENERIC_WORDS.has(t) && !places.has(i) && !/^\d+$/.test(t)) out.push(i);
  }
  return out;
}

/** The distinctive words of a list name form, worked out once per form (list entries are checked again and again). */
const entryMemo = new WeakMap<NameForm, number[]>();
function entryWords(e: NameForm): number[] {
  let w = entryMemo.get(e);
  if (!w) entryMemo.set(e, (w = distinctiveWords(e)));
  return w;
}

/** A party query's forms with their distinctive words, worked out once per party. */
export interface PartyQuery {
  forms: Array<{ form: NameForm; distinct: number[] }>;
}

export function partyQuery(query: Prepared): PartyQuery {
  return { forms: queryForms(query).map((form) => ({ form, distinct: distinctiveWords(form) })) };
}

/** The line of business of a name form, worked out once per form. */
const activityMemo = new WeakMap<NameForm, Set<string>>();
function activitiesOf(f: NameForm): Set<string> {
  let a = activityMemo.get(f);
  if (!a) activityMemo.set(f, (a = activities(f)));
  return a;
}

/** Indices of the name words of a form (legal forms and symbols aside), once per form. */
const namedMemo = new WeakMap<NameForm, number[]>();
function namedWords(f: NameForm): number[] {
  let w = namedMemo.get(f);
  if (!w) {
    w = [];
    for (let i = 0; i < f.tokens.length; i++) if (f.base[i]! >= 0.9) w.push(i);
    namedMemo.set(f, w);
  }
  return w;
}

/**
 * The accepted match of `checkPartyName`, or undefined when it refuses: the same conditions, tested cheapest
 * first and without wording a refusal (screening a file asks this for every candidate; most are refused).
 */
export function partyNameMatch(query: PartyQuery, entry: Prepared): PartyNameCheck | undefined {
  let best: PartyNameCheck | undefined;
  let eForms: NameForm[] | undefined;
  for (const { form: q, distinct } of query.forms) {
    const allowed = Math.floor(distinct.length / 4);
    eForms ??= entry.weakNames.length > 0 ? [...entry.names, ...entry.weakNames] : entry.names;
    for (const e of eForms) {
      const matched: number[] = [];
      let leftOver = 0;
      for (const i of distinct) {
        if (hasCounterpart(q, i, e)) matched.push(i);
        else if (++leftOver > allowed) break;
      }
      if (leftOver > allowed) continue;
      const entryDistinct = entryWords(e);
      const entryAllowed = Math.floor(entryDistinct.length / 4);
      let entryLeft = 0;
      for (const j of entryDistinct) if (!hasCounterpart(e, j, q) && ++entryLeft > entryAllowed) break;
      if (entryLeft > entryAllowed) continue;
      const qAct = activitiesOf(q);
      const eAct = activitiesOf(e);
      if (qAct.size > 0 && eAct.size > 0 && ![...qAct].some((a) => eAct.has(a))) continue;
      if (matched.length === 0) {
        const named = namedWords(e);
        if (named.length === 0 || !named.every((j) => hasCounterpart(e, j, q))) continue;
      }
      if (!best || matched.length > best.matched.length)
        best = {
          ok: true,
          distinctive: distinct.map((i) => q.tokens[i]!),
          matched: matched.map((i) => q.tokens[i]!),
        };
    }
  }
  return best;
}

/** Is the party's name match with `entry` on distinctive words (see the module comment)? Best over their names. */
export function checkPartyName(query: PartyQuery, entry: Prepared): PartyNameCheck {
  const accepted = partyNameMatch(query, entry);
  if (accepted) return accepted;
  const eForms = [...entry.names, ...entry.weakNames];
  let best: PartyNameCheck = { ok: false, distinctive: [], matched: [], reason: 'no name in common' };
  for (const { form: q, distinct } of query.forms) {
    for (const e of eForms) {
      const named = (f: NameForm): number[] => f.tokens.map((_, i) => i).filter((i) => f.base[i]! >= 0.9);
      // Every name word of the entry is in the query: the query is the entry's name, perhaps with a place, a
      // branch or a legal form beside it.
      const covered = named(e).length > 0 && named(e).every((j) => hasCounterpart(e, j, q));
      const matched = distinct.filter((i) => hasCounterpart(q, i, e));
      const leftOver = distinct.length - matched.length;
      // and the entry's own distinctive words are in the query ("Pacific International Lines" is not "ASIA
      // PACIFIC LINKS LIMITED")
      const entryDistinct = entryWords(e);
      const entryLeft = entryDistinct.filter((j) => !hasCounterpart(e, j, q)).length;
      // names that give a line of business must agree on it
      const qAct = activities(q);
      const eAct = activities(e);
      const otherLine = qAct.size > 0 && eAct.size > 0 && ![...qAct].some((a) => eAct.has(a)) ? [...eAct] : undefined;
      const check: PartyNameCheck = {
        ok:
          (covered || matched.length >= 1) &&
          leftOver <= Math.floor(distinct.length / 4) &&
          entryLeft <= Math.floor(entryDistinct.length / 4) &&
          !otherLine,
        distinctive: distinct.map((i) => q.tokens[i]!),
        matched: matched.map((i) => q.tokens[i]!),
      };
      if (!check.ok)
        check.reason =
          otherLine && leftOver === 0 && entryLeft === 0
            ? `the entry is in another line of business (${[...eAct].join(', ')}…)`
            : leftOver === 0 && entryLeft > 0
              ? `the entry's own words ${entryDistinct
                  .filter((j) => !hasCounterpart(e, j, q))
                  .map((j) => e.tokens[j])
                  .join(', ')} are not in the name`
              : leftOver === 0
                ? 'the name has only legal forms, trade words and place names in common with the entry'
                : matched.length === 0 && !covered
                  ? `none of its distinctive words (${check.distinctive.join(', ')}) is in the entry's name`
                  : `its distinctive words ${check.distinctive.filter((w) => !check.matched.includes(w)).join(', ')} are not in the entry's name`;
      if (check.ok && !best.ok) best = check;
      else if (check.ok === best.ok && check.matched.length > best.matched.length) best = check;
    }
  }
  return best;
}

/**
 * The words of every indexed list name, to tell before any scoring which list entries a party could pass
 * `checkPartyName` with. A pair passes only when at most a quarter of the party's distinctive words (rounded
 * down) are left without a counterpart in the entry's name; a counterpart is an equal word or phonetic key, a word
 * one edit away, one it abbreviates or ends or that abbreviates it, or two adjacent words it joins
 * (`wordsMatch`, `hasCounterpart`). So:
 * - `mayMatch`: when more of its distinctive words than that have no possible counterpart in any list name, no
 *   entry can match (microseconds, from word sets);
 * - `entriesFor`: the entries in which enough of its distinctive words have a possible counterpart, from posting
 *   lists per word, key, one-deletion neighbour and joined pair. A party whose words all occur on the lists, but
 *   never together in one entry ("Xinhai Ocean": "ocean" on one entry, "xinhai" nowhere near it), is ruled out
 *   without ranking or scoring a single candidate.
 * Both err only towards "possible": an entry they leave out would have been refused by the check, so the findings
 * are the same as checking every candidate. Most parties of a shipment file carry their own coined name and are
 * ruled out here.
 */
export class PartyVocabulary {
  /** Entry indices (positions in the array given to the constructor) per word, phonetic key, near form, pair. */
  private readonly byWord = new Map<string, number[]>();
  private readonly byKey = new Map<string, number[]>();
  /** Words of five letters or more and their one-deletion neighbours (symmetric deletion: within one edit). */
  private readonly byNear = new Map<string, number[]>();
  /** Two adjacent words written as one. */
  private readonly byPair = new Map<string, number[]>();
  private readonly sorted: string[];
  /** The words written backwards, sorted (for words ending with a query word), and the words they come from. */
  private readonly reversed: string[];
  private readonly reversedWord: string[];
  /** Per entry: distinctive words of the current query form with a possible counterpart; stamp per query word. */
  private readonly count: Int32Array;
  private readonly stamp: Int32Array;
  private stampNo = 0;

  constructor(entities: readonly Prepared[]) {
    const add = (map: Map<string, number[]>, key: string, idx: number): void => {
      const list = map.get(key);
      if (!list) map.set(key, [idx]);
      else if (list[list.length - 1] !== idx) list.push(idx);
    };
    for (let idx = 0; idx < entities.length; idx++) {
      const e = entities[idx]!;
      for (const f of [...e.names, ...e.weakNames]) {
        for (let i = 0; i < f.tokens.length; i++) {
          const t = f.tokens[i]!;
          add(this.byWord, t, idx);
          add(this.byKey, f.phonetic[i]!, idx);
          if (t.length >= 5) for (const d of deletions(t)) add(this.byNear, d, idx);
          if (i + 1 < f.tokens.length) add(this.byPair, t + f.tokens[i + 1]!, idx);
        }
      }
    }
    this.sorted = [...this.byWord.keys()].sort();
    const rev = this.sorted
      .map((w) => [reverse(w), w] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.reversed = rev.map((r) => r[0]);
    this.reversedWord = rev.map((r) => r[1]);
    this.count = new Int32Array(entities.length);
    this.stamp = new Int32Array(entities.length);
  }

  /** Could some list word be the counterpart of this query word (see `wordsMatch` and `hasCounterpart`)? */
  private possible(t: string, key: string): boolean {
    if (this.byWord.has(t) || this.byKey.has(key) || this.byPair.has(t)) return true;
    if (t.length >= 5 && deletions(t).some((d) => this.byNear.has(d))) return true;
    if (t.length >= 4) {
      const k0 = firstFrom(this.sorted, t);
      if (k0 < this.sorted.length && this.sorted[k0]!.startsWith(t)) return true;
      const r = reverse(t);
      const k = firstFrom(this.reversed, r);
      if (k < this.reversed.length && this.reversed[k]!.startsWith(r)) return true;
      for (let n = 4; n < t.length; n++) if (this.byWord.has(t.slice(0, n))) return true;
    }
    return false;
  }

  /** False when no list entry can pass `checkPartyName` for this query (see the class comment). */
  mayMatch(query: PartyQuery): boolean {
    for (const { form: q, distinct } of query.forms) {
      let impossible = 0;
      for (const i of distinct) if (!this.possible(q.tokens[i]!, q.phonetic[i]!)) impossible++;
      if (impossible <= Math.floor(distinct.length / 4)) return true;
    }
    return false;
  }

  /**
   * The entries (indices) a party may pass `checkPartyName` with: for some form of the query, enough of its
   * distinctive words have a possible counterpart among the entry's words. Undefined when a form has no
   * distinctive word (the check then rests on the entry's words alone: every entry stays possible).
   */
  entriesFor(query: PartyQuery): Set<number> | undefined {
    const out = new Set<number>();
    const count = this.count;
    const stamp = this.stamp;
    for (const { form: q, distinct } of query.forms) {
      if (distinct.length === 0) return undefined;
      const need = distinct.length - Math.floor(distinct.length / 4);
      const touched: number[] = [];
      for (const i of distinct) {
        const no = ++this.stampNo;
        const visit = (list: number[] | undefined): void => {
          if (!list) return;
          for (let k = 0; k < list.length; k++) {
            const idx = list[k]!;
            if (stamp[idx] === no) continue;
            stamp[idx] = no;
            if (count[idx] === 0) touched.push(idx);
            count[idx]!++;
          }
        };
        const a = q.tokens[i]!;
        visit(this.byWord.get(a));
        visit(this.byKey.get(q.phonetic[i]!));
        visit(this.byPair.get(a));
        if (a.length >= 5) for (const d of deletions(a)) visit(this.byNear.get(d));
        if (a.length >= 4) {
          // words that start with it, words it starts with, words that end with it
          for (let k = firstFrom(this.sorted, a); k < this.sorted.length && this.sorted[k]!.startsWith(a); k++)
            visit(this.byWord.get(this.sorted[k]!));
          for (let n = 4; n < a.length; n++) visit(this.byWord.get(a.slice(0, n)));
          const r = reverse(a);
          for (let k = firstFrom(this.reversed, r); k < this.reversed.length && this.reversed[k]!.startsWith(r); k++)
            visit(this.byWord.get(this.reversedWord[k]!));
        }
      }
      for (const idx of touched) {
        if (count[idx]! >= need) out.add(idx);
        count[idx] = 0;
      }
    }
    return out;
  }
}

/** Index of the first word of the sorted list not below `word` (binary search). */
function firstFrom(sorted: readonly string[], word: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < word) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function reverse(t: string): string {
  let out = '';
  for (let i = t.length - 1; i >= 0; i--) out += t[i];
  return out;
}

/** The word itself and every form with one letter deleted. */
function deletions(t: string): string[] {
  const out = [t];
  for (let i = 0; i < t.length; i++) out.push(t.slice(0, i) + t.slice(i + 1));
  return out;
}
