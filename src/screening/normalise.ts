import { phoneticKey } from './phonetic.js';
import { loadOrgSymbols, loadOrgTypes, loadStopwords } from './rigour.js';
import { transliterate } from './transliterate.js';

/**
 * Name normalisation: every name on a list and every query goes through the same steps, so comparisons are
 * between like forms.
 *
 * 1. other scripts → Latin (Hangul in the DPRK's McCune-Reischauer, Cyrillic, Greek, ...; transliterate.ts)
 * 2. Unicode folding: NFKD, combining marks removed, lower case, ß → ss, ø → o, ...
 * 3. apostrophes join (Ch'oe → choe), every other punctuation mark and hyphen splits (Jong-un → jong un)
 * 4. by kind: person-name prefixes (Mr, Dr, General, ...) dropped from the front; organisation types replaced by
 *    their generic class (Co., Ltd. / Limited / OOO → llc) and organisation symbols by their key
 *    (corporation / company / компания → co), both with a low weight; vessel prefixes (MV, M/V) dropped.
 * 5. every token gets a phonetic key (phonetic.ts) and the whole name a compact key (the keys joined), which is
 *    what makes "Jong Un", "Jong-un" and "Jongun" the same.
 */

export type NameKind = 'person' | 'org' | 'object' | 'any';

export interface NameForm {
  original: string;
  /** Folded tokens in their original order. */
  tokens: string[];
  /** Per-token weight used in comparisons: the base weight, scaled by rarity once an index is known. */
  weights: number[];
  /** Per-token base weight: 1 for name words, lower for organisation types and symbols. */
  base: number[];
  /** Phonetic key per token. */
  phonetic: string[];
  /** Phonetic keys joined without separators. */
  compact: string;
  /**
   * The word skeletons joined (consonants, h kept: Hala is HL, Ali is L): how a whole abjad-script name compares
   * with a Latin one.
   */
  skeleton: string;
  /** Set when the name was written in a script that leaves short vowels out (Arabic, Persian, Urdu, Hebrew). */
  abjad: boolean;
  /**
   * Per-word consonant skeletons, for comparing an abjad-script name with a Latin one word by word; the Arabic
   * article written joined (التكريتي → al + tkryty) is split off as its own word.
   */
  skTokens: string[];
  skWeights: number[];
  /** The kind of name this form was normalised as. */
  kind: NameKind;
}

/** Weight of an organisation type token ("llc") and of a common organisation word ("co", "trade"). */
export const ORG_TYPE_WEIGHT = 0.2;
export const ORG_SYMBOL_WEIGHT = 0.5;

const SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŀ: 'l',
};

/** Steps 1-3: Latin, folded, lower case, apostrophes joined, punctuation split, single spaces. */
export function foldText(text: string, opts: { personName?: boolean } = {}): string {
  if (isAscii(text)) return foldAscii(text);
  // Arabic presentation forms (ﻤﺤﻤﺪ, as some lists paste them) become the plain letters the transliteration knows.
  let s = transliterate(PRESENTATION_FORMS.test(text) ? text.normalize('NFKC') : text, opts);
  s = s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  s = s.replace(/[ßæœøđðþłıħŀ]/g, (c) => SPECIAL[c] ?? c);
  s = s.replace(/['’‘`´ʼʻ]/g, '');
  return s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const PRESENTATION_FORMS = /[\ufb50-\ufdff\ufe70-\ufeff]/;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/** The fast path of foldText for plain ASCII (most list names). */
function foldAscii(text: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c === 39 || c === 96) continue; // ' and ` join
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (space && out.length > 0) out += ' ';
      space = false;
      out += String.fromCharCode(c);
    } else space = true;
  }
  return out;
}

export function foldTokens(text: string, opts: { personName?: boolean } = {}): string[] {
  const folded = foldText(text, opts);
  return folded === '' ? [] : folded.split(' ');
}

interface Lexicon {
  personPrefixes: string[][];
  objectPrefixes: string[][];
  orgPrefixes: string[][];
  /** Folded org-type alias (tokens joined by a space) → replacement token. */
  orgTypes: Map<string, string>;
  orgTypeMaxTokens: number;
  /** Folded single-token org symbol → key. */
  orgSymbols: Map<string, string>;
}

let lexicon: Lexicon | undefined;

