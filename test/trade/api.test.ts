import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { tempStore } from '../maritime/helpers.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
let app: FastifyInstance;
beforeAll(async () => {
  ctx = await tempStore();
  app = await buildServer({ store: ctx.store, logLevel: false });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await ctx.cleanup();
});

const shipments = readFileSync('test/fixtures/trade/shipments.csv', 'utf8');

describe('trade API', () => {
  it('POST /trade/shipments imports the CSV body; the same bytes again write nothing', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/trade/shipments',
      payload: { csv: shipments, name: 'bl.csv' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ created: true, rows: 8, file: 'bl.csv', badRows: [] });
    const again = await app.inject({ method: 'POST', url: '/trade/shipments', payload: { csv: shipments } });
    expect(again.json()).toMatchObject({ created: false, rows: 8 });
    const list = await app.inject({ method: 'GET', url: '/trade/shipments?limit=2&offset=1' });
    expect(list.json().results.map((s: { line: number; consignee: string }) => [s.line, s.consignee])).toEqual([
      [3, 'KOREA RYONBONG GENERAL CORP.'],
      [4, 'Pyongyang Morning Star Trading Co.'],
    ]);
  });

  it('a bad row is a 400 naming the line', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/trade/shipments',
      payload: { csv: 'consignee,hs_code\nAcme,12x\n', name: 'bad.csv' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/^bad\.csv:2: hs_code "12x" is not 2-10 digits/);
    const map = await app.inject({
      method: 'POST',
      url: '/trade/shipments',
      payload: { csv: 'a\n1\n', map: { a: 'buyer' } },
    });
    expect(map.statusCode).toBe(400);
  });

  it('POST /trade/screen returns and stores the findings', async () => {
    const r = await app.inject({ method: 'POST', url: '/trade/screen', payload: {} });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.records).toBe(8);
    expect(body.byKind['trade.prohibited_goods']).toBe(1);
    const stored = await app.inject({ method: 'GET', url: '/findings?kind=trade.prohibited_goods' });
    expect(stored.statusCode).toBe(200);
  });

  it('POST /trade/comtrade and GET /trade/mirror', async () => {
    const csv = readFileSync('test/fixtures/trade/comtrade_mirror.csv', 'utf8');
    const imp = await app.inject({ method: 'POST', url: '/trade/comtrade', payload: { csv } });
    expect(imp.json()).toMatchObject({ created: true, rows: 23, dprkRows: 22 });
    const m = await app.inject({ method: 'GET', url: '/trade/mirror?from=2018&reporter=643' });
    expect(m.statusCode).toBe(200);
    expect(m.json().totals).toEqual([
      {
        year: 2018,
        reporterCode: 643,
        reporter: 'Russian Federation',
        flow: 'import',
        valueUsd: 17_900_000,
        from: 'chapters',
      },
    ]);
    const bad = await app.inject({ method: 'GET', url: '/trade/mirror?from=2019&to=2018' });
    expect(bad.statusCode).toBe(400);
  });
});
