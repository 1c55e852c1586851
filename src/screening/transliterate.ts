import { hanToPinyin, hasHan } from './chinese.js';
import { hasHangul, romanizeKorean } from './korean.js';

/**
 * Other scripts → Latin, so a name written in Cyrillic, Greek, Georgian, Armenian, Arabic, Hebrew, Devanagari or
 * Hangul can be compared with its romanized spelling on a list. Tables follow the common passport/BGN practice (Cyrillic
 * ж → zh, х → kh, ц → ts; Greek θ → th, χ → ch). Han characters become Hanyu Pinyin without tones (chinese.ts).
 */

// biome-ignore format: a compact letter table reads better than one entry per line
const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya', і: 'i', ї: 'yi', є: 'ye', ґ: 'g', ў: 'u', ђ: 'dj', ј: 'j',
  љ: 'lj', њ: 'nj', ћ: 'c', џ: 'dz', ѓ: 'gj', ќ: 'kj', ѕ: 'dz', ә: 'a', ғ: 'g', қ: 'q', ң: 'ng', ө: 'o', ұ: 'u',
  ү: 'u', һ: 'h',
};

// biome-ignore format: a compact letter table reads better than one entry per line
const GREEK: Record<string, string> = {
  α: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', ζ: 'z', η: 'i', θ: 'th', ι: 'i', κ: 'k', λ: 'l', μ: 'm', ν: 'n', ξ: 'x',
  ο: 'o', π: 'p', ρ: 'r', σ: 's', ς: 's', τ: 't', υ: 'y', φ: 'f', χ: 'ch', ψ: 'ps', ω: 'o', ά: 'a', έ: 'e', ή: 'i',
  ί: 'i', ό: 'o', ύ: 'y', ώ: 'o', ϊ: 'i', ϋ: 'y', ΐ: 'i', ΰ: 'y',
};

// biome-ignore format: a compact letter table reads better than one entry per line
const GEORGIAN: Record<string, string> = {
  ა: 'a', ბ: 'b', გ: 'g', დ: 'd', ე: 'e', ვ: 'v', ზ: 'z', თ: 't', ი: 'i', კ: 'k', ლ: 'l', მ: 'm', ნ: 'n', ო: 'o',
  პ: 'p', ჟ: 'zh', რ: 'r', ს: 's', ტ: 't', უ: 'u', ფ: 'p', ქ: 'k', ღ: 'gh', ყ: 'q', შ: 'sh', ჩ: 'ch', ც: 'ts',
  ძ: 'dz', წ: 'ts', ჭ: 'ch', ხ: 'kh', ჯ: 'j', ჰ: 'h',
};

// biome-ignore format: a compact letter table reads better than one entry per line
const ARMENIAN: Record<string, string> = {
  ա: 'a', բ: 'b', գ: 'g', դ: 'd', ե: 'e', զ: 'z', է: 'e', ը: 'y', թ: 't', ժ: 'zh', ի: 'i', լ: 'l', խ: 'kh', ծ: 'ts',
  կ: 'k', հ: 'h', ձ: 'dz', ղ: 'gh', ճ: 'ch', մ: 'm', յ: 'y', ն: 'n', շ: 'sh', ո: 'o', չ: 'ch', պ: 'p', ջ: 'j',
  ռ: 'r', ս: 's', վ: 'v', տ: 't', ր: 'r', ց: 'ts', ւ: 'v', փ: 'p', ք: 'k', օ: 'o', ֆ: 'f', և: 'ev',
};

// Arabic consonants (short vowels are not written, so the result is a consonant skeleton plus long vowels).
// biome-ignore format: a compact letter table reads better than one entry per line
const ARABIC: Record<string, string> = {
  ا: 'a', أ: 'a', إ: 'i', آ: 'a', ب: 'b', ت: 't', ث: 'th', ج: 'j', ح: 'h', خ: 'kh', د: 'd', ذ: 'dh', ر: 'r', ز: 'z',
  س: 's', ش: 'sh', ص: 's', ض: 'd', ط: 't', ظ: 'z', ع: '', غ: 'gh', ف: 'f', ق: 'q', ك: 'k', ل: 'l', م: 'm', ن: 'n',
  ه: 'h', و: 'w', ي: 'y', ى: 'a', ة: 'a', ء: '', ئ: 'y', ؤ: 'w', پ: 'p', چ: 'ch', ژ: 'zh', گ: 'g', ک: 'k', ی: 'y',
  ھ: 'h', ہ: 'h', ے: 'y', ۃ: 'a', ٹ: 't', ڈ: 'd', ڑ: 'r', ں: 'n', 'ـ': '', ٱ: 'a',
  // The zero-width non-joiner inside a Persian compound word (احمدی‌نژاد, Ahmadinejad) joins it.
  '\u200c': '',
};

// Hebrew consonants (an abjad like Arabic: vowel points, when written, are combining marks dropped by folding).
// biome-ignore format: a compact letter table reads better than one entry per line
const HEBREW: Record<string, string> = {
  א: '', ב: 'b', ג: 'g', ד: 'd', ה: 'h', ו: 'w', ז: 'z', ח: 'kh', ט: 't', י: 'y', כ: 'k', ך: 'k', ל: 'l', מ: 'm',
  ם: 'm', נ: 'n', ן: 'n', ס: 's', ע: '', פ: 'p', ף: 'f', צ: 'ts', ץ: 'ts', ק: 'k', ר: 'r', ש: 'sh', ת: 't', '׳': '',
  '״': '', '\u200c': '',
};

