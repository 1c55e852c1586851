import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/screening/prepare.js';
import { DEFAULT_THRESHOLD, FEATURES_BY_FAMILY, featureTable, scoreCandidate } from '../../src/screening/score.js';

const person = (name: string, extra: Record<string, string[]> = {}) =>
  prepare({ id: name, schema: 'Person', properties: { name: [name], ...extra } });
const score = (a: string, b: string) => scoreCandidate(person(a), person(b)).score;

describe('scoring', () => {
  it('matches DPRK romanizations, punctuation, Hangul and token order', () => {
    const variants: Array<[string, string]> = [
      ["Ch'oe Ch'un Sik", 'Choe Chun Sik'],
      ["Ch'oe Ch'un Sik", 'CHOE CHUN-SIK'],
      ["Ch'oe Ch'un Sik", '최춘식'],
      ['Choe Chun Sik', '최춘식'],
      ['Kim Jong Un', 'Kim Jong-un'],
      ['Kim Jong Un', 'KIM Jongun'],
      ['Kim Jong Un', '김정은'],
      ['Kim Jong Un', 'Jong Un Kim'],
      ['Ri Song Hyok', 'Rhee Song-hyeok'],
      ['Ri Song Hyok', 'Lee Sung Hyuk'],
      ['Rhee Song-hyeok', 'Lee Sung Hyuk'],
      ['Pak Chun Il', 'Park Chun-il'],
    ];
    for (const [a, b] of variants) {
      expect(score(a, b), `${a} ~ ${b}`).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('keeps different people apart', () => {
    expect(score('Kim Jong Un', 'Kim Yo Jong')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('Kim Jong Un', 'Kim Jong Il')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('Kim Chol', 'Kim Chon')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('Ri Won Ho', 'Ri Song Hyok')).toBeLessThan(0.3);
    // A Korean given name with a syllable more is another given name (UN: JO YONG CHOL, and another entry's Jo Chol).
    expect(score('Jo Chol', 'JO YONG CHOL')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score("Cho Ch'o'l", 'JO YONG CHOL')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('Jo Yong Chol', 'JO YONG-CHOL')).toBe(1);
  });

  it('explains every score feature by feature', () => {
    const s = scoreCandidate(
      person('Choe Chun Sik', { birthDate: ['1954-10-12'], nationality: ['kp'] }),
      person('CHOE CHUN-SIK', { birthDate: ['1954'], nationality: ["Democratic People's Republic of Korea"] }),
    );
    expect(s.score).toBe(1);
    expect(s.match).toBe(true);
    expect(Object.keys(s.explanations).sort()).toEqual(['birth_date_match', 'country_match', 'name_similarity']);
    expect(s.explanations.name_similarity!.detail).toContain('CHOE CHUN-SIK');
  });

  it('lowers the score on a birth year, gender or country conflict', () => {
    const base = scoreCandidate(person('Choe Chun Sik'), person('Choe Chun Sik')).score;
    const dob = scoreCandidate(
      person('Choe Chun Sik', { birthDate: ['1960'] }),
      person('Choe Chun Sik', { birthDate: ['1954-10-12'] }),
    );
    expect(dob.score).toBeCloseTo(base - 0.2, 5);
    expect(dob.explanations.birth_year_mismatch?.detail).toBe('born 1960 vs 1954-10-12');
    const gender = scoreCandidate(
      person('Choe Chun Sik', { gender: ['female'] }),
      person('Choe Chun Sik', { gender: ['male'] }),
    );
    expect(gender.features.gender_mismatch).toBe(1);
  });

  it('treats a valid IMO number as strong evidence and a conflicting one as a different ship', () => {
    const vessel = (props: Record<string, string[]>) => prepare({ id: 'v', schema: 'Vessel', properties: props });
    const listed = vessel({ name: ['CHONG CHON GANG'], imoNumber: ['IMO7937317'], flag: ['kp'] });
    expect(scoreCandidate(vessel({ imoNumber: ['7937317'] }), listed).score).toBe(0.9);
    expect(scoreCandidate(vessel({ name: ['Chong Chon Gang'], imoNumber: ['7937317'] }), listed).score).toBe(1);
    const other = scoreCandidate(vessel({ name: ['CHONG CHON GANG'], imoNumber: ['8132835'] }), listed);
    expect(other.score).toBeCloseTo(0.6, 5);
    expect(other.match).toBe(false);
  });

  it('declares its features and weights per schema family', () => {
    expect(FEATURES_BY_FAMILY.person.map((f) => f.name)).toContain('birth_year_mismatch');
    expect(FEATURES_BY_FAMILY.vessel.find((f) => f.name === 'imo_match')?.weight).toBe(0.9);
    expect(FEATURES_BY_FAMILY.wallet[0]!.name).toBe('crypto_address_match');
  });
});

describe('abjad scripts and partial names', () => {
  it('matches Arabic-script names with their Latin spelling through word skeletons', () => {
    expect(score('صدام حسين التكريتي', 'SADDAM HUSSEIN AL-TIKRITI')).toBeGreaterThanOrEqual(0.8);
    expect(score('عبد القادر لاغوب', 'ABDELKADER LAAGOUB')).toBeGreaterThanOrEqual(0.7);
    // French spellings: ch is ش, dj is ج (UN: DJAMEL AKKACHA).
    expect(score('جمال عكاشة', 'DJAMEL AKKACHA')).toBeGreaterThanOrEqual(0.8); // 0 before in the UN evaluation
  });

  it('tells a son or a brother from the father in an Arabic name chain (UN list, Saddam Hussein family)', () => {
    // Uday son of Saddam son of Hussein is not Saddam Hussein, nor his brother Qusay, nor his nephew Ali.
    expect(score('عدي صدام حسين التكريتي', 'UDAY SADDAM HUSSEIN AL-TIKRITI')).toBeGreaterThanOrEqual(0.9);
    expect(score('عدي صدام حسين التكريتي', 'SADDAM HUSSEIN AL-TIKRITI')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('عدي صدام حسين التكريتي', 'QUSAY SADDAM HUSSEIN AL-TIKRITI')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('برزان إبراهيم حسن التكريتي', 'ALI BARZAN IBRAHIM HASAN AL-TIKRITI')).toBeLessThan(DEFAULT_THRESHOLD);
    // One-consonant words (ولی, Wali; Ryu) still have to pair: Wali Jan is not RYU JIN.
    expect(score('ولی جان', 'RYU JIN')).toBeLessThan(DEFAULT_THRESHOLD);
    expect(score('جانان آغا', 'JANAN AGHA')).toBeGreaterThanOrEqual(0.9);
    // A first word the transliteration spells differently (طه is "th", Taha) or a compound (Abu Bakr) is no son.
    expect(score('طه ياسين رمضان الجزراوي', 'TAHA YASSIN RAMADAN AL-JIZRAWI')).toBeGreaterThanOrEqual(0.7);
  });

  it('pairs Arabic particles spelled differently (abd, bin/ibn)', () => {
    expect(score('Abdel Aziz Rantisi', 'Abd-al-Aziz al-Rantisi')).toBeGreaterThanOrEqual(0.95);
    expect(score('Osama bin Laden', 'Usama ibn Ladin')).toBeGreaterThanOrEqual(0.85);
    expect(score('Mohammed bin Salman', 'Muhammad ibn Salman')).toBeGreaterThanOrEqual(0.9);
    expect(score('RAHIM, Abdul', 'Abdul Rahim')).toBe(1);
    // Joined and separate: OFAC's ABDELNASSER, Hajji is 'ABD AL-NASIR, Hajji.
    expect(score('ABDELNASSER, Hajji', "'ABD AL-NASIR, Hajji")).toBeGreaterThanOrEqual(0.9);
    expect(score('Abdelaziz Rantisi', 'Abd al-Aziz al-Rantisi')).toBeGreaterThanOrEqual(0.95);
  });

  it('reads initials and forgives a missing middle name or patronymic', () => {
    expect(score('SHISHKIN, Andrei N', 'SHISHKIN, Andrei Nikolaevich')).toBeGreaterThanOrEqual(0.85);
    expect(score('Vladimir Putin', 'PUTIN, Vladimir Vladimirovich')).toBeGreaterThanOrEqual(0.8);
  });
  it('pairs compound names written as one word on one side and two on the other (Arabic script)', () => {
    expect(score('مطيع الله', 'MATIULLAH')).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(score('امیر عبد الله', 'AMIR ABDULLAH')).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(score('عبدالجبار عمری', 'ABDUL JABBAR OMARI')).toBeGreaterThanOrEqual(0.9);
  });

  it('pairs a word written as two on the other side (OFAC aliases)', () => {
    const org = (n: string) => prepare({ id: n, schema: 'Organization', properties: { name: [n] } });
    expect(scoreCandidate(org('TAI PEN'), org('TAIPEN, S.A. DE C.V.')).score).toBeGreaterThanOrEqual(0.9);
    // Family name first, the particle after the comma: joined in either order.
    expect(score('HAMMEDI, Ben', 'BENHAMMEDI, Mohammed')).toBeCloseTo(0.6929, 4); // 0.31 as separate words
    expect(score('KIM Jongun', 'KIM, Jong Un')).toBe(0.98);
    // DPRK shipping companies written syllable by syllable (UN list and UK list spellings).
    expect(
      scoreCandidate(org('CHON MYONG SHIPPING COMPANY LIMITED'), org('CHONMYONG SHIPPING CO')).score,
    ).toBeGreaterThan(0.95);
    expect(
      scoreCandidate(org('Chong Chon Gang Shipping Co. Ltd.'), org('CHONGCHONGANG SHIPPING COMPANY')).score,
    ).toBeGreaterThan(0.9);
  });

  it('keeps acronyms apart unless spelled the same', () => {
    const org = (n: string) => prepare({ id: n, schema: 'Organization', properties: { name: [n] } });
    expect(scoreCandidate(org('STK OOO'), org('STGH')).score).toBeLessThan(0.3);
    expect(scoreCandidate(org('LLC RPP'), org('LLC MBB')).score).toBeLessThan(DEFAULT_THRESHOLD);
    expect(scoreCandidate(org('STK OOO'), org('STK LLC')).score).toBe(1);
  });
});

describe('qualifiers and per-request weights', () => {
  it('lets a qualifier adjust a score only once a name or identifier matched (logic-v2)', () => {
    // Same country and birth date, names with nothing in common: the qualifiers alone made 0.08 before.
    const s = scoreCandidate(
      person('Zorig Batbayar', { nationality: ['kp'], birthDate: ['1954-10-12'] }),
      person('Choe Chun Sik', { nationality: ['kp'], birthDate: ['1954-10-12'] }),
    );
    expect(s.score).toBe(0);
    expect(s.explanations.country_match).toBeUndefined();
    // With a matching name the same qualifiers count, and say they are qualifiers.
    const m = scoreCandidate(
      person('Choe Chun Sik', { nationality: ['kp'], birthDate: ['1960'] }),
      person('Choe Chun Sik', { nationality: ['kp'], birthDate: ['1954-10-12'] }),
    );
    expect(m.score).toBeCloseTo(1 + 0.03 - 0.2, 5);
    expect(m.explanations.birth_year_mismatch?.qualifier).toBe(true);
    expect(m.explanations.name_similarity?.qualifier).toBeUndefined();
    expect(FEATURES_BY_FAMILY.person.filter((f) => f.qualifier).map((f) => f.name)).toEqual([
      'birth_date_match',
      'birth_year_mismatch',
      'country_match',
      'country_mismatch',
      'gender_mismatch',
    ]);
  });

  it('applies a qualifier after the main features are clamped (an identifier does not hide a conflict)', () => {
    const withDoc = (dob: string) => person('Choe Chun Sik', { passportNumber: ['PD123456'], birthDate: [dob] });
    // Name 1 + passport 0.5 was clamped to 1 before the birth-year conflict was added: 1.3 → 1.
    expect(scoreCandidate(withDoc('1960'), withDoc('1954')).score).toBe(0.8);
  });

  it('overrides weights per request and refuses unknown features or bad weights', () => {
    const a = person('Choe Chun Sik', { nationality: ['ru'] });
    const b = person('Choe Chun Sik', { nationality: ['kp'] });
    expect(scoreCandidate(a, b).score).toBe(0.9);
    expect(scoreCandidate(a, b, DEFAULT_THRESHOLD, featureTable({ country_mismatch: -0.35 })).score).toBe(0.65);
    expect(scoreCandidate(a, b, DEFAULT_THRESHOLD, featureTable({ name_similarity: 0.5 })).score).toBe(0.4);
    expect(() => featureTable({ nickname_match: 1 })).toThrow(/weights.nickname_match: unknown feature/);
    expect(() => featureTable({ country_mismatch: 3 })).toThrow(/from -1 to 1/);
    expect(featureTable({})).toBe(FEATURES_BY_FAMILY);
  });
});
