import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { type SimOutput, simulate } from '../../src/maritime/simulate/generate.js';
import { decodeTrackColumns, encodeTrackColumns, trackColumns } from '../../src/maritime/tracks/columns.js';
import { tempStore, writeSimulation } from './helpers.js';

/**
 * Map tracks as typed columns thinned per zoom (src/maritime/tracks/columns.ts, GET /workspace/tracks/columns), on
 * the evasion scenario written to the AIS tables: the SQL keeps exactly the positions the half-pixel grid rule
 * names, replayed here in plain TypeScript over every stored position.
 */

let ctx: Awaited<ReturnType<typeof tempStore>>;
let sim: SimOutput;
let stored: Array<{ mmsi: number; ts: number; lat: number; lon: number }>;
const BREAK_MS = 6 * 3_600_000;

beforeAll(async () => {
  ctx = await tempStore();
  sim = simulate('evasion-only', 5);
  await writeSimulation(ctx.store, sim, 'sim-columns');
  stored = (await ctx.store.db.query('SELECT mmsi, ts, lat, lon FROM positions ORDER BY mmsi, ts')).map((r) => ({
    mmsi: Number(r.mmsi),
    ts: Number(r.ts),
    lat: Number(r.lat),
    lon: Number(r.lon),
  }));
}, 120_000);
afterAll(async () => {
  await ctx.cleanup();
});

/** The rule, positions in (mmsi, ts) order: keep a vessel's first and last fix, a fix in another grid cell than the
 * one before it, and both sides of a silence over 6 h. */
function reference(zoom: number): string[] {
  const cell = 0.5 / (256 * 2 ** zoom);
  const cx = (lon: number) => Math.floor((lon + 180) / 360 / cell);
  const cy = (lat: number) =>
    Math.floor((0.5 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 180 / 2)) / (2 * Math.PI)) / cell);
  const kept: string[] = [];
  for (let i = 0; i < stored.length; i++) {
    const p = stored[i]!;
    const prev = stored[i - 1]?.mmsi === p.mmsi ? stored[i - 1] : undefined;
    const next = stored[i + 1]?.mmsi === p.mmsi ? stored[i + 1] : undefined;
    if (
      !prev ||
      !next ||
      cx(p.lon) !== cx(prev.lon) ||
      cy(p.lat) !== cy(prev.lat) ||
      p.ts - prev.ts > BREAK_MS ||
      next.ts - p.ts > BREAK_MS
    )
      kept.push(`${p.mmsi}@${p.ts}`);
  }
  return kept;
}

function keys(c: { header: { tracks: Array<{ mmsi: number; count: number }> }; ts: Float64Array }): string[] {
  const out: string[] = [];
  let k = 0;
  for (const t of c.header.tracks) for (let i = 0; i < t.count; i++) out.push(`${t.mmsi}@${c.ts[k++]}`);
  return out;
}

describe('tracks as typed columns, thinned per zoom', () => {
  it('without a zoom sends every position, per vessel in time order, lat/lon as float32', async () => {
    const c = await trackColumns(ctx.store.db, {});
    expect(c.header.total).toBe(stored.length);
    expect(c.header.count).toBe(stored.length);
    expect(keys(c)).toEqual(stored.map((p) => `${p.mmsi}@${p.ts}`));
    for (const i of [0, 1234, stored.length - 1]) {
      expect(c.lat[i]).toBe(Math.fround(stored[i]!.lat));
      expect(c.lon[i]).toBe(Math.fround(stored[i]!.lon));
    }
  });

  it('keeps exactly the positions the half-pixel grid rule keeps, fewer the further out the zoom', async () => {
    let last = 0;
    for (const zoom of [4, 6, 9, 14]) {
      const c = await trackColumns(ctx.store.db, { zoom });
      expect(keys(c), `zoom ${zoom}`).toEqual(reference(zoom));
      expect(c.header.total).toBe(stored.length);
      expect(c.header.count).toBeGreaterThan(last);
      last = c.header.count;
    }
    const z6 = await trackColumns(ctx.store.db, { zoom: 6 });
    expect(z6.header.count).toBeLessThan(stored.length / 3);
    // The tanker's dark period (an injected ais.gap) still breaks its line: both sides are kept.
    const dark = sim.scenario.truth.find((t) => t.kind === 'ais.gap' && t.injected)!;
    const kept = new Set(keys(z6));
    const tanker = stored.filter((p) => p.mmsi === dark.mmsis[0]);
    const i = tanker.findIndex((p, j) => j > 0 && p.ts - tanker[j - 1]!.ts > BREAK_MS);
    expect(i).toBeGreaterThan(0);
    expect(kept.has(`${tanker[i - 1]!.mmsi}@${tanker[i - 1]!.ts}`)).toBe(true);
    expect(kept.has(`${tanker[i]!.mmsi}@${tanker[i]!.ts}`)).toBe(true);
  });

  it('filters by box, MMSI and time, and round-trips through the binary body', async () => {
    const mmsi = stored[0]!.mmsi;
    const inBox = stored.filter((p) => p.lon >= 122 && p.lon <= 124 && p.lat >= 36 && p.lat <= 39);
    expect(inBox.length).toBeGreaterThan(0);
    const boxed = await trackColumns(ctx.store.db, { bbox: [122, 36, 124, 39] });
    expect(keys(boxed)).toEqual(inBox.map((p) => `${p.mmsi}@${p.ts}`));
    const mid = stored[Math.floor(stored.length / 2)]!.ts;
    const one = await trackColumns(ctx.store.db, { mmsi: [mmsi], sinceMs: mid });
    expect(keys(one)).toEqual(stored.filter((p) => p.mmsi === mmsi && p.ts >= mid).map((p) => `${p.mmsi}@${p.ts}`));
    const c = await trackColumns(ctx.store.db, { zoom: 7 });
    const d = decodeTrackColumns(encodeTrackColumns(c));
    expect(d.header).toEqual(c.header);
    expect(d.ts).toEqual(c.ts);
    expect(d.lat).toEqual(c.lat);
    expect(d.lon).toEqual(c.lon);
    await expect(trackColumns(ctx.store.db, { bbox: [124, 36, 122, 39] })).rejects.toThrow(/bbox/);
  });

  it('GET /workspace/tracks/columns answers the binary body, and 400 on a bad zoom or box', async () => {
    const app = await buildServer({ store: ctx.store, logLevel: false });
    try {
      const r = await app.inject({ url: '/workspace/tracks/columns?zoom=6' });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toContain('application/octet-stream');
      const d = decodeTrackColumns(r.rawPayload);
      expect(d.header.total).toBe(stored.length);
      expect(keys(d)).toEqual(reference(6));
      // Answered again from the cache: the same bytes.
      const again = await app.inject({ url: '/workspace/tracks/columns?zoom=6' });
      expect(again.rawPayload.equals(r.rawPayload)).toBe(true);
      const boxed = await app.inject({ url: '/workspace/tracks/columns?zoom=6&bbox=122,36,124,39' });
      expect(decodeTrackColumns(boxed.rawPayload).header.bbox).toEqual([122, 36, 124, 39]);
      expect((await app.inject({ url: '/workspace/tracks/columns?zoom=99' })).statusCode).toBe(400);
      expect((await app.inject({ url: '/workspace/tracks/columns?bbox=124,36,122,39' })).statusCode).toBe(400);
      expect((await app.inject({ url: '/workspace/tracks/columns?since=yesterday' })).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
