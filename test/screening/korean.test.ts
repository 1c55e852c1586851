import { describe, expect, it } from 'vitest';
import { hasHangul, koreanSurnameKey, romanizeKorean, romanizeSyllable } from '../../src/screening/korean.js';

describe('Hangul romanization', () => {
  it('writes DPRK person names as the UN list does (McCune-Reischauer, syllable words)', () => {
    expect(romanizeKorean('최춘식', { syllableWords: true })).toBe('Choe Chun Sik');
    expect(romanizeKorean('김정은', { syllableWords: true })).toBe('Kim Jong Un');
    expect(romanizeKorean('리성혁', { syllableWords: true })).toBe('Ri Song Hyok');
    expect(romanizeKorean('송림', { syllableWords: true })).toBe('Song Rim');
  });

  it('keeps 리 as Ri and 림 as Rim: no South Korean initial-ㄹ rule in the DPRK form', () => {
    expect(romanizeSyllable('리')).toBe('ri');
    expect(romanizeSyllable('림')).toBe('rim');
    expect(romanizeSyllable('로')).toBe('ro');
  });

  it('gives classic McCune-Reischauer with apostrophes and Revised Romanization', () => {
    expect(romanizeKorean('최춘식', { system: 'mr', syllableWords: true })).toBe("Ch'oe Ch'un Sik");
    expect(romanizeKorean('김정은', { system: 'rr', syllableWords: true })).toBe('Gim Jeong Eun');
    expect(romanizeKorean('리성혁', { system: 'rr', syllableWords: true })).toBe('I Seong Hyeok');
  });

  it('joins organisation names written in one run', () => {
    expect(romanizeKorean('조선광업개발무역회사')).toBe('Josonkwangopkaepalmuyokhoesa');
    expect(hasHangul('KOMID 조선')).toBe(true);
    expect(hasHangul('Kim Jong Un')).toBe(false);
  });

  it('maps family-name spellings to one key', () => {
    for (const s of ['ri', 'rhee', 'lee', 'yi', 'li']) expect(koreanSurnameKey(s)).toBe('ri');
    for (const s of ['pak', 'park', 'bak']) expect(koreanSurnameKey(s)).toBe('pak');
    for (const s of ['jong', 'chong', 'jung', 'chung', 'jeong']) expect(koreanSurnameKey(s)).toBe('jong');
    for (const s of ['choe', 'choi']) expect(koreanSurnameKey(s)).toBe('choe');
    expect(koreanSurnameKey('gim')).toBe('kim');
    expect(koreanSurnameKey('smith')).toBeUndefined();
  });
});
