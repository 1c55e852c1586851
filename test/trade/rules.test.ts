import { describe, expect, it } from 'vitest';
import { ScreeningIndex } from '../../src/screening/index.js';
import { agrees, commoditiesIn } from '../../src/trade/commodities.js';
import { HsRules, hsDescription } from '../../src/trade/hs.js';
import { dprkPortIn } from '../../src/trade/ports.js';
import { TradeScreener } from '../../src/trade/screen.js';
import type { Shipment } from '../../src/trade/shipments.js';
import { VoyageIndex } from '../../src/trade/voyages.js';

const rules = HsRules.load();

function shipment(p: Partial<Shipment>): Shipment {
  const blank = {
    importId: 'trade-shipments@0123456789abcdef',
    file: 'x.csv',
    line: 2,
    rowSha256: 'a'.repeat(64),
  } as Shipment;
  for (const k of [
    'reference',
    'docType',
    'docDate',
    'shipper',
    'shipperAddress',
    'shipperCountry',
    'consignee',
    'consigneeAddress',
    'consigneeCountry',
    'notifyParty',
    'notifyAddress',
    'notifyCountry',
    'hsCode',
    'description',
    'origin',
    'originCode',
    'destination',
    'destinationCode',
    'portLoading',
    'portDischarge',
    'vesselName',
    'vesselImo',
    'departureDate',
    'arrivalDate',
    'weightKg',
    'value',
    'currency',
  ] as const)
    (blank as unknown as Record<string, unknown>)[k] = null;
  return { ...blank, ...p };
}

const screener = (voyages = new VoyageIndex([], [])) =>
  new TradeScreener(ScreeningIndex.build([]), rules, voyages, new Map());

describe('HS rules from data/trade', () => {
  it('match as prefixes, in the flow direction', () => {
    expect(rules.match('270112', 'export').map((r) => r.source)).toContain('S/RES/2371 OP8');
    expect(rules.match('270112', 'import')).toEqual([]);
    expect(rules.match('030617', 'export').some((r) => r.hsCode === '03' && r.rule === 'ban')).toBe(true);
    expect(
      rules.match('271019', 'import').some((r) => r.rule === 'cap' && r.cap === '500000 barrels per 12 months'),
    ).toBe(true);
    expect(rules.match('910121', 'import').some((r) => r.list === 'luxury')).toBe(true);
    expect(hsDescription('270112')).toMatch(/^Coal; bituminous/);
  });

  it('commodity words imply codes, and agree with compatible declarations', () => {
    const [coal] = commoditiesIn('Anthracite coal, 0-50 mm');
    expect(coal!.label).toBe('coal');
    expect(agrees('270111', coal!)).toBe(true);
    expect(agrees('27', coal!)).toBe(true);
    expect(agrees('382499', coal!)).toBe(false);
    expect(commoditiesIn('coal mining machinery').map((k) => k.label)).toEqual(['coal', 'machinery']);
  });

  it('finds DPRK ports in port fields', () => {
    expect(dprkPortIn('NAMPO, DPRK')).toBe('nampo');
    expect(dprkPortIn("Ch'ongjin")).toBe('chongjin');
    expect(dprkPortIn('Lianyungang')).toBeNull();
  });
});

describe('TradeScreener rules', () => {
  it('no HS code: the description decides (coal from Nampo is a banned export)', () => {
    const f = screener().screen(
      shipment({ description: 'anthracite in bulk', origin: 'DPRK', originCode: 'KP', portLoading: 'Nampo' }),
    );
    expect(f.map((x) => x.kind)).toEqual(['trade.prohibited_goods']);
    expect(f[0]!.params).toMatchObject({
      hsCode: '2701',
      codeFrom: 'description',
      direction: 'export',
      verdict: 'ban',
    });
    expect(f[0]!.explanation).toContain('has no HS code');
  });

  it('a declared code that contradicts the words is checked against the words, with FALSIFIED_DOCUMENTS', () => {
    const f = screener().screen(
      shipment({
        hsCode: '382499',
        description: 'steam coal',
        destinationCode: 'CN',
        originCode: 'KP',
        origin: 'DPRK',
      }),
    );
    expect(f.map((x) => x.kind)).toEqual(['trade.prohibited_goods']);
    expect(f[0]!.redFlags).toEqual(['PROHIBITED_GOODS', 'FALSIFIED_DOCUMENTS']);
    expect(f[0]!.explanation).toContain('declares HS 382499');
  });

  it('refined petroleum (heading 2710) to the DPRK is capped, not banned', () => {
    const f = screener().screen(shipment({ hsCode: '2710', description: 'diesel', destinationCode: 'KP' }));
    expect(f[0]!.params.verdict).toBe('cap');
    expect(f[0]!.score).toBe(0.6);
    // Subheading 271019 also covers kerosene-type jet fuel, which S/RES/2270 bans outright.
    const jet = screener().screen(shipment({ hsCode: '271019', destinationCode: 'KP' }));
    expect(jet[0]!.params).toMatchObject({ verdict: 'ban' });
    expect(String(jet[0]!.params.resolutions)).toContain('S/RES/2270');
  });

  it('the same goods between third countries give nothing', () => {
    expect(
      screener().screen(shipment({ hsCode: '270112', description: 'coal', originCode: 'AU', destinationCode: 'JP' })),
    ).toEqual([]);
  });

  it('a DPRK port of loading contradicts a declared foreign origin', () => {
    const f = screener().screen(
      shipment({
        hsCode: '0902',
        description: 'tea',
        origin: 'China',
        originCode: 'CN',
        portLoading: 'Nampo',
        destinationCode: 'CN',
      }),
    );
    expect(f.map((x) => x.kind)).toEqual(['trade.origin_mismatch']);
    expect(f[0]!.explanation).toContain('port of loading Nampo is in the DPRK');
  });

  it('a vessel DPRK call outside the voyage window does not count', () => {
    const call = {
      findingId: 'f-1',
      mmsi: 1,
      port: 'NAMPO',
      startMs: Date.parse('2024-01-01T00:00:00Z'),
      endMs: Date.parse('2024-01-02T00:00:00Z'),
      name: 'X',
      imo: 1234567,
    };
    const v = new VoyageIndex([call], []);
    const s = { hsCode: '270112', originCode: 'RU', origin: 'Russia', vesselImo: 1234567, arrivalDate: '2024-03-10' };
    expect(screener(v).screen(shipment({ ...s, departureDate: '2024-03-01' }))).toEqual([]);
    expect(
      screener(v)
        .screen(shipment({ ...s, departureDate: '2024-01-20' }))
        .map((x) => x.kind),
    ).toEqual(['trade.origin_mismatch']);
  });
});

