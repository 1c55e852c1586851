/**
 * Korean: Hangul → Latin the way DPRK names reach sanctions lists, and the surname variants that make
 * "Ri", "Rhee", "Lee" and "Yi" one family name.
 *
 * Three romanizations are produced per syllable:
 * - `dprk`: McCune-Reischauer as the DPRK applies it (its 1992 national system and the spellings on UN, EU and
 *   UK lists): no breves, ㅈ = j, ㅊ = ch, ㅋ/ㅌ/ㅍ = k/t/p, and no South Korean initial-ㄹ rule (리 = Ri, 림 = Rim,
 *   로 = Ro). Given-name syllables are written as separate words ("Choe Chun Sik").
 * - `mr`: classic McCune-Reischauer with apostrophes and breves folded (ㅊ = ch', ㅓ = o), e.g. "Ch'oe Ch'un Sik".
 * - `rr`: South Korean Revised Romanization (2000), with the initial-ㄹ rule for family names (이 = I, 리 = Ri
 *   stays only in the DPRK form).
 *
 * Hangul syllables are decomposed arithmetically (U+AC00 + (initial × 21 + medial) × 28 + final).
 */

const SYLLABLE_BASE = 0xac00;
const SYLLABLE_LAST = 0xd7a3;

// Initial consonants (19): ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
// biome-ignore format: one jamo per column
const INITIAL_DPRK = ['k', 'kk', 'n', 't', 'tt', 'r', 'm', 'p', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];
// biome-ignore format: one jamo per column
const INITIAL_MR = ['k', 'kk', 'n', 't', 'tt', 'r', 'm', 'p', 'pp', 's', 'ss', '', 'ch', 'tch', "ch'", "k'", "t'", "p'", 'h'];
// biome-ignore format: one jamo per column
const INITIAL_RR = ['g', 'kk', 'n', 'd', 'tt', 'r', 'm', 'b', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];

// Medial vowels (21): ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ
// biome-ignore format: one jamo per column
const MEDIAL_MR = [
  'a', 'ae', 'ya', 'yae', 'o', 'e', 'yo', 'ye', 'o', 'wa', 'wae', 'oe', 'yo', 'u', 'wo', 'we', 'wi', 'yu', 'u', 'ui', 'i',
];
// biome-ignore format: one jamo per column
const MEDIAL_RR = [
  'a', 'ae', 'ya', 'yae', 'eo', 'e', 'yeo', 'ye', 'o', 'wa', 'wae', 'oe', 'yo', 'u', 'wo', 'we', 'wi', 'yu', 'eu', 'ui', 'i',
];

// Final consonants (28, index 0 = none)
// biome-ignore format: one jamo per column
const FINAL_MR = [
  '', 'k', 'k', 'k', 'n', 'n', 'n', 't', 'l', 'k', 'm', 'l', 'l', 'l', 'p', 'l', 'm', 'p', 'p', 't', 't', 'ng', 't', 't',
  'k', 't', 'p', 't',
];
// biome-ignore format: one jamo per column
const FINAL_RR = [
  '', 'k', 'k', 'k', 'n', 'n', 'n', 't', 'l', 'k', 'm', 'l', 'l', 'l', 'p', 'l', 'm', 'p', 'p', 't', 't', 'ng', 't', 't',
  'k', 't', 'p', 't',
];

export type Romanization = 'dprk' | 'mr' | 'rr';

export function isHangulSyllable(code: number): boolean {
  return code >= SYLLABLE_BASE && code <= SYLLABLE_LAST;
}

/** True when the text holds at least one Hangul syllable. */
export function hasHangul(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isHangulSyllable(text.charCodeAt(i))) return true;
  return false;
}

/** One Hangul syllable in the given system (lower case); other characters are returned unchanged. */
export function romanizeSyllable(ch: string, system: Romanization = 'dprk'): string {
  const code = ch.charCodeAt(0);
  if (!isHangulSyllable(code)) return ch;
  const index = code - SYLLABLE_BASE;
  const initial = Math.floor(index / 588);
  const medial = Math.floor((index % 588) / 28);
  const final = index % 28;
  if (system === 'rr') return INITIAL_RR[initial]! + MEDIAL_RR[medial]! + FINAL_RR[final]!;
  const head = system === 'mr' ? INITIAL_MR[initial]! : INITIAL_DPRK[initial]!;
  return head + MEDIAL_MR[medial]! + FINAL_MR[final]!;
}