function getLexicon(): Lexicon {
  if (lexicon) return lexicon;
  const sw = loadStopwords();
  const fold = (list: string[]): string[][] =>
    list
      .map((p) => foldTokens(p))
      .filter((t) => t.length > 0)
      .sort((a, b) => b.length - a.length);
  const orgTypes = new Map<string, string>();
  let orgTypeMaxTokens = 1;
  for (const type of loadOrgTypes()) {
    const replacement = foldTokens(type.compare).join('');
    if (replacement === '') continue;
    for (const alias of type.aliases) {
      const tokens = foldTokens(alias);
      if (tokens.length === 0) continue;
      const key = tokens.join(' ');
      if (!orgTypes.has(key)) orgTypes.set(key, replacement);
      orgTypeMaxTokens = Math.max(orgTypeMaxTokens, tokens.length);
    }
  }
  const orgSymbols = new Map<string, string>();
  for (const [key, spellings] of loadOrgSymbols()) {
    for (const s of spellings) {
      const tokens = foldTokens(s);
      if (tokens.length === 1 && !orgSymbols.has(tokens[0]!)) orgSymbols.set(tokens[0]!, key);
    }
  }
  lexicon = {
    personPrefixes: fold(sw.personPrefixes),
    objectPrefixes: fold(sw.objectPrefixes),
    orgPrefixes: fold(sw.orgPrefixes),
    orgTypes,
    orgTypeMaxTokens: Math.min(orgTypeMaxTokens, 8),
    orgSymbols,
  };
  return lexicon;
}

