import { beforeAll, describe, expect, it } from 'vitest';
import { parseOfacCsv } from '../../src/ingest/ofac-csv.js';
import { parseUnXml } from '../../src/ingest/un-xml.js';
import { dataPath } from '../../src/paths.js';
import {
  crossListQueries,
  type EvalReport,
  euCrossListNames,
  holdOutAliases,
  isVariantAlias,
  runQueries,
  summarise,
  ukCrossListNames,
} from '../../src/screening/eval.js';
import { ScreeningIndex } from '../../src/screening/index.js';
import type { EntityLike } from '../../src/screening/prepare.js';

/**
 * Measured quality on the real bundled lists (the full UN + OFAC figures are in bench/results/screening.md; this
 * test runs the UN part, which is quick). The bounds sit just under the measured values so a regression fails.
 */
describe('matcher quality on the real lists', () => {
  let report: EvalReport;
  let crossQueries = 0;

  beforeAll(async () => {
    const un: EntityLike[] = (
      await parseUnXml(dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'))
    ).entities.map((e) => ({ id: e.id, schema: e.schema, properties: e.toFtm().properties, datasets: ['un_sc'] }));
    const { indexed, queries } = holdOutAliases(un, 'un-alias', 'variants');
    const aliasRun = runQueries(ScreeningIndex.build(indexed), queries);
    const index = ScreeningIndex.build(un);
    const names = [
      ...ukCrossListNames(dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml')),
      ...euCrossListNames(dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml')),
    ];
    const cross = crossListQueries(index, names);
    crossQueries = cross.length;
    report = summarise([aliasRun, runQueries(index, cross)]);
  }, 120_000);

  it('finds DPRK entries from their UK and EU spellings (Hangul included) at rank 1', () => {
    expect(crossQueries).toBe(407);
    // Two UK names are spelling variants of another UN entry's name as plainly as of their own: namesakes.
    expect(report.groups['dprk-cross-list-uk']!.queries).toBe(366);
    expect(report.groups['dprk-cross-list-uk']!.ambiguous).toBe(2);
    expect(report.groups['dprk-cross-list-uk']!.recallAt1).toBeGreaterThanOrEqual(0.99);
    // One EU name is also carried, spelled the same, by another UN entry: a namesake, left out of recall@1.
    expect(report.groups['dprk-cross-list-eu']!.allRecallAt1).toBeLessThan(1);
    expect(report.groups['dprk-cross-list-eu']!.queries).toBe(38);
    expect(report.groups['dprk-cross-list-eu']!.ambiguous).toBe(1);
    expect(report.groups['dprk-cross-list-eu']!.recallAt1).toBeGreaterThanOrEqual(0.95);
  });

  it('finds UN entries from a held-out spelling-variant alias', () => {
    expect(report.groups['un-alias']!.queries).toBe(602);
    expect(report.groups['un-alias']!.ambiguous).toBe(18);
    expect(report.groups['un-alias']!.allRecallAt1).toBeGreaterThanOrEqual(0.95);
    expect(report.groups['un-alias']!.recallAt1).toBeGreaterThanOrEqual(0.97);
  });

  it('scores pairs at the default threshold with measured precision and recall', () => {
    expect(report.threshold).toBe(0.7);
    expect(report.pairs.precision).toBeGreaterThanOrEqual(0.9);
    expect(report.pairs.recall).toBeGreaterThanOrEqual(0.955);
    expect(report.pairs.f1).toBeGreaterThanOrEqual(0.925);
  });

  it('leaves namesake queries out of recall@1 and namesakes out of the negatives (real OFAC entries)', async () => {
    const ofac = (await parseOfacCsv(dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'))).entities
      .map((e) => ({ id: e.id, schema: e.schema, properties: e.toFtm().properties, datasets: ['ofac'] }))
      .filter((e) => /^CASTLE /.test(e.properties.name?.[0] ?? ''));
    const { indexed, queries } = holdOutAliases(ofac, 'ofac', 'variants');
    const q = queries.find((x) => x.name === 'CASTLE HOLDINGS');
    expect(q).toBeDefined();
    const run = runQueries(ScreeningIndex.build(indexed), [q!]);
    // "CASTLE HOLDINGS", held out from CASTLE INVESTMENT HOLDING, is as plainly CASTLE HOLDING GMBH's name.
    expect(run.outcomes[0]!.ambiguous).toBe(true);
    expect(run.namesakes).toBe(1);
    const gmbh = ofac.find((e) => e.properties.name?.[0] === 'CASTLE HOLDING GMBH')!;
    expect(run.pairs.some((p) => !p.positive && p.candidateId === gmbh.id)).toBe(false);
  });

  it('tells spelling variants from unrelated aliases with plain folding only', () => {
    expect(isVariantAlias('Choe Chun Sik', ['CHOE CHUN-SIK'])).toBe(true);
    expect(isVariantAlias('최춘식', ['CHOE CHUN-SIK'])).toBe(true);
    expect(isVariantAlias('KOMID', ['KOREA MINING DEVELOPMENT TRADING CORPORATION'])).toBe(false);
    expect(isVariantAlias('ABU MARIAM', ['ABU HAFS AL-MAURITANI'])).toBe(false);
    // The same family name with a different given name is another name, not a spelling of it.
    expect(isVariantAlias('YANG, Daisy', ['YANG, Qi'])).toBe(false);
    // A shortened word or a changed letter is a spelling of it.
    expect(isVariantAlias('SABURI, Hasan', ['SABURINEZHAD, Hasan'])).toBe(true);
    expect(isVariantAlias('ELESSA GROUP', ['ELLISSA GROUP SA'])).toBe(true);
    // An apostrophe is inside a word: JA'FARI is one word, a variant of JAFARI.
    expect(isVariantAlias("JA'FARI, Mohammad", ['JAFARI, Mohammad Ali'])).toBe(true);
  });
});
