import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importList } from '../../src/lists/import.js';
import { detectStore } from '../../src/maritime/detect.js';
import { simulate } from '../../src/maritime/simulate/generate.js';
import { dataPath } from '../../src/paths.js';
import { tempStore, writeSimulation } from './helpers.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
  ctx = await tempStore();
  await importList(ctx.store, dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'), {
    format: 'ofac-csv',
    fetchedAt: '2024-05-03T00:00:00.000Z',
  });
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('screening link (screenVessel against the OFAC SDN list)', () => {
  it('flags the listed DPRK tanker and only it; its findings carry SANCTIONS_LIST_MATCH', async () => {
    const sim = simulate('evasion-only', 5, { hours: 24 });
    await writeSimulation(ctx.store, sim, 'sim');
    const listed = sim.scenario.vessels.find((v) => v.role.startsWith('DPRK tanker'))!.identities[0]!.mmsi;
    const r = await detectStore(ctx.store, {});
    const matches = r.findings.filter((f) => f.kind === 'ais.sanctions_match');
    expect(matches.map((f) => f.subjects)).toEqual([[`ais-${listed}`, 'ofac-23736']]);
    expect(matches[0]!.explanation).toContain('YU JONG 2');
    const nampo = r.findings.find((f) => f.kind === 'ais.port_visit' && f.vessels?.[0]?.mmsi === listed)!;
    expect(nampo.redFlags).toEqual(['DPRK_PORT_CALL', 'SANCTIONS_LIST_MATCH']);
  });
});
