/**
 * Arabic-script organisation names read with their common words in English. Lists name armed groups, charities,
 * exchange houses and companies in Arabic by what they are ("الجماعة الاسلامية المقاتلة الليبية", the Libyan
 * Islamic Fighting Group), and their Latin entries translate those words while transliterating the proper names
 * ("ASBAT AL-ANSAR"). So an Arabic organisation name also gets a reading where the glossary's words are in
 * English and the rest stays in Arabic script (to be transliterated and compared by skeleton as usual). A word
 * with two usual translations (المقاتلة: fighting or combatant) gives a second reading.
 *
 * Used for organisation-like names only (prepare.ts), like the Han company reading (chinese.ts).
 */

const ARABIC = /[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]/;

/**
 * Arabic organisation words (after folding: no article, plain alif, ه for ة, Arabic yeh and kaf) with the English
 * the UN, OFAC, EU and UK lists use. Two translations where the lists use both.
 */
// biome-ignore format: a compact glossary reads better than one entry per line
const GLOSSARY: Record<string, string[]> = {
  // What the organisation is
  جماعه: ['group'], مجموعه: ['group'], تنظيم: ['organization'], منظمه: ['organization'], حركه: ['movement'],
  جبهه: ['front'], جيش: ['army'], كتائب: ['brigades'], كتيبه: ['battalion', 'brigade'], لواء: ['brigade'],
  شبكه: ['network'], جمعيه: ['society', 'association'], مؤسسه: ['foundation', 'institution'], هيئه: ['commission', 'committee'],
  لجنه: ['committee'], مكتب: ['office'], شركه: ['company'], بنك: ['bank'], مصرف: ['bank'], صرافه: ['exchange'],
  للصرافه: ['exchange'], مجلس: ['council'], اتحاد: ['union'], حزب: ['party'], دوله: ['state'], ولايه: ['province'],
  مركز: ['center'], وزاره: ['ministry'], قوات: ['forces'], فيلق: ['corps'], حرس: ['guard'], الخيريه: ['charitable'],
  خيريه: ['charitable'], الاغاثه: ['relief'], اغاثه: ['relief'], احياء: ['revival'], تراث: ['heritage'],
  // Descriptions
  قاعده: ['qaida'],   اسلاميه: ['islamic'], اسلامي: ['islamic'], مقاتله: ['fighting', 'combatant'], مسلحه: ['armed'], جهاد: ['jihad'],
  ثوري: ['revolutionary'], ثوريه: ['revolutionary'], انصار: ['supporters', 'ansar'], مهاجرين: ['emigrants'],
  مسلمين: ['muslims'], عربي: ['arab'], عربيه: ['arab'], عرب: ['arab', 'arabian'], دولي: ['international'],
  دوليه: ['international'], عالمي: ['global', 'world'], عالميه: ['global', 'world'], وطني: ['national'],
  وطنيه: ['national'], متحده: ['united'], تجاري: ['trading', 'commercial'], تجاريه: ['trading', 'commercial'],
  تجاره: ['trading', 'trade'], نفط: ['oil'], غرب: ['west', 'western'], شرق: ['east', 'eastern'],
  شمال: ['north'], جنوب: ['south'], بلاد: ['land', 'country'], جزيره: ['peninsula'],
  // Places and peoples
  عراق: ['iraq'], شام: ['levant', 'sham'], سوريا: ['syria'], سوري: ['syrian'], سوريه: ['syrian', 'syria'],
  ليبيا: ['libya'], ليبي: ['libyan'], ليبيه: ['libyan'], يمن: ['yemen'], يمني: ['yemeni'], مغرب: ['maghreb', 'morocco'],
  مغربي: ['moroccan'], مغربيه: ['moroccan'], تونس: ['tunisia'], تونسي: ['tunisian'], تونسيه: ['tunisian'],
  مصر: ['egypt'], مصري: ['egyptian'], مصريه: ['egyptian'], جزائر: ['algeria'], جزائري: ['algerian'],
  جزائريه: ['algerian'], سودان: ['sudan'], صومال: ['somalia'], صومالي: ['somali'], لبنان: ['lebanon'],
  لبناني: ['lebanese'], فلسطين: ['palestine'], فلسطيني: ['palestinian'], ايران: ['iran'], ايراني: ['iranian'],
  افغانستان: ['afghanistan'], باكستان: ['pakistan'], افريقيا: ['africa'], اسيا: ['asia'], خليج: ['gulf'],
  // Function words
  في: [''], و: [''], من: [''], الى: [''], ل: [''], ب: [''],
};

/** Fold Arabic letter variants the way list spellings vary (hamza seats, taa marbuta, Persian letters). */
function fold(word: string): string {
  return word
    .normalize('NFKC')
    .replace(/[\u064b-\u065f\u0670\u0640]/g, '') // harakat, dagger alif, tatweel
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ة/g, 'ه')
    .replace(/ھ/g, 'ه')
    .replace(/[یى]/g, 'ي')
    .replace(/ک/g, 'ك');
}

/** The glossary entry for a folded word, trying it without its clitics: و (and), ب (in), ل (for), ال (the). */
function lookup(word: string): string[] | undefined {
  const candidates = [word];
  for (const prefix of ['وال', 'بال', 'لل', 'ال', 'و', 'ب', 'ل']) {
    if (word.startsWith(prefix) && word.length - prefix.length >= 2) candidates.push(word.slice(prefix.length));
  }
  for (const c of candidates) {
    const hit = GLOSSARY[c];
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Readings of an Arabic-script organisation name with its glossary words in English (one, or two when a word
 * has two usual translations); undefined when the name is not Arabic script or has no glossary word.
 */
export function arabicOrgReadings(name: string): string[] | undefined {
  if (!ARABIC.test(name)) return undefined;
  const words = fold(name)
    .split(/[\s\-–—_/()،,.]+/)
    .filter((w) => w !== '');
  let known = 0;
  let two = false;
  const mapped = words.map((w) => {
    const hit = lookup(w);
    if (hit && hit[0] !== '') known++;
    if (hit && hit.length > 1) two = true;
    return hit;
  });
  if (known === 0) return undefined;
  const reading = (k: number): string =>
    words
      .map((w, i) => {
        const hit = mapped[i];
        return hit ? (hit[k] ?? hit[0]!) : w;
      })
      .filter((w) => w !== '')
      .join(' ');
  return two ? [reading(0), reading(1)] : [reading(0)];
}
