import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import { importList } from '../../src/lists/import.js';
import { detectStore } from '../../src/maritime/detect.js';
import { simulate } from '../../src/maritime/simulate/generate.js';
import { dataPath } from '../../src/paths.js';
import { type ScreenProgress, screenerFor, screenStore } from '../../src/trade/screen.js';
import { importShipments, storedShipments } from '../../src/trade/shipments.js';
import { tempStore, writeSimulation } from '../maritime/helpers.js';

const FIXTURE = path.resolve('test/fixtures/trade/shipments.csv');

let ctx: Awaited<ReturnType<typeof tempStore>>;
let findings: Finding[];
let records: number;
beforeAll(async () => {
  ctx = await tempStore();
  await importList(ctx.store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'));
  await importList(ctx.store, dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'), {
    format: 'ofac-csv',
    fetchedAt: '2024-05-03T00:00:00.000Z',
  });
  // AIS: the simulator's evasion scenario, whose coal carrier XIN HAI calls at Nampo on 2 March 2024.
  await writeSimulation(ctx.store, simulate('evasion-only', 5, { hours: 72 }), 'sim');
  await detectStore(ctx.store, {});
  const imported = await importShipments(ctx.store, FIXTURE);
  expect(imported.rows).toBe(8);
  const r = await screenStore(ctx.store);
  findings = r.findings;
  records = r.records;
}, 240_000);
afterAll(async () => {
  await ctx.cleanup();
});

const lineOf = (f: Finding): string => f.evidence[0]!.record;

