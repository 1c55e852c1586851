import { beforeAll, describe, expect, it } from 'vitest';
import { parseOfacCsv } from '../../src/ingest/ofac-csv.js';
import { parseUnXml } from '../../src/ingest/un-xml.js';
import { dataPath } from '../../src/paths.js';
import { ScreeningIndex } from '../../src/screening/index.js';
import type { EntityLike } from '../../src/screening/prepare.js';
import { HsRules } from '../../src/trade/hs.js';
import { checkPartyName, PartyVocabulary, partyQuery } from '../../src/trade/parties.js';
import { TradeScreener } from '../../src/trade/screen.js';
import { VoyageIndex } from '../../src/trade/voyages.js';

/**
 * Party screening on the real bundled lists (UN consolidated list and OFAC SDN). The defect: a record's party
 * carrying a listed company's common words beside its own coined name ("Haiphong Ramin Phoenix Electronics Inc."
 * against the listed "PHOENIX ELECTRONICS") scored above the threshold and gave a false trade.listed_party.
 */
let index: ScreeningIndex;
let un: EntityLike[];
let screener: TradeScreener;

beforeAll(async () => {
  un = (await parseUnXml(dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'))).entities.map((e) => ({
    id: e.id,
    schema: e.schema,
    properties: e.toFtm().properties,
    datasets: ['un_sc'],
  }));
  const ofac = (await parseOfacCsv(dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'))).entities.map(
    (e) => ({ id: e.id, schema: e.schema, properties: e.toFtm().properties, datasets: ['us_ofac_sdn'] }),
  );
  index = ScreeningIndex.build([...un, ...ofac]);
  screener = new TradeScreener(index, HsRules.load(), new VoyageIndex([], []), new Map());
}, 120_000);

const rawMatch = (name: string): string[] =>
  index
    .match({ id: 'q', schema: 'LegalEntity', properties: { name: [name] } }, { limit: 3, threshold: 0.7 })
    .filter((r) => r.match)
    .map((r) => r.caption);

