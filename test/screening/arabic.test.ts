import { describe, expect, it } from 'vitest';
import { arabicOrgReadings } from '../../src/screening/arabic.js';
import { prepare } from '../../src/screening/prepare.js';
import { DEFAULT_THRESHOLD, scoreCandidate } from '../../src/screening/score.js';

const org = (name: string) => prepare({ id: name, schema: 'Organization', properties: { name: [name] } });
const score = (a: string, b: string) => scoreCandidate(org(a), org(b)).score;

// Arabic names and Latin names of the same UN entries (un_sc_consolidated_2026-02-27.xml).
describe('Arabic organisation names', () => {
  it('reads the common organisation words in English, proper names left in Arabic script', () => {
    expect(arabicOrgReadings('الجماعة الاسلامية المقاتلة الليبية')).toEqual([
      'group islamic fighting libyan',
      'group islamic combatant libyan',
    ]);
    expect(arabicOrgReadings('مكتب حنيفة للصرافة')).toEqual(['office حنيفه exchange']);
    expect(arabicOrgReadings('LIBYAN ISLAMIC FIGHTING GROUP')).toBeUndefined();
    expect(arabicOrgReadings('صدام حسين')).toBeUndefined();
  });

  it('matches them with the English names the lists give', () => {
    expect(score('الجماعة الاسلامية المقاتلة الليبية', 'LIBYAN ISLAMIC FIGHTING GROUP')).toBeGreaterThanOrEqual(0.9);
    expect(score('الجماعة الاسلامية المغربية المقاتلة', 'MOROCCAN ISLAMIC COMBATANT GROUP')).toBeGreaterThanOrEqual(
      0.9,
    );
    const libya = 'الدولة الإسلامية في العراق والشام - ليبيا';
    expect(score(libya, 'ISLAMIC STATE IN IRAQ AND THE LEVANT - LIBYA')).toBeGreaterThanOrEqual(0.9);
    expect(score(libya, 'ISLAMIC STATE IN IRAQ AND THE LEVANT - YEMEN')).toBeLessThan(
      score(libya, 'ISLAMIC STATE IN IRAQ AND THE LEVANT - LIBYA'),
    );
    expect(score('جمعية احياء التراث الاسلامي', 'REVIVAL OF ISLAMIC HERITAGE SOCIETY')).toBeGreaterThanOrEqual(
      DEFAULT_THRESHOLD,
    );
    // The descriptions differ (Libyan / Moroccan): not a match of the same strength.
    expect(score('الجماعة الاسلامية المقاتلة الليبية', 'MOROCCAN ISLAMIC COMBATANT GROUP')).toBeLessThan(0.9);
  });
});