/**
 * Romanize a Korean name. Each run of Hangul syllables is a word; for person names (`syllableWords`, the DPRK
 * habit) every syllable after the first of a run becomes its own word: "최춘식" → "Choe Chun Sik". A run of exactly
 * three syllables is read as family name + two-syllable given name; longer runs (organisations) stay one word.
 */
export function romanizeKorean(text: string, opts: { system?: Romanization; syllableWords?: boolean } = {}): string {
  const system = opts.system ?? 'dprk';
  const out: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const parts = run.map((s, i) => (i === 0 && system === 'rr' ? rrFamilyInitial(s) : romanizeSyllable(s, system)));
    if (opts.syllableWords && run.length <= 4) out.push(capitalize(parts[0]!), ...parts.slice(1).map(capitalize));
    else out.push(capitalize(parts.join('')));
    run = [];
  };
  let other = '';
  for (const ch of text) {
    if (isHangulSyllable(ch.charCodeAt(0))) {
      if (other !== '') {
        out.push(other);
        other = '';
      }
      run.push(ch);
    } else {
      flush();
      other += ch;
    }
  }
  flush();
  if (other !== '') out.push(other);
  return out
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .join(' ');
}

/** RR applies the South Korean initial-ㄹ rule to a word-initial syllable: 리 → i, 류 → yu, 로 → no. */
function rrFamilyInitial(syllable: string): string {
  const rr = romanizeSyllable(syllable, 'rr');
  if (!rr.startsWith('r')) return rr;
  const rest = rr.slice(1);
  if (/^(i|y)/.test(rest)) return rest;
  return `n${rest}`;
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/**
 * Korean family names and the spellings they reach lists in. The first spelling is the canonical key used by
 * the matcher; every other spelling maps to it. Sources: the DPRK 1992 system, McCune-Reischauer, Revised
 * Romanization, and the customary South Korean and diaspora spellings (Lee, Park, Choi, Jung, ...).
 */
export const KOREAN_SURNAMES: ReadonlyArray<{ hangul: string[]; spellings: string[] }> = [
  { hangul: ['리', '이'], spellings: ['ri', 'rhee', 'lee', 'yi', 'i', 'li', 'rhie', 'yee', 'rie', 'reo'] },
  { hangul: ['박'], spellings: ['pak', 'park', 'bak', 'bark', 'pahk'] },
  { hangul: ['정'], spellings: ['jong', 'chong', 'jung', 'chung', 'jeong', 'cheong', 'joung'] },
  { hangul: ['최'], spellings: ['choe', 'choi', 'chwe', 'choy', 'chey'] },
  { hangul: ['김'], spellings: ['kim', 'gim', 'ghim'] },
  { hangul: ['조'], spellings: ['jo', 'cho', 'joe', 'chou'] },
  { hangul: ['강'], spellings: ['kang', 'gang', 'khang'] },
  { hangul: ['윤'], spellings: ['yun', 'yoon', 'youn'] },
  { hangul: ['장'], spellings: ['jang', 'chang'] },
  { hangul: ['전'], spellings: ['jon', 'chon', 'jeon', 'cheon', 'chun', 'jun'] },
  { hangul: ['주'], spellings: ['ju', 'joo', 'chu', 'choo'] },
  { hangul: ['오'], spellings: ['o', 'oh'] },
  { hangul: ['서'], spellings: ['so', 'seo', 'suh', 'sur', 'seoh'] },
  { hangul: ['신'], spellings: ['sin', 'shin', 'sheen'] },
  { hangul: ['권'], spellings: ['kwon', 'gwon', 'kweon', 'kwun'] },
  { hangul: ['황'], spellings: ['hwang', 'whang'] },
  { hangul: ['안'], spellings: ['an', 'ahn'] },
  { hangul: ['류', '유'], spellings: ['ryu', 'yu', 'yoo', 'ryoo', 'you', 'rhyu', 'lyu'] },
  { hangul: ['림', '임'], spellings: ['rim', 'im', 'lim', 'yim', 'leem'] },
  { hangul: ['로', '노'], spellings: ['ro', 'no', 'noh', 'roh', 'rho'] },
  { hangul: ['라', '나'], spellings: ['ra', 'na', 'rah', 'nah'] },
  { hangul: ['량', '양'], spellings: ['ryang', 'yang'] },
  { hangul: ['려', '여'], spellings: ['ryo', 'yo', 'yeo', 'ryeo'] },
  { hangul: ['렴', '염'], spellings: ['ryom', 'yom', 'yeom'] },
  { hangul: ['고'], spellings: ['ko', 'go', 'koh'] },
  { hangul: ['문'], spellings: ['mun', 'moon', 'moun'] },
  { hangul: ['손'], spellings: ['son', 'sohn'] },
  { hangul: ['배'], spellings: ['pae', 'bae', 'bai'] },
  { hangul: ['백'], spellings: ['paek', 'baek', 'paik', 'baik', 'back'] },
  { hangul: ['허'], spellings: ['ho', 'heo', 'hur', 'huh', 'hoh'] },
  { hangul: ['현'], spellings: ['hyon', 'hyun', 'hyeon'] },
  { hangul: ['홍'], spellings: ['hong'] },
  { hangul: ['한'], spellings: ['han'] },
  { hangul: ['송'], spellings: ['song', 'soung'] },
  { hangul: ['심'], spellings: ['sim', 'shim'] },
  { hangul: ['성'], spellings: ['song', 'sung', 'seong'] },
  { hangul: ['차'], spellings: ['cha'] },
  { hangul: ['곽'], spellings: ['kwak', 'gwak'] },
  { hangul: ['구'], spellings: ['ku', 'koo', 'gu'] },
  { hangul: ['변'], spellings: ['pyon', 'byun', 'byeon', 'pyun'] },
  { hangul: ['방'], spellings: ['pang', 'bang'] },
  { hangul: ['태'], spellings: ['thae', 'tae'] },
  { hangul: ['탁'], spellings: ['thak', 'tak'] },
  { hangul: ['편'], spellings: ['phyon', 'pyeon', 'pyun', "p'yon"] },
  { hangul: ['명'], spellings: ['myong', 'myung', 'myeong'] },
  { hangul: ['우'], spellings: ['u', 'woo', 'wu'] },
  { hangul: ['지'], spellings: ['ji', 'chi'] },
  { hangul: ['진'], spellings: ['jin', 'chin'] },
  { hangul: ['채'], spellings: ['chae', 'chai'] },
  { hangul: ['천'], spellings: ['chon', 'cheon', 'chun'] },
  { hangul: ['표'], spellings: ['pyo', 'phyo'] },
  { hangul: ['함'], spellings: ['ham'] },
  { hangul: ['엄'], spellings: ['om', 'eom', 'um'] },
  { hangul: ['원'], spellings: ['won', 'weon'] },
  { hangul: ['위'], spellings: ['wi', 'wee'] },
];

let surnameKeys: Map<string, string> | undefined;

/**
 * The canonical family-name key for a Latin token ("rhee" → "ri", "park" → "pak", "choi" → "choe"), or undefined
 * when the token is not a known Korean family-name spelling. Apostrophes must already be removed.
 */
export function koreanSurnameKey(token: string): string | undefined {
  if (!surnameKeys) {
    surnameKeys = new Map();
    for (const entry of KOREAN_SURNAMES) {
      const key = entry.spellings[0]!;
      for (const s of entry.spellings) {
        const folded = s.replace(/'/g, '');
        if (!surnameKeys.has(folded)) surnameKeys.set(folded, key);
      }
    }
  }
  return surnameKeys.get(token);
}

let syllableWords: Set<string> | undefined;

/**
 * Is a folded Latin token one Korean syllable in some romanization (DPRK, McCune-Reischauer or Revised, without
 * apostrophes and breves: "chol", "yong", "ui")? Used to tell a Korean given name from a missing middle name.
 */
export function isKoreanSyllableWord(token: string): boolean {
  if (!syllableWords) {
    syllableWords = new Set();
    for (let code = SYLLABLE_BASE; code <= SYLLABLE_LAST; code++) {
      const ch = String.fromCharCode(code);
      for (const system of ['dprk', 'mr', 'rr'] as const) {
        syllableWords.add(
          romanizeSyllable(ch, system)
            .normalize('NFKD')
            .replace(/[\u0300-\u036f'’]/g, ''),
        );
      }
    }
  }
  return syllableWords.has(token);
}

/** A Korean-looking person name: a Korean family-name spelling and every word one romanized syllable. */
export function looksKorean(tokens: readonly string[]): boolean {
  if (tokens.length < 2) return false;
  let surname = false;
  for (const t of tokens) {
    if (!isKoreanSyllableWord(t)) return false;
    if (!surname && koreanSurnameKey(t) !== undefined) surname = true;
  }
  return surname;
}
