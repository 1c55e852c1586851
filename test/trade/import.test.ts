import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { parseShipmentMap, resolveShipmentColumns } from '../../src/trade/fields.js';
import { importShipments, rowSha256, type Shipment, storedShipments } from '../../src/trade/shipments.js';
import { tempStore } from '../maritime/helpers.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
beforeAll(async () => {
  ctx = await tempStore();
});
afterAll(async () => {
  await ctx.cleanup();
});

function write(name: string, text: string): string {
  const file = path.join(ctx.dir, name);
  writeFileSync(file, text);
  return file;
}

const count = async (): Promise<number> =>
  Number((await ctx.store.db.query('SELECT count(*) AS n FROM trade_shipments'))[0]!.n);

describe('trade import', () => {
  it('recognises the fixture header by synonyms and normalises fields', async () => {
    const r = await importShipments(ctx.store, path.resolve('test/fixtures/trade/shipments.csv'));
    expect(r.rows).toBe(8);
    expect(r.columns).toMatchObject({
      consignee: 'Consignee',
      hs_code: 'HS Code',
      origin: 'Country of Origin',
      vessel_imo: 'IMO',
    });
    const rows = [];
    for await (const page of storedShipments(ctx.store.db, r.importId)) rows.push(...page);
    const coal = rows.find((s) => s.line === 5)!;
    expect(coal).toMatchObject({
      hsCode: '270112',
      originCode: 'RU',
      destinationCode: 'CN',
      vesselImo: 1341061,
      departureDate: '2024-02-28',
      weightKg: 31_500_000,
      value: '3780000.00',
      currency: 'USD',
    });
    expect(rows.find((s) => s.line === 8)!.originCode).toBe('KR');
    expect(rows.find((s) => s.line === 3)!.consigneeCountry).toBe('KP');
    expect(coal.rowSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps other headers with --map overrides', async () => {
    const file = write(
      'manifest.csv',
      'BL,Receiver,Tariff,Goods text,Made in\nX1,Acme Ltd,8429.51,front-end loaders,Japan\n',
    );
    const map = parseShipmentMap(['Receiver=consignee,Tariff=hs_code', 'Goods text=description', 'Made in=origin']);
    const r = await importShipments(ctx.store, file, { map });
    expect(r.columns).toEqual({
      reference: 'BL',
      consignee: 'Receiver',
      hs_code: 'Tariff',
      description: 'Goods text',
      origin: 'Made in',
    });
    expect(() => parseShipmentMap(['Receiver=buyer'])).toThrow(/unknown field "buyer"/);
    expect(() => resolveShipmentColumns(['a', 'b'], { Receiver: 'consignee' })).toThrow(/no column "Receiver"/);
  });

  it('refuses a file with bad rows, naming each by file:line, and writes nothing', async () => {
    const before = await count();
    const file = write(
      'bad.csv',
      'consignee,hs_code,vessel_imo,departure_date\nGood Co,0902,1234567,2024-01-01\nBad Co,09x2,,\nOther Co,0902,12345,2024-13-01\n',
    );
    const err = await importShipments(ctx.store, file).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain('bad.csv:3: hs_code "09x2" is not 2-10 digits');
    expect(err.message).toContain('bad.csv:4: vessel_imo "12345" is not a 7-digit IMO number');
    expect(await count()).toBe(before);
    const logged = (await ctx.store.listImports('trade.shipments')).map((r) => path.basename(r.location));
    expect(logged.sort()).toEqual(['manifest.csv', 'shipments.csv']);
  });

  it('with skipBad imports the good rows and lists the bad ones', async () => {
    const before = await count();
    const file = write(
      'bad2.csv',
      'consignee,hs_code,departure_date\nGood Co,0902,2024-01-01\nBad Co,0902,01/02/2024\n',
    );
    const r = await importShipments(ctx.store, file, { skipBad: true });
    expect(r.rows).toBe(1);
    expect(r.badRows).toEqual([
      { where: `${file}:3`, reason: 'departure_date "01/02/2024" is not a date (YYYY-MM-DD)' },
    ]);
    expect(await count()).toBe(before + 1);
  });

  it('leaves nothing of a skipped row in the next one, across batches of 5,000 rows', async () => {
    // Row 3 fails on its arrival date, after its other fields were read; row 4 has none of them.
    const lines = [
      'consignee,hs_code,description,vessel_imo,weight_kg,departure_date,arrival_date',
      'First Co,0902,tea,1234567,100,2024-01-01,2024-01-09',
      'Bad Co,2701,coal,7654321,200,2024-01-02,2024-02-30',
      'Bare Co,,,,,,',
    ];
    for (let i = 0; i < 12_000; i++) lines.push(`Bulk Co ${i},8703,cars,,${i},2024-03-01,`);
    const file = write('batches.csv', `${lines.join('\n')}\n`);
    const r = await importShipments(ctx.store, file, { skipBad: true });
    expect(r.rows).toBe(12_002);
    expect(r.badRows).toEqual([{ where: `${file}:3`, reason: 'arrival_date "2024-02-30" is not a date (YYYY-MM-DD)' }]);
    const stored: Shipment[] = [];
    for await (const page of storedShipments(ctx.store.db, r.importId)) stored.push(...page);
    expect(stored.length).toBe(12_002);
    expect(stored[1]).toMatchObject({
      line: 4,
      consignee: 'Bare Co',
      hsCode: null,
      description: null,
      vesselImo: null,
      weightKg: null,
      departureDate: null,
      arrivalDate: null,
    });
    expect(stored[0]).toMatchObject({ line: 2, vesselImo: 1234567, weightKg: 100, arrivalDate: '2024-01-09' });
    const last = stored[12_001]!;
    expect(last).toMatchObject({ line: 12_004, consignee: 'Bulk Co 11999', weightKg: 11_999, vesselImo: null });
    expect(last.rowSha256).toBe(rowSha256(['Bulk Co 11999', '8703', 'cars', '', '11999', '2024-03-01', '']));
    expect(stored.map((s) => s.line)).toEqual([2, ...Array.from({ length: 12_001 }, (_, i) => i + 4)]);
  });

  it('refuses a header with no party or goods column', async () => {
    const file = write('nocols.csv', 'foo,bar\n1,2\n');
    await expect(importShipments(ctx.store, file)).rejects.toThrow(/nocols\.csv:1: no shipper, consignee/);
  });

  it('hashes a row as its RFC 4180 line', () => {
    const expected = createHash('sha256').update('a,"b,c","say ""hi"""').digest('hex');
    expect(rowSha256(['a', 'b,c', 'say "hi"'])).toBe(expected);
  });
});