function stripPrefixes(tokens: string[], prefixes: string[][]): string[] {
  let changed = true;
  while (changed && tokens.length > 1) {
    changed = false;
    for (const p of prefixes) {
      if (p.length >= tokens.length) continue;
      let ok = true;
      for (let i = 0; i < p.length; i++) {
        if (tokens[i] !== p[i]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        tokens = tokens.slice(p.length);
        changed = true;
        break;
      }
    }
  }
  return tokens;
}

const ACRONYM = /^[b-df-hj-np-tv-xz]{2,5}$/;

/** Normalise a name into comparable tokens, weights and phonetic keys (see the module comment). */
export function normaliseName(name: string, kind: NameKind = 'any'): NameForm {
  const lex = getLexicon();
  let tokens = foldTokens(name, { personName: kind === 'person' || kind === 'any' });
  let weights: number[];
  // Skeletons (for abjad-script comparisons) are read from the words as written, before the Arabic particles of a
  // Latin person name are made canonical below: عبد العزيز pairs with ABDEL AZIZ word by word.
  let skSource = tokens;
  if (kind === 'person') {
    // Honorifics are Latin words ("Mr", "Dr"); an abjad-script name transliterates to consonants that may spell
    // one (عمر, Omar, is "mr").
    if (!ABJAD.test(name)) tokens = stripPrefixes(tokens, lex.personPrefixes);
    skSource = tokens;
    if (!ABJAD.test(name)) tokens = canonicalArabicParticles(tokens);
    weights = personWeights(tokens);
  } else if (kind === 'object') {
    tokens = stripPrefixes(tokens, lex.objectPrefixes);
    weights = tokens.map(() => 1);
  } else if (kind === 'org') {
    tokens = stripPrefixes(tokens, lex.orgPrefixes);
    const outTokens: string[] = [];
    weights = [];
    let i = 0;
    while (i < tokens.length) {
      let matched = false;
      for (let len = Math.min(lex.orgTypeMaxTokens, tokens.length - i); len >= 1; len--) {
        const replacement = lex.orgTypes.get(tokens.slice(i, i + len).join(' '));
        // A lone org-type word at the very start is more likely a name ("Limited Edition" aside, rare).
        if (replacement !== undefined && !(i === 0 && len === tokens.length)) {
          outTokens.push(replacement);
          weights.push(ORG_TYPE_WEIGHT);
          i += len;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      const token = tokens[i]!;
      const symbol = lex.orgSymbols.get(token);
      if (symbol !== undefined && tokens.length > 1) {
        outTokens.push(symbol);
        weights.push(ORG_SYMBOL_WEIGHT);
      } else {
        outTokens.push(token);
        weights.push(1);
      }
      i++;
    }
    tokens = outTokens;
  } else {
    if (kind === 'any' && !ABJAD.test(name)) tokens = canonicalArabicParticles(tokens);
    weights = tokens.map(() => 1);
  }
  if (kind === 'org' || kind === 'object') skSource = tokens;
  const abjad = ABJAD.test(name);
  // A Latin word without vowels is an acronym or initialism ("STK", "RPP", "DM"): its letters are not sounds, so it
  // keeps its spelling (lower case, which no phonetic key uses) instead of a phonetic key that would make "STK"
  // meet "STGH". Abjad-script names are exempt: their transliterations lack short vowels by nature.
  const phonetic = tokens.map((t) => (!abjad && ACRONYM.test(t) ? t : phoneticKey(t)));
  const compact = phonetic.join('');
  const skTokens: string[] = [];
  const skWeights: number[] = [];
  for (let i = 0; i < skSource.length; i++) {
    let t = skSource[i]!;
    if (abjad && t.length > 4 && t.startsWith('al')) {
      skTokens.push('L');
      skWeights.push(0.2);
      t = t.slice(2);
    }
    const sk = wordSkeleton(t);
    if (sk === '') continue;
    skTokens.push(sk);
    // A one-consonant skeleton says little, but a word of three letters or more (Ali, Wali, Ryu, Agha) is still a
    // name word that must pair: 0.6; articles and particles (al-, "bn") 0.2.
    skWeights.push(sk.length <= 1 ? (t.length >= 3 ? 0.6 : 0.2) : skSource === tokens ? weights[i]! : 1);
  }
  return {
    original: name,
    tokens,
    weights,
    base: [...weights],
    phonetic,
    compact,
    skeleton: skTokens.join(''),
    abjad,
    skTokens,
    skWeights,
    kind,
  };
}

const ABJAD = /[\u0590-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]/;

/** Weight of the Arabic article written as a word in a Latin person name (al-, el-, as-Sa'di). */
export const ARTICLE_WEIGHT = 0.2;
/** Weight of an East Slavic patronymic (Sergeyevich, Viktorovna): often left out, and shared by many. */
export const PATRONYMIC_WEIGHT = 0.5;
/**
 * Article spellings lowered in person names. "an", "un", "en", "er", "ur", "es", "us" are left out: they are also
 * names (the Korean family name An).
 */
const PERSON_ARTICLES = new Set(['al', 'el', 'ul', 'as', 'ash', 'ad', 'ed', 'ud', 'at', 'az', 'ar']);
const PATRONYMIC = /^[a-z]{3,}(?:ovich|evich|ovitch|evitch|owitsch|ewitsch|ovna|evna|owna|ewna|ichna|ivna)$/;

/**
 * Per-token weights of a Latin person name: 1, except an article before another word of three letters or more
 * (not a name of its own, and spelled al/el/as at random) and a patronymic. Both weigh below 0.9, so a word of
 * theirs left over is no conflicting evidence (alignNames).
 */
function personWeights(tokens: string[]): number[] {
  return tokens.map((t, i) =>
    PERSON_ARTICLES.has(t) && (tokens[i + 1]?.length ?? 0) >= 3
      ? ARTICLE_WEIGHT
      : PATRONYMIC.test(t)
        ? PATRONYMIC_WEIGHT
        : 1,
  );
}

/** "Son of" between two names: ibn, ben, bn (Usama ibn Ladin / Osama bin Laden). */
const SON_OF = new Set(['bin', 'ibn', 'ben', 'bn', 'ibni']);
/** Spellings of 'abd (servant of) written as a word before the divine name: Abd al-Aziz, Abdel Aziz, Abdul Aziz. */
const ABD_WORDS = new Set(['abd', 'abdul', 'abdel', 'abdal', 'abdol', 'abdoul', 'abdou', 'abdu', 'abdur', 'abder']);
/** The article as a separate word, assimilated or not (al-, el-, ar-, as-, ...). */
const ARTICLES = new Set(['al', 'el', 'ul', 'ar', 'ur', 'er', 'as', 'us', 'es', 'an', 'un', 'en', 'ad', 'ud', 'ed']);
/** Abdullah in its spellings (left as written: Abdullah, Abdallah, Abdellah, Abdullahi). */
const ABDALLAH = /^abd[aeiou]?ll?[ae]h?i?$/;
/**
 * 'Abd and the article joined to the name: with l (Abdelaziz, Abdulkadir) or assimilated, the name's first
 * consonant doubled (Abdurrahman, Abderrahmane, Abdussalam, Abdennour).
 */
const ABD_JOINED = /^abd(?:(?:oul|ul|el|al|ol)(.{3,})|[aeiou]([rsdnzt])(\2.{2,}))$/;

/**
 * Arabic compound names and particles in Latin spellings, made canonical so that the spellings pair word for word:
 * 'abd (servant of) written as a word, with or without the article, becomes the word "abd" (Abd al-Aziz, Abdel
 * Aziz, Abdul Aziz → abd aziz; a separate word, so "RAHIM, Abdul" still pairs with Abdul Rahim), Abd Allah becomes
 * abdallah, and ibn/ben/bn between two names becomes bin. A joined spelling loses its article but stays one word
 * (Abdelaziz, Abdulaziz → abdaziz; Abdurrahman → abdrahman): split in two (abd + aziz) it was measured to cost
 * more false positives than it found; joined, it meets "abd aziz" through the split-word pairing of features.ts.
 */
export function canonicalArabicParticles(tokens: string[]): string[] {
  let out: string[] | undefined;
  const n = tokens.length;
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    let c = t;
    let skip = 0;
    if (i > 0 && i < n - 1 && SON_OF.has(t)) c = 'bin';
    else if (ABD_WORDS.has(t)) {
      let j = i + 1;
      if (j < n && ARTICLES.has(tokens[j]!) && j + 1 < n) j++;
      const rest = j < n ? tokens[j]! : '';
      if (rest === 'allah' || rest === 'ullah') {
        c = 'abdallah';
        skip = j - i;
      } else {
        c = 'abd';
        skip = j - i - 1;
      }
    } else if (t.length > 6 && t.startsWith('abd') && !ABDALLAH.test(t)) {
      const m = ABD_JOINED.exec(t);
      if (m) c = `abd${m[1] ?? m[3]!}`;
    }
    if (c !== t || skip > 0) out ??= tokens.slice(0, i);
    if (out) out.push(c);
    i += skip;
  }
  return out ?? tokens;
}

// Skeletons only meet names written in Arabic script, whose Latin spellings are often French: ch is ش (Chekri,
// Akkacha = عكاشة) and dj is ج (Djamel = جمال). Persian/Urdu چ transliterates to ch on both sides, so it agrees.
const SKELETON_DIGRAPHS: Record<string, string> = {
  kh: 'X',
  gh: 'G',
  sh: 'S',
  ch: 'S',
  th: 'T',
  dh: 'D',
  dj: 'J',
  ph: 'F',
};
// z and d share a class: ض, ظ and ذ are d/dh in Arabic spellings and z in Persian, Urdu and Pashto ones (فضل is
// Fadl and Fazal).
const SKELETON_LETTERS: Record<string, string> = {
  b: 'B',
  p: 'B',
  c: 'K',
  d: 'D',
  f: 'F',
  v: 'F',
  g: 'G',
  h: 'H',
  j: 'J',
  k: 'K',
  q: 'K',
  l: 'L',
  m: 'M',
  n: 'N',
  r: 'R',
  s: 'S',
  t: 'T',
  x: 'KS',
  z: 'D',
};

/**
 * The consonants of one folded word, finer than the phonetic key (d ≠ t, h kept): "mahmud" → "MHMD", the Arabic
 * محمود (mhmwd) → "MHMD". Vowels and the glides w/y are dropped, doubled letters collapse.
 */
export function wordSkeleton(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const di = SKELETON_DIGRAPHS[word.slice(i, i + 2)];
    let c: string | undefined;
    if (di) {
      c = di;
      i++;
    } else c = SKELETON_LETTERS[word[i]!];
    if (c === undefined) {
      if (!'aeiouwy'.includes(word[i]!)) c = word[i];
      else continue;
    }
    if (c !== undefined && !out.endsWith(c)) out += c;
  }
  return out;
}

/** The kind of name a FtM schema carries. */
export function nameKindForSchema(schema: string): NameKind {
  switch (schema) {
    case 'Person':
      return 'person';
    case 'Organization':
    case 'Company':
    case 'PublicBody':
      return 'org';
    case 'Vessel':
    case 'Airplane':
    case 'Vehicle':
      return 'object';
    default:
      return 'any';
  }
}
