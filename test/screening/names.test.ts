import { describe, expect, it } from 'vitest';
import { bestNamePair } from '../../src/screening/names/best.js';
import { compareNameForms } from '../../src/screening/names/compare.js';
import { alignSkeletons } from '../../src/screening/names/skeleton.js';
import { normaliseName } from '../../src/screening/normalise.js';
import { prepare } from '../../src/screening/prepare.js';
import { DEFAULT_THRESHOLD, scoreCandidate } from '../../src/screening/score.js';
import { germanSlavicReading } from '../../src/screening/slavic.js';
import { transliterate } from '../../src/screening/transliterate.js';

const person = (name: string) => prepare({ id: name, schema: 'Person', properties: { name: [name] } });
const score = (a: string, b: string) => scoreCandidate(person(a), person(b)).score;
const form = (name: string) => normaliseName(name, 'person');

describe('name alignment (src/screening/names/) returns its results', () => {
  it('gives each comparison its own method and score, whatever was compared before', () => {
    const a = compareNameForms(form('Kim Jong Un'), form('KIM Jong-un'));
    const b = compareNameForms(form('Kim Jong Un'), form('Jongun Kim'));
    expect(a).toEqual({ score: 1, method: 'exact' });
    expect(b.method).toBe('tokens');
    expect(compareNameForms(form('Kim Jong Un'), form('KIM Jong-un'))).toEqual(a);
  });

  it('reports a father-chain alignment on its own result, not on module state', () => {
    const uday = form('عدي صدام حسين التكريتي');
    const parent = alignSkeletons(uday, form('SADDAM HUSSEIN AL-TIKRITI'));
    expect(parent.parent).toBe(true);
    // The next alignment does not inherit the flag (before, a name without skeleton words left it set).
    expect(alignSkeletons(uday, form('UDAY SADDAM HUSSEIN AL-TIKRITI')).parent).toBe(false);
    expect(alignSkeletons(form(''), uday)).toEqual({ score: 0, parent: false });
  });

  it('names the pair that scored best', () => {
    const best = bestNamePair(person('Choe Chun Sik'), person('CHOE CHUN-SIK'));
    expect(best?.query.original).toBe('Choe Chun Sik');
    expect(best?.candidate.original).toBe('CHOE CHUN-SIK');
    expect(bestNamePair(person('Choe Chun Sik'), prepare({ id: 'x', schema: 'Person', properties: {} }))).toBe(
      undefined,
    );
  });
});

describe('variants found by the broadened pair sets (test/fixtures/screening/pairs)', () => {
  it('reads Russian names in German spelling (Duden) as well', () => {
    expect(germanSlavicReading('Jurij Schukow')).toBe('yuriy shukov');
    expect(germanSlavicReading('Wjatscheslaw Kusnezow')).toBe('vyacheslav kusnetsov');
    // Names without a German-Slavic word get no second reading.
    expect(germanSlavicReading('Kwon Hyok')).toBeUndefined();
    expect(germanSlavicReading('Walid Hassan')).toBeUndefined();
    expect(score('Jurij Schukow', 'Zhukov Yuriy')).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD); // 0 before
    expect(score('Wjatscheslaw Kusnezow', 'Kuznetsov Viacheslav Ivanovich')).toBeGreaterThanOrEqual(0.8); // 0.21
  });

  it('does not count the Arabic article or a patronymic as a conflicting word', () => {
    expect(score('EL MASRY, Mustafa Majed', 'Mustafa Majed al-Masri')).toBeGreaterThanOrEqual(0.9);
    expect(score('مصطفى ماجد المصري', 'EL MASRY, Mustafa Majed')).toBeGreaterThanOrEqual(0.8); // 0.66 before
    expect(score('Aleksei Mikhailovich Fedorov', 'Aleksei Fedorov')).toBeGreaterThanOrEqual(0.9);
    // Different people stay apart: another given name under the same family name and patronymic.
    expect(score('Aleksei Mikhailovich Fedorov', 'Igor Mikhailovich Fedorov')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('Hassan al-Masri', 'Walid al-Masri')).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('pairs a Korean given name written joined with its syllables written apart', () => {
    // "Yu" and "Seo" are also family names, whose keys differ on their own; h after ng is not silent here.
    expect(score('Yujun Choe', 'CHOE Yu Chun')).toBeGreaterThanOrEqual(0.9); // 0.65 before
    expect(score('Seongho Hwang', 'HWANG Song Ho')).toBeGreaterThanOrEqual(0.9); // 0.65 before
    expect(score('Jo Chol', 'JO YONG CHOL')).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('reads Devanagari and Hebrew names (no Latin reading before: score 0)', () => {
    expect(transliterate('नरेन्द्र मोदी')).toBe('narendra modi');
    expect(transliterate('राहुल गांधी')).toBe('rahul gandhi');
    expect(score('नरेन्द्र मोदी', 'Narendra Modi')).toBe(1);
    expect(score('अमित शाह', 'Amit Singh')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(transliterate('אהוד אולמרט')).toBe('hwd wlmrt');
    expect(score('אהוד אולמרט', 'Ehud Olmert')).toBeGreaterThanOrEqual(0.9);
    expect(score('בנימין נתניהו', 'Benjamin Netanyahu')).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
  });
});
