import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCENARIO, seedMaritimeDemo } from '../../src/maritime/demo.js';
import { tempStore } from './helpers.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
  ctx = await tempStore();
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('maritime demo', () => {
  it('simulates, imports the NMEA through the AIS importer and detects every injected pattern', async () => {
    const lines = await seedMaritimeDemo(ctx.store);
    expect(lines[0]).toContain(`seed ${DEMO_SCENARIO.seed}`);
    expect(lines[1]).toMatch(/^imported [\d,]+ AIS positions \(ais-nmea@/);
    const n = Number((await ctx.store.db.query<{ n: number }>('SELECT count(*) AS n FROM positions'))[0]!.n);
    expect(n).toBeGreaterThan(300_000);
    const kinds = new Set((await ctx.store.queryFindings({})).map((f) => f.kind));
    for (const k of [
      'ais.gap',
      'ais.encounter',
      'ais.loitering',
      'ais.port_visit',
      'ais.zone_entry',
      'ais.identity_change',
      'ais.spoofing',
    ])
      expect(kinds.has(k), k).toBe(true);
    expect(await ctx.store.countFindings({ redFlag: 'DPRK_PORT_CALL' })).toBeGreaterThanOrEqual(3);
  });
});
