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
});
