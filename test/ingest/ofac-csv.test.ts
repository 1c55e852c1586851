import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { normaliseAddress, walletEntityId } from '../../src/crypto/addresses.js';
import type { ListEntity, ListParseResult } from '../../src/ingest/list-entity.js';
import { ofacFilesIn, parseOfacCsv } from '../../src/ingest/ofac-csv.js';
import { dataPath } from '../../src/paths.js';

const SDN_2024 = dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv');
const SET_2021 = dataPath('sanctions', 'ofac', 'csv_set_2021-07-07');

function finder(r: ListParseResult): (id: string) => ListEntity {
  const byId = new Map(r.entities.map((e) => [e.id, e]));
  return (id) => {
    const e = byId.get(id);
    if (!e) throw new Error(`no entity ${id}`);
    return e;
  };
}

describe('OFAC lone sdn.csv (2024-05-03)', () => {
  let r: ListParseResult;
  let get: (id: string) => ListEntity;
  beforeAll(async () => {
    r = await parseOfacCsv(SDN_2024);
    get = finder(r);
  });

  it('reads all 14,965 rows (the \\x1a EOF byte is not a row) and maps SDN types to schemata', () => {
    expect(r.stats.records).toBe(14965);
    expect(r.stats.counts).toMatchObject({
      Person: 6854,
      Organization: 6884,
      Vessel: 851,
      Airplane: 376,
      Sanction: 14965,
    });
    expect(r.stats.warnings).toEqual([]);
  });

  it('counts 484 DPRK-program rows: 164 individuals, 199 entities, 105 vessels, 16 aircraft', () => {
    const dprk = r.entities.filter(
      (e) =>
        e.id.startsWith('ofac-') && /^ofac-\d+$/.test(e.id) && e.get('programId').some((p) => p.startsWith('DPRK')),
    );
    const bySchema: Record<string, number> = {};
    for (const e of dprk) bySchema[e.schema] = (bySchema[e.schema] ?? 0) + 1;
    expect(dprk).toHaveLength(484);
    expect(bySchema).toEqual({ Person: 164, Organization: 199, Vessel: 105, Airplane: 16 });
  });

  it('parses a DPRK vessel: IMO from remarks, type and flag from the columns', () => {
    const v = get('ofac-17069');
    expect(v.schema).toBe('Vessel');
    expect(v.get('name')).toEqual(['CHONG CHON GANG']);
    expect(v.get('imoNumber')).toEqual(['IMO7937317']);
    expect(v.get('type')).toEqual(['General Cargo']);
    expect(v.get('flag')).toEqual(['kp']);
    expect(v.get('programId')).toEqual(['DPRK']);
    expect(v.sourceRecord).toBe('sdn.csv:3370#17069');
  });

  it('parses individuals: DOB, POB, citizenship, gender, aliases, identifiers', () => {
    const p = get('ofac-25308');
    expect(p.get('birthDate')).toEqual(['1977-03-25']);
    expect(p.get('birthPlace')).toEqual(['Wuhan City, Hubei, China']);
    expect(p.get('citizenship')).toEqual(['cn']);
    expect(p.get('gender')).toEqual(['male']);
    expect(p.get('alias')).toEqual(['ZHOU, William', 'YAN, Steven']);
    expect(p.get('idNumber')).toContain('421002197703250019');
  });

  it('turns digital currency addresses into CryptoWallet entities held by the SDN', () => {
    const wallets = r.entities.filter((e) => e.schema === 'CryptoWallet');
    expect(r.stats.counts['facts.wallet']).toBe(294);
    expect(wallets).toHaveLength(286);
    const w = get('wallet-btc-12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h');
    expect(w.get('holder')).toEqual(['ofac-25308']);
    expect(w.get('currency')).toEqual(['XBT']);
    expect(w.get('publicKey')).toEqual(['12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h']);
    // Wallet ids use the crypto module's normal form, so list and chain data share ids.
    const eth = wallets.filter((x) => x.id.startsWith('wallet-eth-0x'));
    expect(eth.length).toBeGreaterThan(40);
    for (const x of eth) expect(x.id).toBe(walletEntityId('eth', normaliseAddress('eth', x.first('publicKey')!)));
    expect(r.stats.counts['wallets.unvalidated']).toBeGreaterThan(0);
  });

  it('resolves "Linked To:" names to SDN ids and keeps the rest as notes', () => {
    expect(r.stats.counts['links.resolved']).toBe(6518);
    expect(r.stats.counts['links.unresolved']).toBe(68);
    const o = get('ofac-15771');
    const link = r.entities.find((e) => e.schema === 'UnknownLink' && e.first('subject') === 'ofac-15771');
    const target = get(link!.first('object')!);
    expect(target.get('name')).toEqual(['NATIONAL DEFENSE COMMISSION']);
    expect(o.get('position')).toEqual(['Vice Chairman of the National Defense Commission']);
  });

  it('keeps every unparsed remark fragment as a note and counts it', () => {
    expect(r.stats.counts.unparsedFacts).toBeGreaterThan(0);
    const notes = r.entities.flatMap((e) => e.get('notes'));
    expect(get('ofac-7655').get('notes')).toEqual(['ICTY indictee in custody']);
    expect(notes.length).toBeGreaterThan(10000);
    expect(r.stats.counts['facts.imo']).toBe(982);
    expect(r.entities.filter((e) => e.get('mmsi').length > 0).length).toBeGreaterThan(100);
  });
});

