import { looksKorean } from '../korean.js';
import type { NameForm } from '../normalise.js';
import { phoneticKey } from '../phonetic.js';
import { ORG_SHORT_EXPONENT, PERSON_SHORT_EXPONENT, TOKEN_FLOOR, tokenSimilarity } from './tokens.js';

/**
 * Token alignment of two names: pair tokens greedily by similarity (each used once, any order) and score the
 * paired share of all token weight on both sides (token weight = weight × length, so "llc" or "co" count little).
 */

/** Applied when both names keep an unpaired full-weight word. */
export const CONFLICT_FACTOR = 0.8;
/** Share of the extra words' weight forgiven when one name is wholly contained in the other. */
export const SUBSET_DISCOUNT = 0.5;
/** "abd" and a name pair with a joined 'abd name at this similarity (Abd al-Nasir / Abdelnasser). */
const ABD_JOIN_FLOOR = 0.8;
/** Names with more name words than this are not searched for words written as two (mergeWords). */
const MERGE_MAX_WORDS = 4;

/**
 * Scratch buffers reused between calls (similarity matrix and used flags): they carry nothing from one call to
 * the next, every cell read is written first.
 */
let sim = new Float64Array(64);
let usedQ = new Uint8Array(16);
let usedC = new Uint8Array(16);

/** A token's weight in the alignment: its weight times its length (at least 2). */
function tokenWeight(f: NameForm, x: number): number {
  return f.weights[x]! * Math.max(f.tokens[x]!.length, 2);
}

