import { describe, expect, it } from 'vitest';
import { canonicalIdFor } from '../../src/resolve/canonical-id.js';
import { normaliseDocNumber, normaliseUnRef, strongKeys, walletAddress } from '../../src/resolve/strong-keys.js';
import { UnionFind } from '../../src/resolve/union-find.js';

describe('strong identifiers', () => {
  it('normalises UN reference numbers as UN, EU and UK write them', () => {
    expect(normaliseUnRef('KPi.013')).toBe('KPi.13');
    expect(normaliseUnRef('KPI.13')).toBe('KPi.13');
    expect(normaliseUnRef('KPe.061')).toBe('KPe.61');
    expect(normaliseUnRef('745132109')).toBeUndefined(); // EU 3486.46's passport number
  });

  it('document numbers need a digit and four characters', () => {
    expect(normaliseDocNumber('AB 850901')).toBe('AB850901');
    expect(normaliseDocNumber('None')).toBeUndefined();
    expect(normaliseDocNumber('123')).toBeUndefined();
  });

  it('crypto addresses per chain: the Ronin exploiter (OFAC, LAZARUS GROUP) in any case is one key', () => {
    const a = walletAddress('0x098B716B8Aaf21512996dC57EB0615e2383E2f96', 'ETH');
    expect(a).toEqual({ chain: 'eth', address: '0x098b716b8aaf21512996dc57eb0615e2383e2f96' });
    expect(walletAddress('0x098b716b8aaf21512996dc57eb0615e2383e2f96', undefined)).toEqual(a);
  });

  it('IMO: a vessel needs a valid check digit; a company number does not have one; names never make a key', () => {
    const keys = strongKeys(
      [
        { entityId: 'ofac-23736', schema: 'Vessel', prop: 'imoNumber', value: 'IMO8604917', source: 'us_ofac_sdn' },
        { entityId: 'v-bad', schema: 'Vessel', prop: 'imoNumber', value: 'IMO8604918', source: 'x' },
        {
          entityId: 'ofac-17067',
          schema: 'Organization',
          prop: 'imoNumber',
          value: 'IMO5342883',
          source: 'us_ofac_sdn',
        },
        { entityId: 'ofac-19498', schema: 'Person', prop: 'name', value: 'CHOE, Chun-sik', source: 'us_ofac_sdn' },
      ],
      () => undefined,
    );
    expect(keys.map((k) => k.key)).toEqual(['vessel|imo|8604917', 'org|imo|5342883']);
  });

  it('a passport merges only with its issuing country', () => {
    const rows = (country?: string) => [
      { entityId: 'p1', schema: 'Passport', prop: 'holder', value: 'un-kpi-077', source: 'un_sc' },
      { entityId: 'p1', schema: 'Passport', prop: 'number', value: '654234735', source: 'un_sc' },
      ...(country ? [{ entityId: 'p1', schema: 'Passport', prop: 'country', value: country, source: 'un_sc' }] : []),
    ];
    expect(strongKeys(rows(), () => 'Person')).toEqual([]);
    expect(strongKeys(rows('kp'), () => 'Person').map((k) => k.key)).toEqual(['person|passport|kp|654234735']);
  });
});

describe('canonical ids and union-find', () => {
  it('a lone entity keeps its id; a cluster is wk- + the hash of its smallest referent', () => {
    expect(canonicalIdFor(['ofac-19498'])).toBe('ofac-19498');
    expect(canonicalIdFor(['un-kpi-077', 'eu-fsf-eu-4279-24', 'ofac-22326', 'gb-ofsi-dpr0267'])).toBe(
      'wk-791a64b731c59102',
    );
    expect(canonicalIdFor(['eu-fsf-eu-4279-24', 'un-kpi-077'])).toBe('wk-791a64b731c59102');
  });

  it('joins sets by size and finds roots', () => {
    const uf = new UnionFind(5);
    expect(uf.union(0, 1)).toBe(0);
    expect(uf.union(2, 1)).toBe(0);
    expect(uf.union(0, 2)).toBe(-1);
    expect(uf.find(2)).toBe(0);
    expect(uf.find(3)).toBe(3);
    expect(uf.size[0]).toBe(3);
  });
});