describe('trade screen on the fixture shipments', () => {
  it('gives exactly the three findings, one per suspicious row, and nothing on the clean rows', () => {
    expect(records).toBe(8);
    expect(findings.map((f) => [f.kind, lineOf(f)]).sort()).toEqual([
      ['trade.listed_party', 'shipments.csv:3'],
      ['trade.origin_mismatch', 'shipments.csv:5'],
      ['trade.prohibited_goods', 'shipments.csv:4'],
    ]);
  });

  it('names the listed consignee and the UN entry it matches', () => {
    const f = findings.find((x) => x.kind === 'trade.listed_party')!;
    expect(f.subjects).toContain('un-kpe-002');
    expect(f.redFlags).toEqual(['SANCTIONS_LIST_MATCH']);
    expect(f.params.role).toBe('consignee');
    expect(f.explanation).toContain('KOREA RYONBONG GENERAL CORP.');
    expect(f.explanation).toContain('Korea Ryonbong General Corporation'.toUpperCase());
    expect(f.score).toBeGreaterThanOrEqual(0.7);
  });

  it('flags the cars to the DPRK under the luxury and transport-vehicle bans', () => {
    const f = findings.find((x) => x.kind === 'trade.prohibited_goods')!;
    expect(f.params).toMatchObject({ hsCode: '870323', codeFrom: 'declared', direction: 'import', verdict: 'ban' });
    expect(String(f.params.resolutions)).toContain('S/RES/2397');
    expect(String(f.params.resolutions)).toContain('2094');
    expect(f.explanation).toContain('destined for the DPRK');
    expect(f.redFlags).toEqual(['PROHIBITED_GOODS']);
  });

  it('contradicts "Russian coal" with the vessel’s AIS call at Nampo on that voyage', () => {
    const f = findings.find((x) => x.kind === 'trade.origin_mismatch')!;
    expect(f.subjects).toContain('ais-671266056');
    expect(f.redFlags).toEqual(['FALSIFIED_DOCUMENTS', 'DPRK_PORT_CALL']);
    expect(f.explanation).toContain('NAMPO');
    expect(f.explanation).toContain('GREAT LUCK'); // the false identity it broadcast in port
    expect(f.params.bannedIfDprkOrigin).toBe(true);
    const calls = (f.details as { dprkCalls: Array<{ start: string; port: string }> }).dprkCalls;
    expect(calls.map((c) => [c.port, c.start.slice(0, 10)])).toEqual([['NAMPO', '2024-03-02']]);
    // The port-visit finding is part of the evidence.
    expect(f.evidence.some((e) => e.source === 'findings' && e.record.startsWith('f-'))).toBe(true);
  });

  it('cites the row by file:line with its sha256, and the file by its sha256', () => {
    for (const f of findings) {
      expect(f.evidence[0]!.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(f.evidence[1]!.record).toBe('shipments.csv');
      expect(f.evidence[1]!.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('stores the findings, and a second run replaces them (same ids)', async () => {
    const stored = await ctx.store.queryFindings({
      kinds: ['trade.prohibited_goods', 'trade.listed_party', 'trade.origin_mismatch'],
    });
    expect(stored.map((f) => f.id).sort()).toEqual(findings.map((f) => f.id).sort());
    const again = await screenStore(ctx.store);
    expect(again.findings.map((f) => f.id).sort()).toEqual(findings.map((f) => f.id).sort());
    expect(await ctx.store.countFindings({ kinds: ['trade.listed_party'] })).toBe(1);
  });

  it('does not import the same file twice', async () => {
    const again = await importShipments(ctx.store, FIXTURE);
    expect(again.created).toBe(false);
    const n = await ctx.store.db.query('SELECT count(*) AS n FROM trade_shipments');
    expect(Number(n[0]!.n)).toBe(8);
  });
});

describe('trade screen reads only the records that can give a finding', () => {
  it('gives the same findings as screening every record one by one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-trade-sel-'));
    const file = path.join(dir, 'mixed.csv');
    writeFileSync(
      file,
      [
        'reference,shipper,shipper_country,consignee,consignee_country,notify_party,hs_code,description,origin,destination,port_loading,port_discharge,vessel_name,vessel_imo,departure_date,arrival_date',
        // the listed party only as notify party
        'M1,Dalian Haichang Petrochemical Co.,China,Osaka Seafood Trading K.K.,Japan,Korea Mining Development Trading Corporation,030617,frozen shrimp,China,Japan,Dalian,Osaka,EASTERN DAWN,9345623,2024-03-03,2024-03-07',
        // loaded at a DPRK port under a Chinese origin: origin mismatch by port, and coal from the DPRK
        'M2,Liaoning Beifang Food Trading Co.,China,Lianyungang Xinhai Energy Co.,China,,270112,steam coal,China,China,"Nampo, DPRK",Lianyungang,ORIENT STAR,1513200,2024-03-01,2024-03-05',
        // the vessel by the name it broadcast at Nampo, no IMO
        'M3,Nakhodka Bulk Terminal LLC,Russia,Lianyungang Xinhai Energy Co.,China,,270112,coal,Russia,China,Nakhodka,Lianyungang,GREAT LUCK,,2024-03-01,2024-03-06',
        // the vessel with DPRK calls, but a voyage a year later: selected, clean
        'M4,Nakhodka Bulk Terminal LLC,Russia,Lianyungang Xinhai Energy Co.,China,,270112,coal,Russia,China,Nakhodka,Lianyungang,XIN HAI,1341061,2025-03-01,2025-03-06',
        // clean
        'M5,Hanbit Electronics Co.,Korea (Republic of),Best Mobile Distribution Inc.,United States,,851713,mobile phones,Korea (Republic of),United States,Busan,Long Beach,HMM ALGECIRAS,9863297,2024-03-01,2024-03-14',
        '',
      ].join('\n'),
    );
    try {
      const imported = await importShipments(ctx.store, file);
      const events: ScreenProgress[] = [];
      const r = await screenStore(ctx.store, {
        importId: imported.importId,
        save: false,
        onProgress: (p) => events.push({ ...p }),
      });
      expect(r.records).toBe(5);
      // Progress as it runs: each step from 0 to its total (8 distinct parties: the notify party has no country;
      // 4 records can give a finding, M5 cannot), counts only going up.
      expect(events.map((e) => e.step).filter((s, k, a) => a[k - 1] !== s)).toEqual(['index', 'parties', 'records']);
      expect(events.filter((e) => e.step === 'parties').at(-1)).toEqual({ step: 'parties', done: 8, total: 8 });
      expect(events.filter((e) => e.step === 'records').at(-1)).toEqual({ step: 'records', done: 4, total: 4 });
      for (const step of ['parties', 'records']) {
        const done = events.filter((e) => e.step === step).map((e) => e.done);
        expect(done[0]).toBe(0);
        expect(done).toEqual([...done].sort((a, b) => a - b));
      }
      const screener = await screenerFor(ctx.store);
      const oneByOne: Finding[] = [];
      for await (const page of storedShipments(ctx.store.db, imported.importId))
        for (const s of page) oneByOne.push(...screener.screen(s));
      const key = (f: Finding): string => `${f.kind} ${lineOf(f)} ${f.id}`;
      expect(r.findings.map(key)).toEqual(oneByOne.map(key));
      expect(r.findings.map((f) => [f.kind, lineOf(f)]).sort()).toEqual([
        ['trade.listed_party', 'mixed.csv:2'],
        ['trade.origin_mismatch', 'mixed.csv:3'],
        ['trade.origin_mismatch', 'mixed.csv:4'],
        ['trade.prohibited_goods', 'mixed.csv:3'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