describe('trade party screening', () => {
  // Names the 1 M-record benchmark generated (place, coined brand, word, trade, legal form) that the matcher
  // alone scores above 0.7 against real list entries.
  const synthetic: Array<[string, string]> = [
    ['Haiphong Ramin Phoenix Electronics Inc.', 'PHOENIX ELECTRONICS'],
    ['Dalian Velmi Orient Shipping Co., Ltd.', 'ORIENT SHIPPING LIMITED'],
    ['Santos Kelian Dragon Trading LLC', 'DRAGON TRADING LIMITED'],
    ['Busan Shunda Eastern Trading B.V.', 'EASTERN TRADE LIMITED LIABILITY COMPANY'],
    ['Tianjin Fusan Ocean Electronics Co., Ltd.', 'OCEAN ELECTRONICS LIMITED LIABILITY COMPANY'],
    ['Jakarta Solhong Liberty Shipping B.V.', 'LIBERTY SHIPPING CO LTD'],
  ];

  it.each(synthetic)('does not list "%s" as "%s": its own name is not on the list', (name, listed) => {
    expect(rawMatch(name)).toContain(listed); // the matcher alone does (the defect)
    expect(screener.partyHits(name, 'CN')).toEqual([]);
  });

  it('finds no listed party among real non-listed trading companies', () => {
    const names: Array<[string, string]> = [
      ['COSCO Shipping Lines Co., Ltd.', 'CN'],
      ['Hapag-Lloyd AG', 'DE'],
      ['Glencore International AG', 'CH'],
      ['Samsung Electronics Co., Ltd.', 'KR'],
      ['Hyundai Glovis Co., Ltd.', 'KR'],
      ['Mitsui O.S.K. Lines, Ltd.', 'JP'],
      ['Hunter Valley Coal Sales Pty Ltd', 'AU'],
      ['Nordic Apparel AB', 'SE'],
      ['Liaoning Beifang Food Trading Co.', 'CN'],
      ['Zhoushan Ocean Aquatic Products Co.', 'CN'],
      ['Orient Overseas Container Line Limited', 'HK'],
      ['Pacific International Lines (Pte) Ltd', 'SG'],
    ];
    const hits = names.filter(([n, c]) => screener.partyHits(n, c).length > 0).map(([n]) => n);
    expect(hits).toEqual([]);
  });

  it('still finds every UN-listed DPRK entity the matcher finds, as records write them', () => {
    const dprk = un.filter((e) => e.id.startsWith('un-kpe'));
    expect(dprk.length).toBeGreaterThan(70);
    let queries = 0;
    const lost: string[] = [];
    for (const e of dprk) {
      const name = (e.properties as Record<string, string[]>).name![0]!;
      // as listed, with a branch and a place beside it, and with another legal form
      for (const v of [name, `${name}, Pyongyang Branch`, name.replace(/\b(corporation|corp\.?)$/i, 'Co., Ltd.')]) {
        queries++;
        const raw = index
          .match({ id: 'q', schema: 'LegalEntity', properties: { name: [v] } }, { limit: 3, threshold: 0.7 })
          .some((r) => r.match && r.id === e.id);
        if (raw && !screener.partyHits(v).some((h) => h.id === e.id)) lost.push(v);
      }
    }
    expect(queries).toBe(dprk.length * 3);
    expect(lost).toEqual([]);
  });

  it('uses the country as a qualifier: the same country raises the score, another lowers it', () => {
    const name = 'KOREA RYONBONG GENERAL CORP.';
    const un = (country?: string) => screener.partyHits(name, country ?? null).find((h) => h.id === 'un-kpe-002');
    const none = un()!;
    const kp = un('KP')!;
    const other = un('BR')!;
    expect(none.score).toBe(1);
    expect(kp.countryMatch).toBe(true);
    expect(kp.score).toBe(1);
    expect(other.countryMismatch).toBe(true);
    expect(other.score).toBeCloseTo(0.9, 5);
    expect(kp.words).toEqual(['ryonbong']);
  });

  it('rules out, before ranking, a party whose words are on the lists but never together in one entry', () => {
    const vocabulary = new PartyVocabulary(index.entities);
    const party = (name: string) =>
      partyQuery(index.prepareQuery({ id: 'q', schema: 'LegalEntity', properties: { name: [name] } }));
    // "ryonbong" is on KOREA RYONBONG GENERAL CORPORATION, "sattar" on persons' names: both words are possible
    // alone, no entry carries both.
    const mixed = party('Dandong Sattar Ryonbong Trading Co., Ltd.');
    expect(vocabulary.mayMatch(mixed)).toBe(true);
    expect(vocabulary.entriesFor(mixed)?.size).toBe(0);
    const listed = [...(vocabulary.entriesFor(party('Busan Ryonbong Metals Co.')) ?? [])].map(
      (i) => index.entities[i]!.id,
    );
    expect(listed).toContain('un-kpe-002');
  });

  it('never leaves out an entry the name check accepts (real list names and benchmark names)', () => {
    const vocabulary = new PartyVocabulary(index.entities);
    const names = [
      ...synthetic.map(([n]) => n),
      ...un
        .filter((e) => e.id.startsWith('un-kpe'))
        .flatMap((e) => {
          const name = (e.properties as Record<string, string[]>).name![0]!;
          return [name, `${name}, Pyongyang Branch`, `Dalian ${name.split(' ').slice(-2).join(' ')} Co., Ltd.`];
        }),
    ];
    let accepted = 0;
    for (const name of names) {
      const query = index.prepareQuery({ id: 'q', schema: 'LegalEntity', properties: { name: [name] } });
      const party = partyQuery(query);
      const possible = vocabulary.mayMatch(party) ? vocabulary.entriesFor(party) : new Set<number>();
      for (const idx of index.candidates(query, 60)) {
        if (!checkPartyName(party, index.entities[idx]!).ok) continue;
        accepted++;
        expect(possible === undefined || possible.has(idx), `${name} / ${index.entities[idx]!.caption}`).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(200);
  });
});