const TABLES: Array<[RegExp, Record<string, string>]> = [
  [/[\u0400-\u04ff]/, CYRILLIC],
  [/[\u0370-\u03ff\u1f00-\u1fff]/, GREEK],
  [/[\u10a0-\u10ff]/, GEORGIAN],
  [/[\u0530-\u058f]/, ARMENIAN],
  [/[\u0600-\u06ff]/, ARABIC],
  [/[\u05d0-\u05ea]/, HEBREW],
];

// Devanagari (Hindi, Marathi, Nepali): consonants carry an inherent a, replaced by a vowel sign or removed by the
// virama; the common (Hunterian-style) spellings of names.
// biome-ignore format: a compact letter table reads better than one entry per line
const DEVANAGARI_CONSONANTS: Record<string, string> = {
  क: 'k', ख: 'kh', ग: 'g', घ: 'gh', ङ: 'n', च: 'ch', छ: 'chh', ज: 'j', झ: 'jh', ञ: 'n', ट: 't', ठ: 'th', ड: 'd',
  ढ: 'dh', ण: 'n', त: 't', थ: 'th', द: 'd', ध: 'dh', न: 'n', प: 'p', फ: 'ph', ब: 'b', भ: 'bh', म: 'm', य: 'y',
  र: 'r', ल: 'l', व: 'v', श: 'sh', ष: 'sh', स: 's', ह: 'h', ळ: 'l', क़: 'q', ख़: 'kh', ग़: 'gh', ज़: 'z', ड़: 'r',
  ढ़: 'rh', फ़: 'f', य़: 'y',
};
// biome-ignore format: a compact letter table reads better than one entry per line
const DEVANAGARI_VOWELS: Record<string, string> = {
  अ: 'a', आ: 'a', इ: 'i', ई: 'i', उ: 'u', ऊ: 'u', ऋ: 'ri', ए: 'e', ऐ: 'ai', ओ: 'o', औ: 'au', ऑ: 'o',
};
// biome-ignore format: a compact letter table reads better than one entry per line
const DEVANAGARI_SIGNS: Record<string, string> = {
  'ा': 'a', 'ि': 'i', 'ी': 'i', 'ु': 'u', 'ू': 'u', 'ृ': 'ri', 'े': 'e', 'ै': 'ai', 'ो': 'o', 'ौ': 'au', 'ॉ': 'o',
};
const VIRAMA = '\u094d';
const NUKTA = '\u093c';

/**
 * Devanagari → Latin. A word's final inherent a is dropped as Hindi names are written (राम → Ram, केजरीवाल →
 * Kejriwal), except after a consonant cluster (नरेन्द्र → Narendra, कृष्ण → Krishna).
 */
function devanagariToLatin(text: string): string {
  const chars = [...text.normalize('NFC')];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i]!;
    if (chars[i + 1] === NUKTA) {
      c = (c + NUKTA).normalize('NFC');
      i++;
    }
    const cons = DEVANAGARI_CONSONANTS[c];
    if (cons !== undefined) {
      out += cons;
      const next = chars[i + 1] ?? '';
      const sign = DEVANAGARI_SIGNS[next];
      if (sign !== undefined) {
        out += sign;
        i++;
      } else if (next === VIRAMA) i++;
      else {
        const wordEnd = next === '' || !/[\u0900-\u097f]/.test(next) || next === '\u0964';
        const cluster = i >= 2 && chars[i - 1] === VIRAMA;
        if (!wordEnd || cluster) out += 'a';
      }
      continue;
    }
    const vowel = DEVANAGARI_VOWELS[c];
    if (vowel !== undefined) out += vowel;
    else if (c === '\u0902' || c === '\u0901') out += 'n';
    else if (c === '\u0903') out += 'h';
    else if (c === '\u0964' || c === '\u0965') out += ' ';
    else out += c;
  }
  return out;
}

/** True when the text is plain Latin (with or without diacritics), digits and punctuation. */
export function isLatin(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x250 || (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x2000 && c <= 0x206f)) continue;
    return false;
  }
  return true;
}

/**
 * Latin text for a name in any supported script. `personName` splits Hangul person names into syllable words
 * ("김정은" → "Kim Jong Un"), the way DPRK names are written on lists.
 */
export function transliterate(text: string, opts: { personName?: boolean } = {}): string {
  if (isLatin(text)) return text;
  let out = text;
  if (hasHangul(out)) out = romanizeKorean(out, { system: 'dprk', syllableWords: opts.personName ?? false });
  if (hasHan(out)) out = hanToPinyin(out);
  if (/[\u0900-\u097f]/.test(out)) out = devanagariToLatin(out);
  for (const [test, table] of TABLES) {
    if (!test.test(out)) continue;
    let buf = '';
    for (const ch of out) {
      const lower = ch.toLowerCase();
      const mapped = table[lower];
      if (mapped === undefined) buf += ch;
      else buf += ch !== lower && mapped.length > 0 ? mapped[0]!.toUpperCase() + mapped.slice(1) : mapped;
    }
    out = buf;
  }
  return out;
}
