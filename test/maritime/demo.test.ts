import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refKey, resolveAisEvidence } from '../../src/evidence/ais-raw.js';
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

  it('keeps the NMEA file it imported, so the evidence of a demo finding quotes its raw sentences', async () => {
    // Issue 16: a case built on the seeded demo must quote the encounter's first and last fixes. The file was written
    // to a temp dir and deleted, so every AIS evidence row said "the file is no longer at ...".
    const encounter = (await ctx.store.queryFindings({ kinds: ['ais.encounter'], subject: 'ais-445112674' })).find(
      (f) => f.subjects.includes('ais-354771206'),
    );
    expect(encounter, 'OCEAN GRACE meets YU JONG 2').toBeDefined();
    const refs = encounter!.evidence.filter((e) => e.record.startsWith('mmsi:'));
    expect(refs.length).toBe(4);
    const raw = await resolveAisEvidence(ctx.store, refs);
    for (const ref of refs) {
      const r = raw.get(refKey(ref))!;
      expect(r.status, r.message).toBe('verified');
      expect(r.path).toBe(path.join(ctx.dir, 'demo', `demo-${DEMO_SCENARIO.name}-${DEMO_SCENARIO.seed}.nmea`));
      expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(r.line).toBeGreaterThan(0);
      expect(r.lines.at(-1)).toContain('!AIVDM,1,1,');
      expect(r.tagTime).toMatch(/^2024-03-03T/);
    }
  });
});
