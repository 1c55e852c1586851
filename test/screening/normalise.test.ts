import { describe, expect, it } from 'vitest';
import { countryCode } from '../../src/screening/countries.js';
import { canonicalArabicParticles, foldText, normaliseName } from '../../src/screening/normalise.js';
import { phoneticKey } from '../../src/screening/phonetic.js';
import { transliterate } from '../../src/screening/transliterate.js';

describe('name normalisation', () => {
  it('folds case, accents and apostrophes, splits on hyphens and punctuation', () => {
    expect(foldText("Ch'oe Ch'un Sik")).toBe('choe chun sik');
    expect(foldText('Ch’oe Ch’un Sik')).toBe('choe chun sik');
    expect(foldText('CHOE CHUN-SIK')).toBe('choe chun sik');
    expect(foldText('KIM, Jong Un')).toBe('kim jong un');
    expect(foldText('Müller Straße')).toBe('muller strasse');
    expect(foldText("MUN CHO'NG-CH'O'L")).toBe('mun chong chol');
  });

  it('transliterates Hangul, Cyrillic and Greek to Latin', () => {
    expect(foldText('최춘식', { personName: true })).toBe('choe chun sik');
    expect(transliterate('Путин Владимир')).toBe('Putin Vladimir');
    expect(foldText('Βόρεια Κορέα')).toBe('voreia korea');
  });

  it('reads Arabic presentation forms as the plain letters (UN list: ﻤﺤﻤﺪ ﻛﺮﻴﻡ)', () => {
    expect(foldText('عبد الله حماد ﻤﺤﻤﺪ ﻛﺮﻴﻡ')).toBe(foldText('عبد الله حماد محمد كريم'));
    expect(foldText('ﻤﺤﻤﺪ')).toBe('mhmd');
  });

  it('makes Arabic particles in Latin person names canonical (abd, bin)', () => {
    const c = (s: string) => canonicalArabicParticles(s.split(' ')).join(' ');
    expect(c('abd al rahman')).toBe('abd rahman');
    expect(c('abdul rahman')).toBe('abd rahman');
    expect(c('rahim abdul')).toBe('rahim abd');
    expect(c('abd allah azzam')).toBe('abdallah azzam');
    expect(c('usama ibn ladin')).toBe('usama bin ladin');
    // A first word is a name, not a particle.
    expect(c('ben smith')).toBe('ben smith');
    // A joined spelling loses its article and stays one word.
    expect(c('abdurrahman')).toBe('abdrahman');
    expect(c('abdelaziz')).toBe(c('abdulaziz'));
    expect(c('abdullah')).toBe('abdullah');
    expect(normaliseName('Abd-al-Aziz al-Rantisi', 'person').tokens).toEqual(['abd', 'aziz', 'al', 'rantisi']);
  });

  it('drops person-name prefixes from rigour (Mr, Dr, General, ...)', () => {
    expect(normaliseName('Mr. Park Chul', 'person').tokens).toEqual(['park', 'chul']);
    expect(normaliseName('General Pak Yong Sik', 'person').tokens).toEqual(['pak', 'yong', 'sik']);
  });

  it('replaces organisation types and symbols with low-weight keys', () => {
    const a = normaliseName('DANDONG ZHICHENG METALLIC MATERIAL CO., LTD.', 'org');
    expect(a.tokens).toEqual(['dandong', 'zhicheng', 'metallic', 'material', 'llc']);
    expect(a.base[4]).toBeLessThan(0.5);
    const b = normaliseName('Korea Mining Development Trading Corporation', 'org');
    const c = normaliseName('KOREA MINING DEVELOPMENT TRADING CORP', 'org');
    expect(b.tokens).toEqual(c.tokens);
  });

  it('gives Korean romanization variants one phonetic key', () => {
    const same = (words: string[]) => new Set(words.map(phoneticKey)).size;
    expect(same(['ri', 'rhee', 'lee', 'yi'])).toBe(1);
    expect(same(['pak', 'park'])).toBe(1);
    expect(same(['jong', 'chong', 'jung', 'jeong'])).toBe(1);
    expect(same(['choe', 'choi'])).toBe(1);
    expect(same(['hyok', 'hyeok', 'hyuk'])).toBe(1);
    expect(same(['song', 'sung'])).toBe(1);
    expect(phoneticKey('chol')).not.toBe(phoneticKey('chon'));
    expect(normaliseName('KIM Jongun', 'person').compact).toBe(normaliseName('Kim Jong Un', 'person').compact);
  });

  it('resolves country names in many languages to ISO codes (rigour territories)', () => {
    expect(countryCode("Democratic People's Republic of Korea")).toBe('kp');
    expect(countryCode('КНДР')).toBe('kp');
    expect(countryCode('조선민주주의인민공화국')).toBe('kp');
    expect(countryCode('DPRK')).toBe('kp');
    expect(countryCode('Korea, North')).toBe('kp');
    expect(countryCode('Iran')).toBe('ir');
    expect(countryCode('Atlantis')).toBeUndefined();
  });
});
