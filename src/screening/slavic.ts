/**
 * East Slavic names in German spelling (Duden transliteration, used by German-language lists and press): Schukow,
 * Jewgenij, Kusnezowa, Tschernyschow. Their letters stand for other sounds than in the English-style spellings of
 * the lists (w = v, j = y, z = ts, sch = sh/zh, tsch = ch, ch = kh), so a name with such a word is also read in
 * English-style spelling, as another form of the same name (prepare.ts). Names without a German-Slavic word are
 * left alone: Kwon, Wang or Walid never get a second reading.
 */

/** A word in German transliteration: a typical ending (-ow, -ew, -owa, -itsch, -owna) or "tsch". */
const GERMAN_SLAVIC_WORD = /^\p{L}{2,}(?:ow|ew|jow|owa|ewa|jowa|itsch|owna|ewna)$|tsch/u;

const VOWELS = 'aeiouy';

function respell(word: string): string {
  let w = word
    .replace(/schtsch/g, '\u0001')
    .replace(/tsch/g, '\u0002')
    .replace(/sch/g, 'sh')
    .replace(/ch/g, 'kh')
    .replace(/\u0001/g, 'shch')
    .replace(/\u0002/g, 'ch')
    .replace(/w/g, 'v')
    .replace(/z/g, 'ts');
  // j before or after a vowel is y (Jewgenij, Sajzew, Julija); ij at the end is iy.
  let out = '';
  for (let i = 0; i < w.length; i++) {
    const c = w[i]!;
    if (c === 'j' && (VOWELS.includes(w[i + 1] ?? '') || VOWELS.includes(w[i - 1] ?? '') || i === w.length - 1)) {
      out += 'y';
    } else out += c;
  }
  w = out;
  return w;
}

/** The English-style reading of a name with a German-Slavic word, or undefined. */
export function germanSlavicReading(name: string): string | undefined {
  const lower = name.toLowerCase();
  const words = lower.match(/\p{L}+/gu);
  if (!words?.some((w) => GERMAN_SLAVIC_WORD.test(w))) return undefined;
  if (!/^[\p{Script=Latin}\s\p{P}]+$/u.test(name)) return undefined;
  const reading = lower.replace(/\p{L}+/gu, respell);
  return reading === lower ? undefined : reading;
}
