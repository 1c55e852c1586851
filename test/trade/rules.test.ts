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