describe('OFAC CSV bad and odd input', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-ofac-'));
  const row = (ent: number, name: string, remarks = '-0- ') =>
    `${ent},"${name}","individual","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,${remarks}\r\n`;

  it('decodes Windows-1252 (accents and curly quotes) and drops the \\x1a EOF byte', async () => {
    const file = path.join(dir, 'sdn.csv');
    const text = row(1, 'MU\u00d1OZ, Jos\u00e9') + row(2, 'X', '"a.k.a. \u201cTHE BOSS\u201d."') + '\u001a';
    const bytes = Buffer.from([...text].map((ch) => ({ '\u201c': 0x93, '\u201d': 0x94 })[ch] ?? ch.charCodeAt(0)));
    writeFileSync(file, bytes);
    const r = await parseOfacCsv(file);
    expect(r.stats.records).toBe(2);
    expect(r.entities.find((e) => e.id === 'ofac-1')?.get('name')).toEqual(['MU\u00d1OZ, Jos\u00e9']);
    expect(r.entities.find((e) => e.id === 'ofac-2')?.get('alias')).toEqual(['\u201cTHE BOSS\u201d']);
  });

  it('skips a header row when a mirror adds one', async () => {
    const file = path.join(dir, 'header', 'sdn.csv');
    mkdirSync(path.dirname(file), { recursive: true });
    const header =
      'ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks\r\n';
    writeFileSync(file, header + row(7, 'KIM, Test'));
    const r = await parseOfacCsv(file);
    expect(r.stats.records).toBe(1);
    expect(r.entities[0]!.sourceRecord).toBe('sdn.csv:2#7');
  });

  it('rejects a row with the wrong number of columns, naming file and line', async () => {
    const file = path.join(dir, 'bad', 'sdn.csv');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, row(1, 'A') + '2,"B","individual"\r\n' + row(3, 'C'));
    await expect(parseOfacCsv(file)).rejects.toThrow('sdn.csv:2: expected 12 columns, found 3');
  });
});

describe('OFAC CSV set (2021-07-07: sdn + add + alt + sdn_comments)', () => {
  let r: ListParseResult;
  let get: (id: string) => ListEntity;
  beforeAll(async () => {
    r = await parseOfacCsv(ofacFilesIn(SET_2021)!);
    get = finder(r);
  });

  it('joins aliases from alt.csv and addresses from add.csv on ent_num', () => {
    expect(r.stats.records).toBe(8976);
    expect(r.stats.counts['alt.alias']).toBe(11541);
    expect(r.stats.counts['alt.previousName']).toBe(369);
    expect(r.stats.counts.addresses).toBe(11440);
    const komid = get('ofac-9345');
    expect(komid.get('alias')).toContain('NORTH KOREAN MINING DEVELOPMENT TRADING CORPORATION');
    expect(komid.get('country')).toEqual(['kp', 'cn', 'ru', 'ir', 'sy']);
    const st = [...komid.statements('us_ofac_sdn', '2021-07-07T00:00:00.000Z')];
    const aliasSt = st.find((s) => s.value === 'NORTH KOREAN MINING DEVELOPMENT TRADING CORPORATION');
    expect(aliasSt?.sourceRecord).toMatch(/^alt\.csv:\d+#9345\.\d+$/);
  });

  it('appends sdn_comments.csv overflow to the remarks before parsing', () => {
    expect(r.stats.counts.commentRows).toBe(5);
    const lazarusLinked = r.entities.filter((e) => e.schema === 'UnknownLink' && e.first('subject') === 'ofac-28263');
    const targets = lazarusLinked.map((l) => get(l.first('object')!).first('name'));
    expect(targets).toContain('LAZARUS GROUP');
  });

  it('counts 414 DPRK-program rows', () => {
    const dprk = r.entities.filter(
      (e) => /^ofac-\d+$/.test(e.id) && e.get('programId').some((p) => p.startsWith('DPRK')),
    );
    expect(dprk).toHaveLength(414);
  });
});