describe('TradeScreener: a ban applies from its resolution’s adoption', () => {
  const goods = (p: Partial<Shipment>) =>
    screener()
      .screen(shipment(p))
      .filter((f) => f.kind === 'trade.prohibited_goods');

  it('reads the adoption dates into the rules (S/RES/2371, 2375, 2397)', () => {
    const coal = rules.match('270112', 'export').filter((r) => r.source.startsWith('S/RES/2371'));
    expect(coal.map((r) => r.inForce)).toContain('2017-08-05');
    const textiles = rules.match('620342', 'export').filter((r) => r.source.startsWith('S/RES/2375'));
    expect(textiles[0]).toMatchObject({ inForce: '2017-09-11', windDownDays: 90 });
    expect(
      rules.match('843041', 'import').some((r) => r.source.startsWith('S/RES/2397') && r.inForce === '2017-12-22'),
    ).toBe(true);
  });

  it('DPRK coal: nothing the day before S/RES/2270, a ban from its adoption day', () => {
    const coal = { hsCode: '270112', originCode: 'KP', origin: 'DPRK', destinationCode: 'CN' };
    expect(goods({ ...coal, departureDate: '2016-03-01' })).toEqual([]);
    const f = goods({ ...coal, departureDate: '2016-03-02' });
    expect(f[0]!.params).toMatchObject({ verdict: 'ban', shipmentDate: '2016-03-02' });
    expect(String(f[0]!.params.resolutions)).toBe('S/RES/2270 OP29');
    expect(f[0]!.explanation).toContain('S/RES/2270 OP29 (in force from 2016-03-02)');
    // From 5 August 2017 the full ban of S/RES/2371 applies too.
    expect(String(goods({ ...coal, departureDate: '2017-08-04' })[0]!.params.resolutions)).not.toContain('2371');
    expect(String(goods({ ...coal, departureDate: '2017-08-05' })[0]!.params.resolutions)).toContain('S/RES/2371');
  });

  it('DPRK textiles: nothing before S/RES/2375 (11 September 2017), then the 90-day wind-down, then the ban', () => {
    const cloth = { hsCode: '620342', originCode: 'KP', origin: 'DPRK', destinationCode: 'CN' };
    expect(goods({ ...cloth, departureDate: '2017-09-10' })).toEqual([]);
    const first = goods({ ...cloth, departureDate: '2017-09-11' })[0]!;
    expect(first.params).toMatchObject({ verdict: 'ban', windDownUntil: '2017-12-09' });
    expect(first.score).toBe(0.7);
    expect(first.explanation).toContain('90-day wind-down');
    expect(goods({ ...cloth, departureDate: '2017-12-09' })[0]!.params.windDownUntil).toBe('2017-12-09');
    const after = goods({ ...cloth, departureDate: '2017-12-10' })[0]!;
    expect(after.params.windDownUntil).toBeUndefined();
    expect(after.score).toBe(0.9);
  });

  it('machinery to the DPRK: the S/RES/2397 ban only from 22 December 2017', () => {
    const machine = { hsCode: '843041', destinationCode: 'KP', destination: 'DPRK' };
    const before = goods({ ...machine, departureDate: '2017-12-21' });
    expect(before.every((f) => !String(f.params.resolutions).includes('2397'))).toBe(true);
    const on = goods({ ...machine, departureDate: '2017-12-22' });
    expect(String(on[0]!.params.resolutions)).toContain('S/RES/2397');
  });

  it('the date is the departure, else the document date, else the arrival; without one every rule applies', () => {
    const coal = { hsCode: '270112', originCode: 'KP', destinationCode: 'CN' };
    expect(goods({ ...coal, docDate: '2016-03-01', arrivalDate: '2016-03-05' })).toEqual([]);
    expect(goods({ ...coal, arrivalDate: '2016-03-05' })).toHaveLength(1);
    const undated = goods(coal)[0]!;
    expect(String(undated.params.resolutions)).toContain('S/RES/2371');
    expect(undated.explanation).toContain('no date');
  });

  it('an origin mismatch says the goods would be banned only for bans in force on the date', () => {
    const s = { hsCode: '620342', origin: 'China', originCode: 'CN', portLoading: 'Nampo', destinationCode: 'JP' };
    const early = screener()
      .screen(shipment({ ...s, departureDate: '2017-09-01' }))
      .find((f) => f.kind === 'trade.origin_mismatch')!;
    expect(early.params.bannedIfDprkOrigin).toBe(false);
    const late = screener()
      .screen(shipment({ ...s, departureDate: '2018-01-15' }))
      .find((f) => f.kind === 'trade.origin_mismatch')!;
    expect(late.params.bannedIfDprkOrigin).toBe(true);
  });
});
