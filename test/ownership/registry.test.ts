import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownershipChain } from '../../src/ownership/chain.js';
import { vesselExposure } from '../../src/ownership/exposure.js';
import { loadNetwork } from '../../src/ownership/load.js';
import { controlOf, type OwnershipNetwork } from '../../src/ownership/network.js';
import { identityValues, namesOf } from '../../src/registry/registry.js';
import { listsStore } from './helpers.js';

let ctx: Awaited<ReturnType<typeof listsStore>>;
let net: OwnershipNetwork;
beforeAll(async () => {
  ctx = await listsStore(true);
  net = await loadNetwork(ctx.store, { asOf: '2026-09-01' });
}, 120_000);
afterAll(async () => {
  await ctx.cleanup();
});

describe('vessel registry on the real lists', () => {
  it('YU JONG 2 (IMO 8604917): one hull, its former names from the UK entry, the OFAC entry by IMO', () => {
    const r = net.registry.get(8604917)!;
    expect(r.entityIds).toEqual(expect.arrayContaining(['ofac-23736', 'gb-ofsi-dpr0102', 'reg-vessel-8604917']));
    expect(r.joinedByName).toEqual(['gb-ofsi-dpr0102']);
    const names = namesOf(r);
    expect(names.current).toEqual(['YU JONG 2']);
    expect(names.former).toEqual(['Dae Hung 12', 'Ryoko', 'Ryoko Maru No.8']);
    expect(identityValues(r, ['flag'])).toEqual([
      expect.objectContaining({ value: 'kp', sources: ['us_ofac_sdn', 'ship_registry'] }),
    ]);
    expect(net.registry.find('IMO8604917')).toBe(r);
    expect(net.registry.find('8604918')).toBeUndefined(); // check digit
  });

  it('YU JONG 2: the owner the lists give is KOREA YUJONG SHIPPING CO LTD, from OFAC, UN, UK and EU', () => {
    const owners = net.links.filter((l) => l.asset === 'imo-8604917');
    const party = owners[0]!.party;
    expect(owners.every((l) => l.party === party)).toBe(true);
    expect(net.parties.caption(party)).toBe('KOREA YUJONG SHIPPING CO LTD');
    expect(net.parties.members(party)).toEqual(
      expect.arrayContaining([
        'un-kpe-066',
        'ofac-23714',
        'gb-ofsi-dpr0166',
        'eu-fsf-eu-4455-11',
        'reg-company-5434358',
      ]),
    );
    expect(new Set(owners.map((l) => l.source))).toEqual(
      new Set(['us_ofac_sdn', 'un_sc_sanctions', 'gb_hmt_sanctions', 'eu_fsf', 'ship_registry']),
    );
    expect(owners.find((l) => l.source === 'us_ofac_sdn')!.role).toBe('linked to');
    expect(owners.find((l) => l.source === 'un_sc_sanctions')!.role).toBe('registered owner');
  });

  it('its listed owner makes YU JONG 2 exposed, explained with the owner and the lists', () => {
    const f = vesselExposure(net, { imo: 8604917 });
    expect(f).toHaveLength(1);
    expect(f[0]!.kind).toBe('vessel.ownership_exposure');
    expect(f[0]!.details!.reason).toBe('listed');
    expect(f[0]!.explanation).toBe(
      'YU JONG 2 (IMO 8604917) is owned by, linked to and managed by listed KOREA YUJONG SHIPPING CO LTD ' +
        '(eu-fsf-eu-4455-11, gb-ofsi-dpr0166, ofac-23714, un-kpe-066), since 2017-01-01.',
    );
    expect(f[0]!.subjects).toEqual(expect.arrayContaining(['ofac-23736', 'un-kpe-066']));
    expect(f[0]!.evidence.map((e) => e.record)).toContain('un_sc_consolidated_2026-02-27.xml:47020#KPe.066');
  });
});

