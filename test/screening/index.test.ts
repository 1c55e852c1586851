import { beforeAll, describe, expect, it } from 'vitest';
import { parseOfacCsv } from '../../src/ingest/ofac-csv.js';
import { dataPath } from '../../src/paths.js';
import { ScreeningIndex } from '../../src/screening/index.js';
import { fixtureEntities } from './helpers.js';

describe('screening index over real list entries', () => {
  let index: ScreeningIndex;
  beforeAll(() => {
    index = ScreeningIndex.build(fixtureEntities());
  });

  const top = (name: string, schema = 'Person') =>
    index.match({ id: 'q', schema, properties: { name: [name] } }, { limit: 3 });

  it('indexes only matchable entities (no Sanction records)', () => {
    expect(index.size).toBeGreaterThan(700);
    expect(index.entities.every((e) => e.schema !== 'Sanction')).toBe(true);
  });

  it('finds UN and OFAC entries for DPRK romanizations and Hangul', () => {
    for (const q of ["Ch'oe Ch'un Sik", 'Choe Chun Sik', 'CHOE CHUN-SIK', '최춘식']) {
      const ids = top(q)
        .filter((r) => r.match)
        .map((r) => r.id);
      expect(ids, q).toEqual(expect.arrayContaining(['un-kpi-013', 'ofac-19498']));
    }
    for (const q of ['Kim Jong Un', 'Kim Jong-un', 'KIM Jongun', '김정은', 'Jong Un Kim']) {
      expect(top(q)[0]?.id, q).toBe('ofac-20157');
    }
    for (const q of ['Ri Song Hyok', 'Rhee Song-hyeok', 'Lee Sung Hyuk']) {
      const ids = top(q)
        .filter((r) => r.match)
        .map((r) => r.id);
      expect(ids, q).toEqual(expect.arrayContaining(['un-kpi-077']));
    }
  });

  it('screens vessels by IMO and wallets by address (EVM case-insensitive)', () => {
    const v = index.match({ id: 'v', schema: 'Vessel', properties: { imoNumber: ['7937317'] } });
    expect(v[0]).toMatchObject({ id: 'ofac-17069', caption: 'CHONG CHON GANG', match: true });
    const w = index.match({
      id: 'w',
      schema: 'CryptoWallet',
      properties: { publicKey: ['0x098b716b8aaf21512996dc57eb0615e2383e2f96'] },
    });
    expect(w[0]).toMatchObject({ id: 'wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96', score: 1, match: true });
  });

  it('generates candidates from posting lists instead of scanning the list', () => {
    const q = index.prepareQuery({ id: 'q', schema: 'Person', properties: { name: ['Ri Song Hyok'] } });
    const ranked = index.candidates(q, 25);
    expect(ranked.length).toBeLessThanOrEqual(25);
    expect(ranked.map((i) => index.entities[i]!.id)).toContain('un-kpi-077');
  });

  it('filters by dataset and schema', () => {
    const onlyUn = index.match(
      { id: 'q', schema: 'Person', properties: { name: ['Choe Chun Sik'] } },
      { dataset: 'un_sc', limit: 5 },
    );
    expect(onlyUn.every((r) => r.datasets.includes('un_sc'))).toBe(true);
    const vessels = index.match({ id: 'q', schema: 'Vessel', properties: { name: ['Chong Chon Gang'] } });
    expect(vessels.every((r) => r.schema === 'Vessel')).toBe(true);
  });

  it('suggests entities by name prefix', () => {
    const s = index.suggest('Korea Mining', 5);
    expect(s.map((e) => e.id)).toContain('un-kpe-001');
  });
});

describe('candidates for an abbreviated word', () => {
  it('finds the entry whose word the query abbreviates, in the whole OFAC list ("Shaf" for Shafee)', async () => {
    const ofac = (await parseOfacCsv(dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'))).entities.map(
      (e) => ({ id: e.id, schema: e.schema, properties: e.toFtm().properties }),
    );
    // The entry lists "Shaf" as an alias too: held out, as the evaluation does.
    const shafee = ofac.find((e) => e.properties.name?.[0] === 'ELSHEIKH, El Shafee')!;
    expect(shafee.properties.alias).toContain('Shaf');
    shafee.properties.alias = shafee.properties.alias!.filter((a) => a !== 'Shaf');
    const index = ScreeningIndex.build(ofac);
    const [top] = index.match({ id: 'q', schema: 'Person', properties: { name: ['Shaf'] } }, { limit: 3 });
    expect(top?.caption).toBe('ELSHEIKH, El Shafee');
    expect(top?.explanations.name_similarity?.detail).toBe('"Shaf" ~ "Shafee" (tokens, 0.800)');
  });
});
