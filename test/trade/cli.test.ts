import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import type { MirrorReport } from '../../src/trade/mirror.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wk-trade-cli-'));
const db = path.join(dir, 'wk.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('watchkeeper trade', () => {
  it('imports, screens (--json) and answers a re-import without writing', async () => {
    const imp = await runCli(['--db', db, 'trade', 'import', 'test/fixtures/trade/shipments.csv', '--json']);
    expect(imp.code).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ created: true, rows: 8, badRows: [] });
    const again = await runCli(['--db', db, 'trade', 'import', 'test/fixtures/trade/shipments.csv']);
    expect(again.stdout).toMatch(/^already imported 8 shipment records/);
    const screen = await runCli(['--db', db, 'trade', 'screen', '--json']);
    expect(screen.code).toBe(0);
    // No lists and no AIS in this store: only the goods rule can fire (the cars to Rajin).
    const findings = JSON.parse(screen.stdout) as Finding[];
    expect(findings.map((f) => [f.kind, f.evidence[0]!.record])).toEqual([
      ['trade.prohibited_goods', 'shipments.csv:4'],
    ]);
  }, 60_000);

  it('mirror --import prints the report as JSON', async () => {
    const r = await runCli([
      '--db',
      db,
      'trade',
      'mirror',
      '--import',
      'test/fixtures/trade/comtrade_mirror.csv',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as MirrorReport;
    expect(report.petroleum).toEqual([
      { year: 2018, netWgtKg: 75_000_000, barrels: 549_750, capBarrels: 500_000, aboveCap: true },
    ]);
    expect(r.stderr).toContain('imported 23 Comtrade records (22 with the DPRK as partner)');
  }, 60_000);

  it('names an unreadable file and a bad --map, exit 1', async () => {
    const missing = await runCli(['--db', db, 'trade', 'import', 'no-such.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no-such.csv: cannot read the file');
    const map = await runCli(['--db', db, 'trade', 'import', 'test/fixtures/trade/shipments.csv', '--map', 'X=buyer']);
    expect(map.code).toBe(2);
    expect(map.stderr).toContain('--map: unknown field "buyer"');
  }, 60_000);
});
