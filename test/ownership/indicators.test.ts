import { describe, expect, it } from 'vitest';
import { entitiesFromStatements } from '../../src/model/entity.js';
import type { Statement } from '../../src/model/statement.js';
import { ownershipChain } from '../../src/ownership/chain.js';
import { vesselExposure } from '../../src/ownership/exposure.js';
import { frontCompanyFindings, frontCompanyScores } from '../../src/ownership/front-company.js';
import { buildNetwork } from '../../src/ownership/network.js';

// The front-company indicators and the exposure reason that the tests on the real lists do not reach (the lists
// carry no phone numbers, e-mails or directorships for the DPRK shipping companies, and no hull shares a manager
// with a listed ship there): a small constructed network, built in memory. Every company, person and ship here is
// invented (IMO numbers chosen to pass the check digit); "listed" means an FtM `topics: sanction` entry.

type Props = Record<string, string[]>;
function entities(rows: Array<[id: string, schema: string, props: Props]>) {
  const statements: Statement[] = [];
  for (const [id, schema, props] of rows)
    for (const [prop, values] of Object.entries(props))
      for (const value of values)
        statements.push({
          entityId: id,
          schema,
          prop,
          value,
          source: 'test_constructed',
          sourceRecord: `constructed#${id}`,
          seenAt: '2026-01-01T00:00:00.000Z',
          versionId: 'test_constructed@1',
        });
  return entitiesFromStatements(statements);
}

const HK = 'Room 5, 12 Queens Road Central, Hong Kong';
const net = buildNetwork(
  entities([
    // The listed company, its phone, e-mail and director.
    [
      'l-achim',
      'Company',
      {
        name: ['PYONGHWA ACHIM NAVIGATION'],
        topics: ['sanction'],
        country: ['kp'],
        phone: ['+850 2 381 4410'],
        email: ['achim@star-co.net.kp'],
        address: ['Tonghung-dong, Pyongyang'],
      },
    ],
    ['p-kim', 'Person', { name: ['KIM CHOL SU'] }],
    ['d-kim-achim', 'Directorship', { director: ['p-kim'], organization: ['l-achim'], startDate: ['2015-01-01'] }],
    // A listed ship.
    ['v-listed', 'Vessel', { name: ['CHON BONG 3'], imoNumber: ['9321005'], topics: ['sanction'] }],
    // Front: same phone (other spelling), same e-mail (other case), same director; owns one ship.
    [
      'c-front',
      'Company',
      {
        name: ['BRIGHT LOTUS NAVIGATION'],
        country: ['ws'],
        phone: ['+850-2-3814410'],
        email: [' ACHIM@star-co.net.kp'],
        address: ['Apia, Samoa'],
      },
    ],
    ['d-kim-front', 'Directorship', { director: ['p-kim'], organization: ['c-front'], startDate: ['2022-01-01'] }],
    ['v-front', 'Vessel', { name: ['LOTUS DAWN'], imoNumber: ['9322009'] }],
    [
      'o-front',
      'Ownership',
      { owner: ['c-front'], asset: ['v-front'], role: ['registered owner'], startDate: ['2023-05-01'] },
    ],
    // Three ordinary-looking companies at one address; one owns a ship.
    ['c-hk1', 'Company', { name: ['GREAT RIVER CARRIERS'], address: [HK] }],
    ['c-hk2', 'Company', { name: ['SILVER MOON TRADERS'], address: [HK] }],
    ['c-hk3', 'Company', { name: ['JADE PEAK LOGISTICS'], address: [HK] }],
    ['v-hk', 'Vessel', { name: ['RIVER GRACE'], imoNumber: ['9323003'] }],
    ['o-hk', 'Ownership', { owner: ['c-hk1'], asset: ['v-hk'], role: ['registered owner'] }],
    // An unlisted manager of the listed ship and of another ship.
    ['c-mgr', 'Company', { name: ['NORTHERN STAR SHIPMANAGEMENT'], country: ['gr'] }],
    ['v-managed', 'Vessel', { name: ['AEGEAN LIGHT'], imoNumber: ['9324007'] }],
    [
      'u-mgr-listed',
      'UnknownLink',
      { subject: ['c-mgr'], object: ['v-listed'], role: ['ship manager'], startDate: ['2024-02-01'] },
    ],
    [
      'u-mgr-other',
      'UnknownLink',
      { subject: ['c-mgr'], object: ['v-managed'], role: ['ship manager'], startDate: ['2024-02-01'] },
    ],
  ]),
  { asOf: '2026-01-01' },
);

