import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';

const FIX = path.join('test', 'fixtures', 'crypto', 'attribution-user');
const LIST = path.join(FIX, 'fbi-style-51-eth.txt');
const CSV = path.join(FIX, 'team-tags.csv');
const PACK = path.join(FIX, 'team-pack.yaml');
const FIRST = '0x873eeb655655f8e4f301732a938fd828a8bd09fa';
const RONIN = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96';

describe('crypto attribution add (CLI)', () => {
  let dir: string;
  let db: string;
  const cli = (...args: string[]) => runCli([...args, '--db', db], { timeoutMs: 240_000 });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wk-attr-add-'));
    db = path.join(dir, 's.duckdb');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an FBI-style list with --actor makes crypto screen flag its addresses, with file sha256 and line', async () => {
    const before = await cli('crypto', 'screen', FIRST);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('no list hit');

    const noActor = await cli('crypto', 'attribution', 'add', LIST);
    expect(noActor.code).toBe(1);
    expect(noActor.stderr).toContain('fbi-style-51-eth.txt: a list of addresses needs --actor');

    const add = await cli(
      'crypto',
      'attribution',
      'add',
      LIST,
      '--actor',
      'TraderTraitor',
      '--label',
      'Bybit theft',
      '--json',
    );
    expect(add.code, add.stderr).toBe(0);
    const r = JSON.parse(add.stdout);
    const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(LIST)).digest('hex');
    expect(r).toMatchObject({
      created: true,
      source: 'user:fbi-style-51-eth',
      format: 'list',
      sha256: sha,
      tags: 51,
      dprk: 51,
      linked: { 'ofac-27307': 51 },
      rejected: [],
    });

    const after = await cli('crypto', 'screen', FIRST, '--json');
    const hit = JSON.parse(after.stdout).results[0];
    expect(hit).toMatchObject({ valid: true, listed: false, dprk: true });
    expect(hit.entities).toEqual([{ entityId: 'ofac-27307', name: 'LAZARUS GROUP', programs: ['DPRK3'] }]);
    expect(hit.tags).toEqual([
      {
        label: 'Bybit theft',
        category: 'user',
        source: 'user:fbi-style-51-eth',
        sourceRecord: `fbi-style-51-eth.txt:2 sha256:${sha}`,
        entityId: 'ofac-27307',
        sanctioned: false,
        dprk: true,
      },
    ]);
    // The last address is on line 52 (a comment line comes first).
    const last = readFileSync(LIST, 'utf8').trim().split('\n').at(-1)!;
    const lastHit = JSON.parse((await cli('crypto', 'screen', last, '--json')).stdout).results[0];
    expect(lastHit.tags[0].sourceRecord).toBe(`fbi-style-51-eth.txt:52 sha256:${sha}`);

    const again = await cli('crypto', 'attribution', 'add', LIST, '--actor', 'TraderTraitor');
    expect(again.stdout).toMatch(/^already added 51 tags as user:fbi-style-51-eth/);
  }, 300_000);

  it('a CSV and a TagPack are added beside the bundled packs, never replacing them', async () => {
    const csv = await cli('crypto', 'attribution', 'add', CSV);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain('added 3 tags as user:team-tags (csv');
    expect(csv.stdout).toContain('team-tags.csv:4: must be 0x + 40 hex digits, got 2 (0x12)');
    const pack = await cli('crypto', 'attribution', 'add', PACK, '--json');
    expect(JSON.parse(pack.stdout)).toMatchObject({ source: 'user:team-pack', format: 'tagpack', tags: 2, dprk: 1 });

    const s = await cli(
      'crypto',
      'screen',
      RONIN,
      '0x5f2b5d1c8e0a6a3b9c7d4e1f0a2b3c4d5e6f7a8b',
      '0x8d2f7c3b0a4e5d6c7b8f9e0d1c2b3a4f5e6d7c8b',
      FIRST,
      '--json',
    );
    const [ronin, otc, packed, first] = JSON.parse(s.stdout).results;
    // The bundled OFAC, GraphSense tags stay, the user's tag is added beside them.
    expect(ronin.listed).toBe(true);
    expect(ronin.tags.map((t: { source: string }) => t.source)).toEqual([
      'us_ofac_sdn',
      'graphsense:lazarus',
      'graphsense:ofac',
      'graphsense:ronin_bridge',
      'user:team-tags',
    ]);
    expect(otc).toMatchObject({ listed: false, dprk: false });
    expect(otc.tags[0]).toMatchObject({ label: 'OTC desk seen in case 2026-03', source: 'user:team-tags' });
    expect(otc.tags[0].sourceRecord).toMatch(/^team-tags\.csv:3 sha256:[0-9a-f]{64}$/);
    expect(packed).toMatchObject({ dprk: true });
    expect(packed.tags[0]).toMatchObject({ category: 'perpetrator', source: 'user:team-pack' });
    expect(packed.tags[0].sourceRecord).toMatch(/^team-pack\.yaml:11 sha256:/);
    // Another pack does not replace the first one.
    expect(first.tags[0].source).toBe('user:fbi-style-51-eth');

    const text = await cli('crypto', 'screen', '0x5f2b5d1c8e0a6a3b9c7d4e1f0a2b3c4d5e6f7a8b');
    expect(text.stdout).toContain('ATTRIBUTED (user pack), no list hit');
  }, 300_000);
});

describe('POST /crypto/attribution', () => {
  it('adds a CSV beside the bundled packs; the next screen request flags it (index cache dropped)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-attr-api-'));
    const store = await openStore({ url: path.join(dir, 'api.duckdb') });
    const app = await buildServer({ store, logLevel: false });
    try {
      const otc = '0x5f2b5d1c8e0a6a3b9c7d4e1f0a2b3c4d5e6f7a8b';
      // Build the index first, so the add must drop the cached one.
      const before = await app.inject({ method: 'POST', url: '/crypto/screen', payload: { addresses: [RONIN, otc] } });
      expect(before.json().results.map((r: { tags: unknown[] }) => r.tags.length)).toEqual([0, 0]);
      const add = await app.inject({
        method: 'POST',
        url: '/crypto/attribution',
        payload: { fileName: 'team-tags.csv', content: readFileSync(CSV, 'utf8') },
      });
      expect(add.statusCode, add.body).toBe(200);
      expect(add.json()).toMatchObject({
        created: true,
        source: 'user:team-tags',
        format: 'csv',
        tags: 3,
        dprk: 2,
        bundledImported: true,
        linked: { 'ofac-27307': 2 },
        rejected: [{ where: 'team-tags.csv:4', reason: 'must be 0x + 40 hex digits, got 2 (0x12)' }],
      });
      const after = await app.inject({ method: 'POST', url: '/crypto/screen', payload: { addresses: [RONIN, otc] } });
      const [ronin, o] = after.json().results;
      expect(ronin.listed).toBe(true);
      expect(ronin.tags.map((t: { source: string }) => t.source)).toContain('us_ofac_sdn');
      expect(ronin.tags.map((t: { source: string }) => t.source)).toContain('user:team-tags');
      expect(o.tags).toEqual([
        expect.objectContaining({
          source: 'user:team-tags',
          sourceRecord: expect.stringMatching(/^team-tags\.csv:3 sha256:/),
        }),
      ]);
      const bad = await app.inject({
        method: 'POST',
        url: '/crypto/attribution',
        payload: { fileName: 'notice.txt', content: `${otc}\n` },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toBe(
        'notice.txt: a list of addresses needs --actor (who the notice attributes them to)',
      );
    } finally {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
