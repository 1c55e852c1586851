import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Entity, entitiesFromStatements, type FtmEntity } from '../../src/model/entity.js';
import { formatFtmLine, readFtmLines } from '../../src/model/ftm-json.js';

const LINES: FtmEntity[] = [
  {
    id: 'un-kpe-1',
    schema: 'Company',
    properties: {
      name: ['Korea Mining Development Trading Corporation'],
      alias: ['KOMID', 'CHANGGWANG SINYONG CORPORATION'],
      country: ['kp'],
    },
  },
  {
    id: 'ofac-vessel-9',
    schema: 'Vessel',
    properties: { name: ['CHON MA SAN'], imoNumber: ['8660313'], flag: ['kp'], mmsi: ['445538000'] },
  },
];

describe('FtM JSON lines', () => {
  it('round-trips entities through statements byte for byte', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-ftm-'));
    const file = path.join(dir, 'in.ftm.json');
    const text = `${LINES.map(formatFtmLine).join('\n')}\n`;
    writeFileSync(file, text);
    const statements = [];
    for await (const { entity, line } of readFtmLines(file)) {
      statements.push(...Entity.statementsFromFtm(entity, 'test', `${file}:${line}`, '2024-01-01T00:00:00.000Z'));
    }
    expect(statements).toHaveLength(8);
    expect(statements.find((s) => s.prop === 'imoNumber')).toMatchObject({
      value: '8660313',
      sourceRecord: `${file}:2`,
    });
    const back = entitiesFromStatements(statements).map((e) => {
      const { datasets: _d, ...rest } = e.toFtm();
      return formatFtmLine(rest);
    });
    expect(`${back.join('\n')}\n`).toBe(text);
  });

  it('names file and line for bad input', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-ftm-'));
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, `${formatFtmLine(LINES[0]!)}\n{"id":"x","schema":"Spaceship","properties":{}}\n`);
    await expect(async () => {
      for await (const _ of readFtmLines(file)) {
        // drain
      }
    }).rejects.toThrow('bad.json:2: unknown FtM schema "Spaceship"');
    writeFileSync(file, '{"id":"x","schema":"Vessel","properties":{"wingspan":["3"]}}\n');
    await expect(async () => {
      for await (const _ of readFtmLines(file)) {
        // drain
      }
    }).rejects.toThrow(/bad\.json:1: property "wingspan" is not defined on schema Vessel/);
  });

  it('accepts string, number and boolean values; refuses null, arrays and objects; skips unknown properties on request', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-ftm-'));
    const file = path.join(dir, 'values.json');
    const drain = async (opts: Parameters<typeof readFtmLines>[1] = {}) => {
      const out = [];
      for await (const l of readFtmLines(file, opts)) out.push(l);
      return out;
    };
    writeFileSync(file, '{"id":"v","schema":"Vessel","properties":{"name":["A"],"tonnage":[1200],"wingspan":["3"]}}\n');
    await expect(drain()).rejects.toThrow('values.json:1: property "wingspan" is not defined on schema Vessel');
    const [skipped] = await drain({ unknownProperties: 'skip' });
    expect(skipped).toEqual({
      entity: { id: 'v', schema: 'Vessel', properties: { name: ['A'], tonnage: ['1200'] } },
      line: 1,
      skipped: ['wingspan'],
    });
    for (const [value, kind] of [
      ['null', 'null'],
      ['["a"]', 'an array'],
      ['{"a":1}', 'an object'],
    ]) {
      writeFileSync(file, `\n{"id":"v","schema":"Vessel","properties":{"name":["A",${value}]}}\n`);
      await expect(drain()).rejects.toThrow(`values.json:2: properties.name[1] must be a string, found ${kind}`);
    }
    // datasets and referents keep their strings only (a nested array there once went through String()).
    writeFileSync(
      file,
      `{"id":"v","schema":"Vessel","properties":{},"datasets":["x",${'['.repeat(50_000)}${']'.repeat(50_000)}]}\n`,
    );
    expect((await drain())[0]!.entity.datasets).toEqual(['x']);
  });
});
