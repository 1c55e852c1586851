import { describe, expect, it } from 'vitest';
import { acronymsOf } from '../../src/screening/acronym.js';
import { ScreeningIndex } from '../../src/screening/index.js';
import { bestNamePair } from '../../src/screening/names/best.js';
import { prepare } from '../../src/screening/prepare.js';
import { DEFAULT_THRESHOLD, scoreCandidate } from '../../src/screening/score.js';

const org = (name: string) => prepare({ id: name, schema: 'Organization', properties: { name: [name] } });

// Names and acronyms as OFAC and the UN list give them (sdn.csv 2024-05-03, UN consolidated 2026-02-27).
describe('organisation acronyms', () => {
  it('takes the initials of every word but articles and prepositions, and again without a legal form', () => {
    expect(acronymsOf('BANCO NACIONAL DE CUBA')).toEqual(['bnc']);
    expect(acronymsOf('ISLAMIC MOVEMENT OF UZBEKISTAN')).toEqual(['imu']);
    expect(acronymsOf('KOREA KWANGSON BANKING CORPORATION')).toEqual(['kkbc', 'kkb']);
    expect(acronymsOf('TAIPEN SA')).toEqual([]);
  });

  it('scores a one-word name equal to an acronym below the threshold, explained', () => {
    const s = scoreCandidate(org('IMU'), org('ISLAMIC MOVEMENT OF UZBEKISTAN'));
    expect(s.score).toBe(0.65);
    expect(s.match).toBe(false);
    expect(s.explanations.name_similarity!.detail).toBe('"IMU" ~ "ISLAMIC MOVEMENT OF UZBEKISTAN" (acronym, 0.650)');
    // Both ways: the full name as the query, the acronym on the list.
    expect(scoreCandidate(org('Islamic Movement of Uzbekistan'), org('IMU')).score).toBe(0.65);
    // Persons have no acronyms; a near acronym is no acronym.
    const person = prepare({ id: 'p', schema: 'Person', properties: { name: ['Ivan Mikhail Ulyanov'] } });
    expect(person.acronyms).toEqual([]);
    expect(scoreCandidate(org('IMV'), org('ISLAMIC MOVEMENT OF UZBEKISTAN')).score).toBeLessThan(DEFAULT_THRESHOLD);
  });

  it('finds the entry through the index from its acronym', () => {
    const index = ScreeningIndex.build(
      ['REVIVAL OF ISLAMIC HERITAGE SOCIETY', 'RED HAND DEFENDERS', 'LOYALIST VOLUNTEER FORCE'].map((n, i) => ({
        id: `e${i}`,
        schema: 'Organization',
        properties: { name: [n] },
      })),
    );
    const [top] = index.match({ id: 'q', schema: 'Organization', properties: { name: ['RIHS'] } });
    expect(top?.id).toBe('e0');
    expect(top?.score).toBe(0.65);
    expect(bestNamePair(org('LVF'), index.get('e2')!)?.method).toBe('acronym');
  });
});
