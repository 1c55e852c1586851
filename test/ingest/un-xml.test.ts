import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { ListParseResult } from '../../src/ingest/list-entity.js';
import { parseUnXml } from '../../src/ingest/un-xml.js';
import { dataPath } from '../../src/paths.js';

const UN_FILE = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');

describe('UN SC consolidated list XML importer (real 2026-02-27 file)', () => {
  let r: ListParseResult;
  beforeAll(async () => {
    r = await parseUnXml(UN_FILE);
  });
  const get = (id: string) => {
    const e = r.entities.find((x) => x.id === id);
    if (!e) throw new Error(`no entity ${id}`);
    return e;
  };

  it('reads every entry: 730 individuals and 273 entities, each with a Sanction', () => {
    expect(r.stats.records).toBe(1003);
    expect(r.stats.counts.Person).toBe(730);
    expect(r.stats.counts.Organization).toBe(273);
    expect(r.entities.filter((e) => e.schema === 'Sanction')).toHaveLength(1003);
    expect(r.publishedAt).toBe('2026-02-27T00:00:09.554Z');
    expect(r.stats.warnings).toEqual([]);
  });

  it('counts 155 DPRK designations (80 KPi + 75 KPe)', () => {
    const dprk = r.entities.filter((e) => e.schema !== 'Sanction' && e.get('program').includes('DPRK'));
    expect(dprk).toHaveLength(155);
    expect(dprk.filter((e) => e.id.startsWith('un-kpi-'))).toHaveLength(80);
    expect(dprk.filter((e) => e.id.startsWith('un-kpe-'))).toHaveLength(75);
  });

  it('maps KPi.001 (YUN HO-JIN) with name parts, alias, birth date, nationality code and source record', () => {
    const e = get('un-kpi-001');
    expect(e.schema).toBe('Person');
    expect(e.get('name')).toEqual(['YUN HO-JIN']);
    expect(e.get('firstName')).toEqual(['YUN']);
    expect(e.get('secondName')).toEqual(['HO-JIN']);
    expect(e.get('alias')).toEqual(['Yun Ho-chin']);
    expect(e.get('birthDate')).toEqual(['1944-10-13']);
    expect(e.get('nationality')).toEqual(['kp']);
    expect(e.get('idNumber')).toEqual(['KPi.001']);
    expect(e.get('topics')).toEqual(['sanction']);
    expect(e.sourceRecord).toBe('un_sc_consolidated_2026-02-27.xml:8862#KPi.001');
    const s = get('un-sanction-kpi-001');
    expect(s.toFtm().properties).toMatchObject({
      entity: ['un-kpi-001'],
      authority: ['United Nations Security Council'],
      program: ['DPRK'],
      unscId: ['KPi.001'],
      listingDate: ['2009-07-16'],
    });
  });

  it('maps entity aliases by quality and strips quoting (KPe.001 KOMID)', () => {
    const e = get('un-kpe-001');
    expect(e.schema).toBe('Organization');
    expect(e.get('name')).toEqual(['KOREA MINING DEVELOPMENT TRADING CORPORATION']);
    expect(e.get('alias')).toContain('KOMID');
    expect(e.get('alias')).toContain('CHANGGWANG SINYONG CORPORATION');
    expect(e.get('address')).toEqual(["Central District, Pyongyang, Democratic People's Republic of Korea"]);
    expect(r.stats.counts.weakAlias).toBe(615);
    expect(r.stats.counts.previousName).toBe(19);
  });

  it('turns documents into passportNumber/idNumber and Passport/Identification entities', () => {
    expect(r.stats.counts.Passport).toBe(315);
    expect(r.stats.counts.Identification).toBe(139);
    const holder = get('un-cdi-021');
    expect(holder.get('passportNumber')).toEqual(['OB 0243318']);
    const p = r.entities.find((e) => e.schema === 'Passport' && e.get('holder')[0] === 'un-cdi-021');
    expect(p?.get('country')).toEqual(['cd']);
  });

  it('adds every year of a BETWEEN birth-date range', () => {
    const ranged = r.entities.filter((e) => e.get('birthDate').includes('1973') && e.get('birthDate').includes('1974'));
    expect(ranged.length).toBeGreaterThan(0);
  });
});

describe('UN XML bad input', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-un-'));

  it('rejects a truncated file with file name and line', async () => {
    const text = readFileSync(UN_FILE, 'utf8').split('\n').slice(0, 9000).join('\n');
    const file = path.join(dir, 'truncated.xml');
    writeFileSync(file, text);
    await expect(parseUnXml(file)).rejects.toThrow(InputError);
    await expect(parseUnXml(file)).rejects.toThrow(/^truncated\.xml:\d+: /);
  });

  it('rejects a broken tag naming the line it is on', async () => {
    const lines = readFileSync(UN_FILE, 'utf8').split('\n');
    lines[8866] = '      <FIRST_NAME>YUN</SECOND_NAME>';
    const file = path.join(dir, 'broken.xml');
    writeFileSync(file, lines.join('\n'));
    await expect(parseUnXml(file)).rejects.toThrow(/^broken\.xml:8867: malformed XML/);
  });

  it('refuses a DOCTYPE with entity declarations (billion laughs) before expanding anything', async () => {
    const file = path.join(dir, 'laughs.xml');
    writeFileSync(
      file,
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n' +
        '<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n',
    );
    await expect(parseUnXml(file)).rejects.toThrow(/laughs\.xml:5: DOCTYPE declares entities/);
  });

  it('refuses an external entity (XXE)', async () => {
    const file = path.join(dir, 'xxe.xml');
    writeFileSync(
      file,
      '<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<CONSOLIDATED_LIST>&xxe;</CONSOLIDATED_LIST>\n',
    );
    await expect(parseUnXml(file)).rejects.toThrow(/DOCTYPE declares entities/);
  });

  it('rejects XML that is not a UN list', async () => {
    const file = path.join(dir, 'other.xml');
    writeFileSync(file, '<?xml version="1.0"?>\n<sdnList><sdnEntry/></sdnList>\n');
    await expect(parseUnXml(file)).rejects.toThrow('other.xml:1: root element is <sdnList>');
  });

  it('cuts a long root element name short in the message', async () => {
    const file = path.join(dir, 'long-root.xml');
    const name = `R${'y'.repeat(2999)}`;
    writeFileSync(file, `<?xml version="1.0"?>\n<${name}></${name}>\n`);
    await expect(parseUnXml(file)).rejects.toThrow(
      `long-root.xml:1: root element is <R${'y'.repeat(39)}… (3,000 chars)>, expected <CONSOLIDATED_LIST>`,
    );
  });
});
