import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectStore } from '../../src/maritime/detect.js';
import { simHulls, simulate } from '../../src/maritime/simulate/generate.js';
import { openStore } from '../../src/store/open.js';
import { writeSimulation } from '../maritime/helpers.js';
import { runCli } from '../support/cli.js';

/** `watchkeeper cargo estimate|cap` over a store detected from the evasion-only scenario. */

const dir = mkdtempSync(path.join(tmpdir(), 'wk-cargo-cli-'));
const db = path.join(dir, 'cargo.duckdb');
let encounterId = '';
let stsBarrels = 0;

beforeAll(async () => {
  const sim = simulate('evasion-only', 5);
  stsBarrels = sim.scenario.cargo.filter((c) => c.kind === 'petroleum_sts').reduce((n, c) => n + c.barrels!, 0);
  const store = await openStore({ url: db });
  try {
    await writeSimulation(store, sim, 'sim-cargo-cli');
    for (const h of simHulls(sim).values()) {
      const bow = Math.round(h.lengthM * 0.8);
      await store.db.query(
        'UPDATE vessel_static SET to_bow = $1, to_stern = $2, to_port = $3, to_starboard = $4 WHERE mmsi = $5',
        [bow, h.lengthM - bow, Math.floor(h.beamM / 2), h.beamM - Math.floor(h.beamM / 2), h.mmsi],
      );
    }
    const r = await detectStore(store, { screen: false });
    encounterId = r.findings.find((f) => f.kind === 'ais.encounter')!.id;
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('watchkeeper cargo', () => {
  it('cargo estimate prints the method, ranges and inputs; --json the findings', async () => {
    const r = await runCli(['--db', db, 'cargo', 'estimate', encounterId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/about [\d,]+ t loaded \(range [\d,]+–[\d,]+ t\) ≈ [\d,]+ barrels of gasoil/);
    expect(r.stdout).toContain('method dimensions');
    const j = await runCli(['--db', db, 'cargo', 'estimate', encounterId, '--json']);
    expect(j.code, j.stderr).toBe(0);
    const found = JSON.parse(j.stdout) as Array<{ kind: string }>;
    expect(found.length).toBe(2);
    expect(found.every((f) => f.kind === 'cargo.estimate')).toBe(true);
  });

  it('cargo cap: chart and table, --json with official deliveries added', async () => {
    const r = await runCli(['--db', db, 'cargo', 'cap', '--year', '2024']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2024: refined petroleum delivered to the DPRK vs the 500,000-barrel cap');
    expect(r.stdout).toMatch(/33 % load .*bbl/);
    const csv = path.join(dir, 'official.csv');
    writeFileSync(csv, 'date,reporting_state,product,quantity,unit\n2024-02-01,Somewhere,diesel,100,tonnes\n');
    const j = await runCli(['--db', db, 'cargo', 'cap', '--year', '2024', '--official', csv, '--json']);
    expect(j.code, j.stderr).toBe(0);
    const years = JSON.parse(j.stdout) as Array<{ scenarios: Array<{ name: string; totalBbl: number }> }>;
    const mid = years[0]!.scenarios.find((s) => s.name === 'draught')!.totalBbl;
    // The STS deliveries (within 2 % of the injected barrels) plus 100 t × 7.46 bbl/t.
    expect(Math.abs(mid - 746 - stsBarrels) / stsBarrels).toBeLessThan(0.02);
    // `trade cap`, where the issue names it, is the same command: the same tracker, byte for byte.
    const t = await runCli(['--db', db, 'trade', 'cap', '--year', '2024', '--official', csv, '--json']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toBe(j.stdout);
  });

  it('cap --official over the cap prints the trade.petroleum_cap finding; --save stores it', async () => {
    // 62,000 t of diesel reported to the 1718 Committee (462,520 bbl at 7.46 bbl/t) plus the simulated STS deliveries.
    const csv = path.join(dir, 'official-over.csv');
    writeFileSync(csv, 'date,reporting_state,product,quantity,unit\n2024-02-01,Somewhere,diesel,62000,tonnes\n');
    const r = await runCli(['--db', db, 'trade', 'cap', '--year', '2024', '--official', csv, '--save']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trade\.petroleum_cap \([\d.]+\): Refined petroleum delivered to the DPRK in 2024 passes/);
    expect(r.stdout).toContain('1 official reports');
    expect(r.stderr).toContain('saved 1 trade.petroleum_cap finding(s): 2024');
    const store = await openStore({ url: db });
    try {
      const [f] = await store.queryFindings({ kinds: ['trade.petroleum_cap'] });
      expect(f!.details!.year).toBe(2024);
      expect(f!.evidence.map((e) => e.source)).toContain('official');
    } finally {
      await store.close();
    }
  });

  it('refuses a bad year and a bad official file, naming them', async () => {
    const y = await runCli(['--db', db, 'cargo', 'cap', '--year', 'last']);
    expect(y.code).not.toBe(0);
    expect(y.stderr).toContain('--year: "last"');
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'date,reporting_state,quantity,unit\n2024-02-01,X,10,gallons\n');
    const b = await runCli(['--db', db, 'cargo', 'cap', '--official', bad]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain('bad.csv:2: unit "gallons"');
  });
});