describe('front-company indicators on a constructed network', () => {
  it('a shared phone, e-mail and director with a listed company each fire, with their sentence', () => {
    const s = frontCompanyScores(net).find((x) => x.name === 'BRIGHT LOTUS NAVIGATION')!;
    expect(s.indicators.map((i) => [i.name, i.explanation])).toEqual([
      ['shares_phone_with_listed', 'shares a phone number with listed PYONGHWA ACHIM NAVIGATION'],
      ['shares_email_with_listed', 'shares an e-mail address with listed PYONGHWA ACHIM NAVIGATION'],
      ['shares_director_with_listed', 'shares a director with listed PYONGHWA ACHIM NAVIGATION'],
      ['one_ship_company', 'owns exactly one ship'],
      ['panel_jurisdiction', 'registered in a jurisdiction the Panel names often (WS)'],
    ]);
    // 0.30 + 0.30 + 0.35 + 0.10 + 0.10, capped at 1.
    expect(s.score).toBe(1);
    const f = frontCompanyFindings(net).find((x) => x.explanation.startsWith('BRIGHT LOTUS'))!;
    expect(f.kind).toBe('network.front_company');
    expect(f.explanation).toContain('shares a director with listed PYONGHWA ACHIM NAVIGATION');
  });

  it('three companies at one address make it a mass-registration address, alone below the reporting score', () => {
    const s = frontCompanyScores(net).find((x) => x.name === 'GREAT RIVER CARRIERS')!;
    expect(s.indicators.map((i) => [i.name, i.explanation])).toEqual([
      ['one_ship_company', 'owns exactly one ship'],
      ['many_companies_at_address', `3 companies registered at "${HK}"`],
    ]);
    expect(s.score).toBe(0.25);
    expect(frontCompanyFindings(net).map((f) => f.subjects)).not.toContainEqual(['c-hk1']);
  });
});

describe('vessel exposure through a controller shared with a listed ship', () => {
  it('a ship managed by the manager of a listed ship is exposed (0.6), explained with the listed ship', () => {
    const [f, ...rest] = vesselExposure(net, { imo: 9324007 });
    expect(rest).toEqual([]);
    expect(f!.details).toMatchObject({ reason: 'shares_controller_with_listed_ship', roles: ['ship manager'] });
    expect(f!.score).toBe(0.6);
    expect(f!.explanation).toBe(
      'AEGEAN LIGHT (IMO 9324007) is managed by NORTHERN STAR SHIPMANAGEMENT, which also controls listed CHON BONG 3 (IMO 9321005), since 2024-02-01.',
    );
    // The ordinary companies' ship is not exposed.
    expect(vesselExposure(net, { imo: 9323003 })).toEqual([]);
  });
});

describe('ownership chain', () => {
  it('walks a cross-holding once and names no ultimate owner inside the cycle', () => {
    const cyc = buildNetwork(
      entities([
        ['c-a', 'Company', { name: ['ALPHA CIRCLE HOLDINGS'] }],
        ['c-b', 'Company', { name: ['BETA CIRCLE SHIPPING'] }],
        ['v-c', 'Vessel', { name: ['CIRCLE STAR'], imoNumber: ['9321005'] }],
        ['o-ab', 'Ownership', { owner: ['c-a'], asset: ['c-b'], percentage: ['60'] }],
        ['o-ba', 'Ownership', { owner: ['c-b'], asset: ['c-a'], percentage: ['10'] }],
        ['o-bv', 'Ownership', { owner: ['c-b'], asset: ['v-c'], role: ['registered owner'] }],
      ]),
      { asOf: '2026-01-01' },
    );
    const c = ownershipChain(cyc, 'imo-9321005');
    expect(c.steps.map((s) => [s.depth, s.ownerName, s.assetName, s.percentage])).toEqual([
      [1, 'BETA CIRCLE SHIPPING', 'CIRCLE STAR (IMO 9321005)', undefined],
      [2, 'ALPHA CIRCLE HOLDINGS', 'BETA CIRCLE SHIPPING', 60],
      [3, 'BETA CIRCLE SHIPPING', 'ALPHA CIRCLE HOLDINGS', 10],
    ]);
    expect(c.ultimateOwners).toEqual([]);
  });
});