describe('OFAC 50 % rule on constructed chains between real listed owners', () => {
  it('A (listed) 30 % + B (listed) 25 % → C: C and its ship are blocked in the aggregate', () => {
    const c = controlOf(net, 'reg-company-9900011')!;
    expect(c.blocked).toBe(true);
    expect(c.share).toBe(55);
    expect(c.paths.map((p) => p.map((s) => [s.ownerName, s.percentage]))).toEqual(
      expect.arrayContaining([[['KOREA YUJONG SHIPPING CO LTD', 30]], [['KOREA ACHIM SHIPPING CO', 25]]]),
    );
    const ship = controlOf(net, '9311000')!;
    expect(ship.blocked).toBe(true);
    expect(ship.share).toBe(100);
    expect(ship.paths[0]!.map((s) => s.assetName)).toEqual(['C HOLDINGS LTD', 'SEA PEARL (IMO 9311000)']);
    expect(vesselExposure(net, { imo: 9311000 }).map((x) => x.explanation)).toEqual([
      'SEA PEARL (IMO 9311000) is owned by C HOLDINGS LTD, which is 30 % owned by listed KOREA YUJONG SHIPPING CO LTD ' +
        'since 2022-01-01 and 25 % owned by listed KOREA ACHIM SHIPPING CO since 2022-01-01 (blocked under the 50 % ' +
        'rule: 55 % in the aggregate).',
    ]);
  });

  it('30 % + 15 % is not blocked, and neither is its ship', () => {
    expect(controlOf(net, 'reg-company-9900012')).toMatchObject({ blocked: false, share: 45 });
    expect(controlOf(net, '9312004')).toMatchObject({ blocked: false, share: 0 });
  });

  it("the vessel page's chain reaches the ultimate owners even when the 50 % rule does not block", () => {
    // SEA AMBER's owner D HOLDINGS is 45 % held by listed owners: not blocked, so no 50 % path; the chain shows them.
    const c = ownershipChain(net, 'imo-9312004');
    expect(c.steps.map((s) => [s.depth, s.ownerName, s.percentage, s.assetName, s.ownerBlocked])).toEqual([
      [1, 'D HOLDINGS LTD', 100, 'SEA AMBER (IMO 9312004)', false],
      [2, 'KOREA YUJONG SHIPPING CO LTD', 30, 'D HOLDINGS LTD', true],
      [2, 'KOREA ACHIM SHIPPING CO', 15, 'D HOLDINGS LTD', true],
    ]);
    expect(c.ultimateOwners.map((u) => [u.name, u.listed])).toEqual([
      ['KOREA YUJONG SHIPPING CO LTD', true],
      ['KOREA ACHIM SHIPPING CO', true],
    ]);
    expect(c.truncated).toBe(false);
  });

  it('30 % + an unknown percentage is "possible", never counted as blocked', () => {
    const e = controlOf(net, 'reg-company-9900013')!;
    expect(e).toMatchObject({ blocked: 'possible', share: 30, upperShare: 100 });
    expect(e.paths.flat().find((s) => s.ownerName === 'KOREA ACHIM SHIPPING CO')!.percentage).toBeUndefined();
    expect(controlOf(net, '9313008')!.blocked).toBe('possible');
  });

  it('a manager 60 % owned by a listed company exposes the ship it manages, with the date', () => {
    const f = vesselExposure(net, { imo: 9314002 });
    expect(f.map((x) => x.explanation)).toEqual([
      'GREEN STAR (IMO 9314002) is managed by ORIENT WAVE MANAGEMENT LTD, which is 60 % owned by listed KOREA ACHIM SHIPPING CO since 2023-04-01 (blocked under the 50 % rule: 60 % in the aggregate).',
    ]);
  });

  it('the same holdings before they started block nothing', async () => {
    const before = await loadNetwork(ctx.store, { asOf: '2021-06-01' });
    expect(controlOf(before, 'reg-company-9900011')!.blocked).toBe(false);
    expect(vesselExposure(before, { imo: 9314002 })).toEqual([]);
  });
});
