import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importComtrade } from '../../src/trade/comtrade.js';
import { type MirrorReport, mirrorFromStore } from '../../src/trade/mirror.js';
import { tempStore } from '../maritime/helpers.js';

const FIXTURE = path.resolve('test/fixtures/trade/comtrade_mirror.csv');

let ctx: Awaited<ReturnType<typeof tempStore>>;
let report: MirrorReport;
beforeAll(async () => {
  ctx = await tempStore();
  const r = await importComtrade(ctx.store, FIXTURE);
  expect(r).toMatchObject({ created: true, rows: 23, dprkRows: 22 });
  report = await mirrorFromStore(ctx.store);
});
afterAll(async () => {
  await ctx.cleanup();
});

const pick = <T extends { year: number; reporterCode: number; flow: string }>(
  rows: T[],
  year: number,
  reporterCode: number,
  flow: string,
): T[] => rows.filter((r) => r.year === year && r.reporterCode === reporterCode && r.flow === flow);

describe('mirror statistics on the constructed Comtrade file', () => {
  it('reads only partner 408, leaves out the monthly row beside annual data and the processing flow', () => {
    expect(report.rows).toBe(22); // the partner-410 (Republic of Korea) row is not DPRK trade
    expect(report.skipped).toBe(2);
  });

  it('totals by year and partner: the TOTAL row when given, else the chapters', () => {
    expect(report.totals.map((t) => [t.year, t.reporter, t.flow, t.valueUsd, t.from])).toEqual([
      [2016, 'China', 'export', 2_634_000_000, 'TOTAL'],
      [2016, 'China', 'import', 74_000_000, 'chapters'], // 30 M rice + 28 M petroleum + 16 M cars
      [2018, 'China', 'export', 1_300_000, 'chapters'], // 0 coal + 0.9 M shrimp + 0.4 M cuttlefish
      [2018, 'China', 'import', 41_000_000, 'chapters'], // the annual 2710 row; the March row is not added
      [2018, 'Russian Federation', 'import', 17_900_000, 'chapters'], // 10.5 M + 2.4 M + 5 M
    ]);
  });

  it('chapters from the coarsest level present: 62 once (not 62 + 6201 + 6203), 03 from its subheadings', () => {
    const ch = (year: number, rep: number, flow: string) =>
      Object.fromEntries(pick(report.chapters, year, rep, flow).map((c) => [c.chapter, c.valueUsd]));
    expect(ch(2016, 156, 'export')).toEqual({ '26': 74_000_000, '27': 1_180_000_000, '62': 520_000_000 });
    expect(ch(2016, 156, 'import')).toEqual({ '10': 30_000_000, '27': 28_000_000, '87': 16_000_000 });
    expect(ch(2018, 156, 'export')).toEqual({ '03': 1_300_000, '27': 0 });
    expect(ch(2018, 643, 'import')).toEqual({ '10': 5_000_000, '27': 10_500_000, '84': 2_400_000 });
    expect(report.chapters.find((c) => c.chapter === '27')!.chapterDesc).toContain('Mineral fuels');
  });

  it('flags flows in banned codes only from the year the ban was adopted', () => {
    expect(report.banned.map((b) => [b.year, b.reporter, b.flow, b.label, b.valueUsd, b.verdict, b.partYear])).toEqual([
      // 2016: coal and iron ore banned by 2270 (March 2016); textiles (2375, 2017) and vehicles (2397) not yet.
      [2016, 'China', 'export', 'coal', 1_180_000_000, 'ban', true],
      [2016, 'China', 'export', 'iron ore', 74_000_000, 'ban', true],
      [2018, 'China', 'export', 'seafood', 1_300_000, 'ban', false],
      [2018, 'China', 'import', 'refined petroleum', 41_000_000, 'cap', false],
      [2018, 'Russian Federation', 'import', 'machinery', 2_400_000, 'ban', false],
      [2018, 'Russian Federation', 'import', 'refined petroleum', 10_500_000, 'cap', false],
    ]);
    expect(report.banned.find((b) => b.label === 'seafood')!.resolutions.join()).toContain('S/RES/2371');
  });

  it('adds refined petroleum by weight over all partners against the 500,000-barrel cap', () => {
    // 2018: (60,000 t + 15,000 t) × 7.33 bbl/t = 549,750 bbl > 500,000.
    expect(report.petroleum).toEqual([
      { year: 2018, netWgtKg: 75_000_000, barrels: 549_750, capBarrels: 500_000, aboveCap: true },
    ]);
    expect(report.banned.filter((b) => b.label === 'refined petroleum').every((b) => b.aboveCap)).toBe(true);
  });

  it('shows rail and road border trade where the mode of transport is given', () => {
    expect(report.border.map((b) => [b.year, b.reporter, b.flow, b.mode, b.valueUsd])).toEqual([
      [2016, 'China', 'export', 'rail', 400_000_000],
      [2016, 'China', 'export', 'road', 250_000_000],
      [2018, 'Russian Federation', 'import', 'rail', 5_000_000],
    ]);
  });

  it('filters by year and reporter', async () => {
    const r = await mirrorFromStore(ctx.store, { fromYear: 2018, reporterCode: 643 });
    expect(r.totals.map((t) => [t.year, t.reporterCode, t.valueUsd])).toEqual([[2018, 643, 17_900_000]]);
  });

  it('refuses a file that is not in the Comtrade layout, naming the missing columns', async () => {
    await expect(importComtrade(ctx.store, path.resolve('test/fixtures/trade/shipments.csv'))).rejects.toThrow(
      /shipments\.csv:1: not a Comtrade-format file: no refYear, reporterCode/,
    );
  });
});
