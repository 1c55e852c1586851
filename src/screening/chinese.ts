import { createRequire } from 'node:module';

/**
 * Han characters → Latin. Chinese names on lists are spelled in Hanyu Pinyin without tones ("沈忠" → Shen Zhong),
 * and company names are translated word by word ("國際海運有限公司" → International Shipping Limited Company), so a
 * Han name gets both readings: pinyin for every character, and a reading where the common company words are
 * translated (the rest in pinyin). Simplified and traditional characters are both covered.
 *
 * Pinyin readings come from pinyin-pro (MIT, a dictionary in plain JavaScript, loaded on first use so that
 * screening Latin names never pays for it).
 */

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

export function hasHan(text: string): boolean {
  return HAN.test(text);
}

type PinyinFn = (text: string, opts: { toneType: 'none'; type: 'array'; nonZh: 'consecutive' }) => string[];
let pinyinFn: PinyinFn | undefined;

function pinyinWords(text: string): string[] {
  if (!pinyinFn) {
    const mod = createRequire(import.meta.url)('pinyin-pro') as { pinyin: PinyinFn };
    pinyinFn = mod.pinyin;
  }
  return pinyinFn(text, { toneType: 'none', type: 'array', nonZh: 'consecutive' });
}

/** Han text in pinyin, one word per character ("長安海連" → "chang an hai lian"); other text is kept. */
export function hanToPinyin(text: string): string {
  return pinyinWords(text).join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * Company words as Chinese registrations write them, with the English the lists use. Longest first when applied.
 * Simplified and traditional forms are both listed.
 */
// biome-ignore format: a compact glossary reads better than one entry per line
const COMPANY_WORDS: Array<[string[], string]> = [
  [['股份有限公司'], 'joint stock limited company'],
  [['有限责任公司', '有限責任公司'], 'limited liability company'],
  [['有限公司'], 'limited company'],
  [['公司'], 'company'],
  [['集团', '集團'], 'group'],
  [['控股'], 'holdings'],
  [['国际', '國際'], 'international'],
  [['海运', '海運', '航运', '航運', '船务', '船務', '船舶'], 'shipping'],
  [['海事'], 'maritime'],
  [['物流'], 'logistics'],
  [['贸易', '貿易', '商贸', '商貿'], 'trading'],
  [['进出口', '進出口'], 'import export'],
  [['技术', '技術'], 'technology'],
  [['科技'], 'technology'],
  [['电子', '電子'], 'electronics'],
  [['实业', '實業', '工业', '工業'], 'industrial'],
  [['发展', '發展'], 'development'],
  [['投资', '投資'], 'investment'],
  [['能源'], 'energy'],
  [['石油'], 'petroleum'],
  [['化工'], 'chemical'],
  [['矿业', '礦業'], 'mining'],
  [['银行', '銀行'], 'bank'],
  [['香港'], 'hong kong'],
  [['深圳'], 'shenzhen'],
  [['上海'], 'shanghai'],
  [['北京'], 'beijing'],
  [['大连', '大連'], 'dalian'],
  [['丹东', '丹東'], 'dandong'],
  [['中国', '中國'], 'china'],
];

const GLOSSARY: Array<[string, string]> = COMPANY_WORDS.flatMap(([forms, en]) =>
  forms.map((f): [string, string] => [f, en]),
).sort((a, b) => b[0].length - a[0].length);

/**
 * The translated reading of a Han company name, or undefined when no company word occurs in it:
 * "沈忠國際海運有限公司" → "shen zhong international shipping limited company".
 */
export function hanCompanyReading(text: string): string | undefined {
  if (!hasHan(text)) return undefined;
  const parts: string[] = [];
  let translated = false;
  let i = 0;
  let run = '';
  while (i < text.length) {
    const hit = GLOSSARY.find(([f]) => text.startsWith(f, i));
    if (hit) {
      if (run) parts.push(hanToPinyin(run));
      run = '';
      parts.push(hit[1]);
      translated = true;
      i += hit[0].length;
    } else {
      run += text[i];
      i++;
    }
  }
  if (run) parts.push(hanToPinyin(run));
  return translated ? parts.join(' ').replace(/\s+/g, ' ').trim() : undefined;
}
