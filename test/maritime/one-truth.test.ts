import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import type { Finding } from '../../src/findings/finding.js';
import type { VesselRiskProfile } from '../../src/maritime/risk/profile.js';
import { topRiskFromStore, vesselRiskFromStore } from '../../src/maritime/risk/store.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { runCli } from '../support/cli.js';
import { copyDemoStore } from '../support/demo-store.js';

/**
 * One truth per fact, on the bundled demo data (sanctions lists, the ship registry and the Yellow Sea AIS
 * simulation, imported and detected as `watchkeeper start` does): the vessel page's risk is the risk profile the API and CLI return, and the
 * CLI and the API accept the same finding kind names.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'wk-one-truth-'));
const db = path.join(dir, 'demo.duckdb');
let store: Store | null = null;
let ranked: VesselRiskProfile[];
const s = (): Store => store!;

beforeAll(async () => {
  store = await openStore({ url: await copyDemoStore('demo', db) });
  ranked = await topRiskFromStore(store, 10_000);
}, 300_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vessel risk: one model', () => {
  it('the vessel page shows the risk profile of every vessel the ranking names, as the API returns it', async () => {
    expect(ranked.length).toBeGreaterThan(10);
    // The demo's DPRK-flagged tanker meets a listed vessel: several red flags, the case the two models disagreed on.
    expect(ranked[0]!.factors.length).toBeGreaterThan(3);
    const app = await buildServer({ store: s(), logLevel: false });
    try {
      for (const r of ranked) {
        const mmsi = r.mmsis[0]!;
        const api = await app.inject({ method: 'GET', url: `/vessels/${mmsi}/risk` });
        expect(api.statusCode).toBe(200);
        const page = await app.inject({ method: 'GET', url: `/workspace/vessels/ais-${mmsi}` });
        expect(page.statusCode).toBe(200);
        const risk = api.json() as VesselRiskProfile;
        expect(page.json().risk, `MMSI ${mmsi}`).toEqual(risk);
        // The ranking's score is the profile's score.
        expect(r.score, `MMSI ${mmsi}`).toBe(risk.score);
        expect(r.factors.map((f) => [f.code, f.score])).toEqual(risk.factors.map((f) => [f.code, f.score]));
      }
    } finally {
      await app.close();
    }
  });

  it('scores a vessel by the noisy-or of its factors, each the noisy-or of weight × finding score', async () => {
    const top = await vesselRiskFromStore(s(), String(ranked[0]!.mmsis[0]));
    const findings = await s().queryFindings({ subject: `ais-${top.mmsis[0]}` });
    const byId = new Map<string, Finding>(findings.map((f) => [f.id, f]));
    let miss = 1;
    for (const factor of top.factors) {
      let m = 1;
      for (const f of factor.findings) m *= 1 - factor.weight * byId.get(f.id)!.score;
      expect(factor.score).toBeCloseTo(1 - m, 3);
      miss *= 1 - factor.score;
    }
    expect(top.score).toBeCloseTo(1 - miss, 3);
    expect(top.severity).toBe('high');
  });
});

describe('finding kinds: the same names in the CLI and the API', () => {
  it('GET /findings takes short and full names alike and answers 400 for an unknown kind', async () => {
    const app = await buildServer({ store: s(), logLevel: false });
    try {
      const full = (await app.inject({ url: '/findings?kind=ais.encounter&limit=1000' })).json();
      const short = (await app.inject({ url: '/findings?kind=encounter&limit=1000' })).json();
      expect(full.total).toBeGreaterThan(0);
      expect(full.results.every((f: Finding) => f.kind === 'ais.encounter')).toBe(true);
      expect(short).toEqual(full);
      const two = (await app.inject({ url: '/findings?kind=gap,port_visit&kind=ais.encounter&limit=1' })).json();
      expect(two.total).toBe(await s().countFindings({ kinds: ['ais.gap', 'ais.port_visit', 'ais.encounter'] }));
      const bad = await app.inject({ url: '/findings?kind=encounters' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toContain('kind: unknown finding kind "encounters"');
      expect(bad.json().message).toContain('encounter (ais.encounter)');
    } finally {
      await app.close();
    }
  });

  it('`findings --kind` lists what the API lists for the same names, and refuses what the API refuses', async () => {
    const api = await buildServer({ store: s(), logLevel: false });
    const ids = async (q: string) =>
      ((await api.inject({ url: `/findings?${q}&limit=1000` })).json().results as Finding[]).map((f) => f.id);
    const expected = {
      encounter: await ids('kind=encounter'),
      'ais.loitering,spoofing': await ids('kind=ais.loitering,spoofing'),
      sanctions_match: await ids('kind=sanctions_match'),
    };
    const badApi = (await api.inject({ url: '/findings?kind=encounters' })).json().message as string;
    await api.close();
    // The CLI opens the store file itself: close ours first (DuckDB holds a lock on it).
    await s().close();
    store = null;
    try {
      for (const [kind, want] of Object.entries(expected)) {
        expect(want.length, kind).toBeGreaterThan(0);
        const r = await runCli(['--db', db, 'findings', '--kind', kind, '--limit', '1000', '--format', 'jsonl']);
        expect(r.code, r.stderr).toBe(0);
        const got = r.stdout
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as Finding).id);
        expect(got, kind).toEqual(want);
      }
      // The table names each finding by its id (what `cases add` takes), in full.
      const table = await runCli(['--db', db, 'findings', '--kind', 'encounter', '--limit', '1000']);
      expect(table.stdout.split('\n')[0]).toMatch(/^id\s+start\s+kind\s/);
      for (const id of expected.encounter!) expect(table.stdout).toContain(`${id}  `);
      const bad = await runCli(['--db', db, 'findings', '--kind', 'encounters']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('--kind: unknown finding kind "encounters"');
      expect(badApi.replace(/^kind: /, '')).toBe(bad.stderr.trim().replace(/^.*--kind: /, ''));
    } finally {
      store = await openStore({ url: db });
    }
  });
});
