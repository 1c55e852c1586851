import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Entity } from '../../src/model/entity.js';
import { openStore } from '../../src/store/open.js';
import { fixtureEntities } from './helpers.js';

describe('screen CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-screen-cli-'));
  const db = path.join(dir, 'cli.duckdb');
  let out = '';
  beforeAll(async () => {
    const store = await openStore({ url: db });
    const entities = fixtureEntities().filter((e) => e.datasets?.includes('us_ofac_sdn'));
    const statements = entities.flatMap((e, i) =>
      Entity.statementsFromFtm(e, 'us_ofac_sdn', `entities.ftm.jsonl:${i + 1}`, '2024-05-03T00:00:00.000Z', 'ofac@fx'),
    );
    await store.addListVersion(
      {
        id: 'ofac@fx',
        source: 'us_ofac_sdn',
        format: 'ftm',
        url: null,
        fetchedAt: '2024-05-03T00:00:00.000Z',
        sha256: 'fx',
        recordCount: entities.length,
      },
      statements,
    );
    await store.close();
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  const run = async (...args: string[]) => {
    out = '';
    const code = await main(['node', 'watchkeeper', '--db', db, ...args]);
    return { code, out };
  };

  it('screen NAME prints the best matches with explanations (--json)', async () => {
    const { code, out } = await run('screen', '김정은', '--schema', 'Person', '--json', '--limit', '2');
    expect(code).toBe(0);
    const body = JSON.parse(out);
    expect(body.results[0]).toMatchObject({ id: 'ofac-20157', caption: 'KIM, Jong Un', match: true });
  });

  it('screen batch adds match columns and passes other columns through', async () => {
    const input = path.join(dir, 'in.csv');
    const output = path.join(dir, 'out.csv');
    writeFileSync(
      input,
      'name,schema,imo,ref\nKIM Jongun,Person,,a1\n,Vessel,7937317,a2\nAcme Widgets Ltd,Company,,a3\n',
    );
    const { code } = await run('screen', 'batch', input, '--out', output);
    expect(code).toBe(0);
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('name,schema,imo,ref,match_id,match_name,match_schema,score,match,datasets');
    expect(lines[1]).toBe('KIM Jongun,Person,,a1,ofac-20157,"KIM, Jong Un",Person,0.9776,true,us_ofac_sdn');
    expect(lines[2]).toBe(',Vessel,7937317,a2,ofac-17069,CHONG CHON GANG,Vessel,0.9,true,us_ofac_sdn');
    expect(lines[3]!.startsWith('Acme Widgets Ltd,Company,,a3,')).toBe(true);
    expect(lines[3]!.endsWith(',false,')).toBe(true);
  });

  it('screen pairs adds score and match', async () => {
    const input = path.join(dir, 'pairs.csv');
    writeFileSync(
      input,
      'schema,name1,name2,note\nPerson,Ri Song Hyok,Lee Sung Hyuk,x\nPerson,Kim Jong Un,Kim Yo Jong,y\n',
    );
    const { code, out } = await run('screen', 'pairs', input);
    expect(code).toBe(0);
    const rows = out.trim().split('\n');
    expect(rows[0]).toBe('schema,name1,name2,note,score,match');
    expect(rows[1]!.endsWith(',true')).toBe(true);
    expect(rows[2]!.endsWith(',false')).toBe(true);
  });

  it('--weight overrides a feature weight and refuses an unknown feature', async () => {
    const base = JSON.parse((await run('screen', 'KIM Jongun', '--schema', 'Person', '--json', '--limit', '1')).out);
    const { code, out } = await run(
      'screen',
      'KIM Jongun',
      '--schema',
      'Person',
      '--json',
      '--limit',
      '1',
      '--weight',
      'name_similarity=0.5',
    );
    expect(code).toBe(0);
    const weighed = JSON.parse(out).results[0];
    expect(weighed.id).toBe(base.results[0].id);
    expect(weighed.score).toBeCloseTo(base.results[0].score / 2, 3);
    expect(weighed.explanations.name_similarity.weight).toBe(0.5);
    expect((await run('screen', 'KIM Jongun', '--weight', 'shoe_size=1')).code).not.toBe(0);
  });

  it('refuses a batch file without a name column, with the file named', async () => {
    const input = path.join(dir, 'bad.csv');
    writeFileSync(input, 'who,ref\nx,1\n');
    const { code } = await run('screen', 'batch', input);
    expect(code).toBe(1);
  });
});
