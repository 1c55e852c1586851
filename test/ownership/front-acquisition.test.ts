import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AcquisitionInput, detectAcquisition } from '../../src/ownership/acquisition.js';
import { ownershipChanges } from '../../src/ownership/acquisition-input.js';
import { FRONT_INDICATORS, frontCompanyFindings, frontCompanyScores } from '../../src/ownership/front-company.js';
import { loadNetwork } from '../../src/ownership/load.js';
import type { OwnershipNetwork } from '../../src/ownership/network.js';
import { listsStore } from './helpers.js';

// The simulator (src/maritime/simulate) is owned by another module: the acquisition detector is tested here on
// constructed AIS timelines around the constructed sale of BLUE HORIZON (test/fixtures/ownership/PROVENANCE.md).

let ctx: Awaited<ReturnType<typeof listsStore>>;
let net: OwnershipNetwork;
beforeAll(async () => {
  ctx = await listsStore(true);
  net = await loadNetwork(ctx.store, { asOf: '2026-09-01' });
}, 120_000);
afterAll(async () => {
  await ctx.cleanup();
});

const ms = (s: string): number => Date.parse(s);

describe('front-company indicators', () => {
  it('are one declared list of named, weighted features', () => {
    expect(FRONT_INDICATORS.map((i) => i.name)).toEqual([
      'shares_address_with_listed',
      'shares_phone_with_listed',
      'shares_email_with_listed',
      'shares_director_with_listed',
      'one_ship_company',
      'registered_shortly_before_acquiring',
      'many_companies_at_address',
      'panel_jurisdiction',
      'name_similar_to_listed',
    ]);
  });

  it('YUJONG TRADING (constructed, at the listed KOREA YUJONG SHIPPING address) is the one front company', () => {
    const findings = frontCompanyFindings(net);
    expect(
      findings.map((f) => f.details!.indicators as Array<{ name: string }>).map((i) => i.map((x) => x.name)),
    ).toEqual([
      [
        'shares_address_with_listed',
        'one_ship_company',
        'registered_shortly_before_acquiring',
        'panel_jurisdiction',
        'name_similar_to_listed',
      ],
    ]);
    const f = findings[0]!;
    expect(f.kind).toBe('network.front_company');
    expect(f.score).toBe(0.95);
    expect(f.subjects).toEqual(['reg-company-9900017']);
    expect(f.explanation).toContain('shares an address with listed KOREA YUJONG SHIPPING CO LTD');
    expect(f.explanation).toContain('incorporated 2023-03-10, 22 days before acquiring a ship (2023-04-01)');
    // HORIZON MARINE (the seller) owns one ship in Hong Kong: two weak indicators, below the threshold.
    expect(frontCompanyScores(net).find((s) => s.name === 'HORIZON MARINE LTD')!.score).toBe(0.2);
  });
});

describe('vessel.acquisition (constructed AIS timelines)', () => {
  const blueHorizon = (): AcquisitionInput => ({
    imo: 9315006,
    vesselIds: ['reg-vessel-9315006'],
    changes: ownershipChanges(net, 9315006, frontCompanyScores(net)),
    identities: [
      {
        mmsi: 667001234,
        name: 'BLUE HORIZON',
        flag: 'sl',
        firstSeenMs: ms('2022-01-05T00:00:00Z'),
        lastSeenMs: ms('2023-04-12T06:00:00Z'),
      },
      {
        mmsi: 445112000,
        name: 'CHON MA 7',
        flag: 'kp',
        firstSeenMs: ms('2023-05-20T00:00:00Z'),
        lastSeenMs: ms('2023-08-01T00:00:00Z'),
      },
    ],
    events: [
      { kind: 'port_call', startMs: ms('2023-06-02T10:00:00Z'), port: 'Nampo', country: 'kp', record: 'f-nampo' },
    ],
    registryFlags: ['sl'],
  });

  it('the sale to the front company, dark, MID 445 under a new name and a Nampo call is an acquisition', () => {
    const input = blueHorizon();
    expect(input.changes.map((c) => [c.date, c.partyName, c.dprkLinked, c.front])).toEqual([
      ['2015-03-01', 'HORIZON MARINE LTD', false, false],
      ['2023-04-01', 'YUJONG TRADING CO LTD', true, true],
    ]);
    const f = detectAcquisition(input)!;
    expect(f.kind).toBe('vessel.acquisition');
    expect(f.start).toBe('2023-04-01T00:00:00.000Z');
    expect((f.details!.timeline as Array<{ what: string }>).map((t) => t.what)).toEqual([
      'registered owner: YUJONG TRADING CO LTD',
      'no AIS for 906 h from 2023-04-12T06:00:00.000Z',
      'reappeared as MMSI 445112000 (MID 445, DPRK) on 2023-05-20T00:00:00.000Z',
      'claims the DPRK flag from 2023-05-20T00:00:00.000Z',
      'AIS flag KP is not a flag the registry gives it (SL)',
      'renamed CHON MA 7 on 2023-05-20T00:00:00.000Z',
      'called at Nampo on 2023-06-02T10:00:00.000Z',
    ]);
    expect(f.score).toBe(0.95);
    expect(f.redFlags).toEqual([
      'COMPLEX_OWNERSHIP',
      'AIS_MANIPULATION',
      'VESSEL_IDENTITY_ALTERATION',
      'FALSE_FLAG',
      'DPRK_PORT_CALL',
    ]);
  });

  it('the same sale with the ship trading on as before is no acquisition', () => {
    const input = blueHorizon();
    input.identities = [
      {
        mmsi: 667001234,
        name: 'BLUE HORIZON',
        flag: 'sl',
        firstSeenMs: ms('2022-01-05T00:00:00Z'),
        lastSeenMs: ms('2024-01-01T00:00:00Z'),
      },
    ];
    input.events = [];
    expect(detectAcquisition(input)).toBeUndefined();
  });

  it('a ship going dark after a sale to an ordinary company is no acquisition', () => {
    const input: AcquisitionInput = {
      imo: 9312004,
      vesselIds: ['reg-vessel-9312004'],
      changes: ownershipChanges(net, 9312004, frontCompanyScores(net)),
      identities: [
        {
          mmsi: 351000001,
          name: 'SEA AMBER',
          flag: 'pa',
          firstSeenMs: ms('2022-01-01T00:00:00Z'),
          lastSeenMs: ms('2022-07-01T00:00:00Z'),
        },
        {
          mmsi: 351000001,
          name: 'SEA AMBER',
          flag: 'pa',
          firstSeenMs: ms('2022-09-01T00:00:00Z'),
          lastSeenMs: ms('2023-01-01T00:00:00Z'),
        },
      ],
      events: [],
      registryFlags: ['pa'],
    };
    expect(input.changes.map((c) => [c.partyName, c.dprkLinked, c.front])).toEqual([['D HOLDINGS LTD', false, false]]);
    expect(detectAcquisition(input)).toBeUndefined();
  });
});
