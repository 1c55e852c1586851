import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open.js';
import { runCli } from '../support/cli.js';
import { FIXTURES, listsStore } from './helpers.js';

let ctx: Awaited<ReturnType<typeof listsStore>>;
let db: string;
beforeAll(async () => {
  // Lists only: the fixtures are imported through the CLI below.
  ctx = await listsStore(false);
  db = path.join(ctx.dir, 'test.duckdb');
  await ctx.store.close();
}, 120_000);
afterAll(async () => {
  await ctx.cleanup().catch(() => undefined);
});

describe('CLI: ownership import, ownership control, vessel show', () => {
  it('imports the registry extract and the FtM chains; a second import of the same bytes changes nothing', async () => {
    const a = await runCli(['--db', db, 'ownership', 'import', path.join(FIXTURES, 'registry.csv')]);
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/^imported ship_registry@[0-9a-f]{12} \(registry-csv\): 9 records, \d+ statements/);
    const b = await runCli(['--db', db, 'ownership', 'import', path.join(FIXTURES, 'chains.ftm.jsonl')]);
    expect(b.code).toBe(0);
    expect(b.stderr).toMatch(/\(ftm\): 7 records/);
    const again = await runCli(['--db', db, 'ownership', 'import', path.join(FIXTURES, 'registry.csv')]);
    expect(again.stderr).toMatch(/^already imported/);
  }, 120_000);

  it('ownership control --json gives blocked true/false/"possible", the aggregate share and the paths', async () => {
    const run = async (ref: string) => {
      const r = await runCli(['--db', db, 'ownership', 'control', ref, '--json', '--as-of', '2026-09-01']);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { blocked: unknown; share: number; paths: Array<Array<{ ownerName: string }>> };
    };
    const c = await run('reg-company-9900011');
    expect([c.blocked, c.share]).toEqual([true, 55]);
    expect(c.paths.map((p) => p[0]!.ownerName).sort()).toEqual([
      'KOREA ACHIM SHIPPING CO',
      'KOREA YUJONG SHIPPING CO LTD',
    ]);
    const d = await run('reg-company-9900012');
    expect([d.blocked, d.share]).toEqual([false, 45]);
    const e = await run('reg-company-9900013');
    expect([e.blocked, e.share]).toEqual(['possible', 30]);
    const missing = await runCli(['--db', db, 'ownership', 'control', 'no-such-entity']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no entity "no-such-entity"');
  }, 120_000);

  it('vessel show 8604917 prints the former names and the owner; a bad check digit is refused', async () => {
    const r = await runCli(['--db', db, 'vessel', 'show', '8604917']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('IMO 8604917  YU JONG 2');
    expect(r.stdout).toContain('former names: Dae Hung 12, Ryoko, Ryoko Maru No.8');
    expect(r.stdout).toMatch(/registered owner\s+KOREA YUJONG SHIPPING CO LTD/);
    const bad = await runCli(['--db', db, 'vessel', 'show', '8604918']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('check digit');
  }, 120_000);
});

describe('CLI: ownership findings --save', () => {
  it('writes valid exposure and front-company findings to the store', async () => {
    const r = await runCli(['--db', db, 'ownership', 'findings', '--save', '--json', '--as-of', '2026-09-01']);
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.stdout) as Array<{ kind: string; explanation: string; start: string }>;
    expect(r.stderr).toContain(`saved ${findings.length} finding(s)`);
    expect(
      findings.filter((f) => f.kind === 'network.front_company').map((f) => f.explanation.split(' shows')[0]),
    ).toEqual(['YUJONG TRADING CO LTD']);
    const pearl = findings.find((f) => f.explanation.startsWith('SEA PEARL (IMO 9311000)'))!;
    expect(pearl.kind).toBe('vessel.ownership_exposure');
    expect(pearl.start).toBe('2022-06-01T00:00:00.000Z');
    const store = await openStore({ url: db });
    try {
      expect(await store.countFindings({ kinds: ['network.front_company'] })).toBe(1);
      expect(await store.countFindings({ kinds: ['vessel.ownership_exposure'] })).toBe(findings.length - 1);
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe('API: /ownership routes', () => {
  it('GET /ownership/control/{id} and /ownership/vessels/{imo}', async () => {
    const store = await openStore({ url: db });
    const app = await buildServer({ store, logLevel: false });
    try {
      const c = await app.inject({ method: 'GET', url: '/ownership/control/reg-company-9900013?asOf=2026-09-01' });
      expect(c.statusCode).toBe(200);
      expect(c.json()).toMatchObject({ blocked: 'possible', share: 30, upperShare: 100 });
      const v = await app.inject({ method: 'GET', url: '/ownership/vessels/IMO8604917' });
      expect(v.statusCode).toBe(200);
      expect(v.json().names.former).toEqual(['Dae Hung 12', 'Ryoko', 'Ryoko Maru No.8']);
      const bad = await app.inject({ method: 'GET', url: '/ownership/control/x?asOf=yesterday' });
      expect(bad.statusCode).toBe(400);
      const none = await app.inject({ method: 'GET', url: '/ownership/vessels/1234567' });
      expect(none.statusCode).toBe(404);
    } finally {
      await app.close();
      await store.close();
    }
  }, 120_000);
});