export function alignNames(q: NameForm, c: NameForm): number {
  const nq = q.tokens.length;
  const nc = c.tokens.length;
  if (nq === 0 || nc === 0) return 0;
  const cells = nq * nc;
  if (sim.length < cells) sim = new Float64Array(cells * 2);
  if (usedQ.length < nq) usedQ = new Uint8Array(nq * 2);
  if (usedC.length < nc) usedC = new Uint8Array(nc * 2);
  const uq = usedQ;
  const uc = usedC;
  let total = 0;
  const initials = q.kind !== 'org' && c.kind !== 'org';
  const shortExponent = q.kind === 'org' && c.kind === 'org' ? ORG_SHORT_EXPONENT : PERSON_SHORT_EXPONENT;
  for (let i = 0; i < nq; i++) {
    uq[i] = 0;
    total += tokenWeight(q, i);
    for (let j = 0; j < nc; j++) {
      const s = tokenSimilarity(q.tokens[i]!, q.phonetic[i]!, c.tokens[j]!, c.phonetic[j]!, initials, shortExponent);
      sim[i * nc + j] = s >= TOKEN_FLOOR ? s : 0;
    }
  }
  for (let j = 0; j < nc; j++) {
    uc[j] = 0;
    total += tokenWeight(c, j);
  }
  if (total <= 0) return 0;
  // A word written as two on the other side ("TAI PEN" / "TAIPEN", "HAMMEDI, Ben" / "BENHAMMEDI"), spelled or keyed
  // the same, pairs first (before "hammedi" settles for "mohammed").
  let matched = 0;
  let pairs = 0;
  // Only between names of a few name words (persons, short company names; "co", "llc" do not count): in long
  // names the loops cost more than the rare split word they find.
  if ((nq > 1 || nc > 1) && nameWords(q) <= MERGE_MAX_WORDS && nameWords(c) <= MERGE_MAX_WORDS) {
    const m = mergeWords(q, uq, c, uc, shortExponent) + mergeWords(c, uc, q, uq, shortExponent);
    if (m > 0) {
      matched += m;
      pairs++;
    }
  }
  // Greedy pairing, best pair first; each token is used once. Names are short, so a scan per pick is cheap.
  for (let pick = 0; pick < nq && pick < nc; pick++) {
    let best = 0;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < nq; i++) {
      if (uq[i]) continue;
      for (let j = 0; j < nc; j++) {
        const s = sim[i * nc + j]!;
        if (s > best && !uc[j]) {
          best = s;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0) break;
    pairs++;
    uq[bi] = 1;
    uc[bj] = 1;
    matched += best * (tokenWeight(q, bi) + tokenWeight(c, bj));
  }
  // A name word left over on both sides is conflicting evidence (Kim Jong Un / Kim Yo Jong), not just a longer
  // form of the same name (Kim Chol / Kim Chol Nam).
  let leftQ = false;
  let restQ = 0;
  for (let i = 0; i < nq; i++) {
    if (uq[i]) continue;
    if (q.base[i]! >= 0.9) leftQ = true;
    restQ += tokenWeight(q, i);
  }
  let leftC = false;
  let restC = 0;
  for (let j = 0; j < nc; j++) {
    if (uc[j]) continue;
    if (c.base[j]! >= 0.9) leftC = true;
    restC += tokenWeight(c, j);
  }
  if (leftQ && leftC) return (matched / total) * CONFLICT_FACTOR;
  // Korean given names are two syllables (sometimes one): a syllable more or less is another given name, "Jo Chol"
  // is not "Jo Yong Chol".
  if ((leftQ || leftC) && looksKorean(q.tokens) && looksKorean(c.tokens)) return (matched / total) * CONFLICT_FACTOR;
  // One name of two words or more fully inside the other (a missing middle name or patronymic): the extra words
  // count half. A one-word name (a nickname, "MIKE") gets no such allowance, nor do Korean names, whose given
  // names are syllables: "Jo Chol" and "Jo Yong Chol" are different names, not a short and a long form.
  if (pairs >= 2 && (restQ === 0 || restC === 0) && !(looksKorean(q.tokens) && looksKorean(c.tokens)))
    return matched / (total - SUBSET_DISCOUNT * (restQ + restC));
  return matched / total;
}

/** Words of full weight (not organisation types or symbols). */
function nameWords(f: NameForm): number {
  let n = 0;
  for (let i = 0; i < f.base.length; i++) if (f.base[i]! >= 0.9) n++;
  return n;
}

/**
 * Pair two unpaired words of `a` (joined, in either order: list names put the family name first or last) with one
 * unpaired word of `b` of five letters or more that is spelled like the join (1) or has its phonetic key (0.92).
 * Checked without building strings: this runs for every candidate name pair. (A near join, one edit away, was
 * tried too: one more hit in the evaluation for 30% more time per query.) Returns the weight matched and marks the
 * words used.
 */
function mergeWords(a: NameForm, usedA: Uint8Array, b: NameForm, usedB: Uint8Array, shortExponent: number): number {
  const na = a.tokens.length;
  if (na < 2) return 0;
  let matched = 0;
  for (let j = 0; j < b.tokens.length; j++) {
    const target = b.tokens[j]!;
    const tl = target.length;
    if (usedB[j] || tl < 5) continue;
    const tph = b.phonetic[j]!;
    const pl = tph.length;
    let best = 0;
    let bi = -1;
    let bk = -1;
    for (let i = 0; i < na; i++) {
      const ti = a.tokens[i]!;
      const pi = a.phonetic[i]!;
      // The join starts with word i: shorter than the target, and its first letter (or key letter) starts it.
      if (usedA[i] || ti.length >= tl) continue;
      if (ti.charCodeAt(0) !== target.charCodeAt(0) && pi.charCodeAt(0) !== tph.charCodeAt(0)) continue;
      for (let k = 0; k < na; k++) {
        if (k === i || usedA[k]) continue;
        const tk = a.tokens[k]!;
        const pk = a.phonetic[k]!;
        let s = 0;
        if (ti.length + tk.length === tl && target.startsWith(ti) && target.endsWith(tk)) s = 1;
        else if (pi.length + pk.length === pl && tph.startsWith(pi) && tph.endsWith(pk)) s = 0.92;
        else if (ti === 'abd' && target.startsWith('abd') && Math.abs(3 + tk.length - tl) <= 2) {
          // "abd nasir" and Abdelnasser (canonical abdnasser, normalise.ts): the name after 'abd may vary.
          s = tokenSimilarity(ti + tk, pi + pk, target, tph, false, shortExponent);
        } else if (Math.abs(ti.length + tk.length - tl) <= 2 && phoneticKey(ti + tk) === tph) {
          // The key of the joined words: a syllable that is also a Korean family name has the family-name key
          // on its own (Yu, Seo), and an h after a consonant is only silent inside a word (Song Ho / Seongho).
          s = 0.92;
        }
        if (s > best) {
          best = s;
          bi = i;
          bk = k;
        }
      }
    }
    if (best < (bi >= 0 && a.tokens[bi] === 'abd' ? ABD_JOIN_FLOOR : 0.92)) {
      // Three words in order, spelled as one: Korean syllables ("Chong Chon Gang" / CHONGCHONGANG).
      const bm = na >= 3 ? joinOfThree(a, usedA, target) : -1;
      if (bm < 0) continue;
      usedA[bm] = usedA[bm + 1] = usedA[bm + 2] = 1;
      usedB[j] = 1;
      matched += 0.97 * (tokenWeight(a, bm) + tokenWeight(a, bm + 1) + tokenWeight(a, bm + 2) + tokenWeight(b, j));
      continue;
    }
    usedA[bi] = 1;
    usedA[bk] = 1;
    usedB[j] = 1;
    // A split word is a small difference, as in compactSimilarity ("Jongun" / "Jong Un": 0.97).
    matched += Math.min(best, 0.97) * (tokenWeight(a, bi) + tokenWeight(a, bk) + tokenWeight(b, j));
  }
  return matched;
}

/** The first of three adjacent unpaired words of `a` that spell `target` joined, or -1. */
function joinOfThree(a: NameForm, usedA: Uint8Array, target: string): number {
  for (let m = 0; m + 2 < a.tokens.length; m++) {
    if (usedA[m] || usedA[m + 1] || usedA[m + 2]) continue;
    const x = a.tokens[m]!;
    const y = a.tokens[m + 1]!;
    const z = a.tokens[m + 2]!;
    if (x.length + y.length + z.length !== target.length || !target.startsWith(x) || !target.endsWith(z)) continue;
    if (target.startsWith(y, x.length)) return m;
  }
  return -1;
}
