import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListFile } from '../../src/lists/import.js';
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
      for await (const _ of readFtmLines(file, { unknownProperties: 'error' })) {
        // drain
      }
    }).rejects.toThrow(/bad\.json:1: property "wingspan" is not defined on schema Vessel/);
  });

  it('accepts string, number and boolean values; refuses null, arrays and objects; skips unknown properties unless strict', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-ftm-'));
    const file = path.join(dir, 'values.json');
    const drain = async (opts: Parameters<typeof readFtmLines>[1] = {}) => {
      const out = [];
      for await (const l of readFtmLines(file, opts)) out.push(l);
      return out;
    };
    writeFileSync(file, '{"id":"v","schema":"Vessel","properties":{"name":["A"],"tonnage":[1200],"wingspan":["3"]}}\n');
    await expect(drain({ unknownProperties: 'error' })).rejects.toThrow(
      'values.json:1: property "wingspan" is not defined on schema Vessel',
    );
    // Skipping is the default (--strict-properties asks for 'error').
    const [skipped] = await drain();
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

  it('imports properties and schemata new in FtM v4, and skips an unknown property with a count', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-ftm-v4-'));
    const file = path.join(dir, 'v4.ftm.json');
    const lines = [
      // KOMID (UN KPe.001) with its acronym as FtM v4's LegalEntity.abbreviation.
      {
        id: 'un-kpe-1',
        schema: 'Company',
        properties: {
          name: ['Korea Mining Development Trading Corporation'],
          abbreviation: ['KOMID'],
          topics: ['sanction'],
          jurisdiction: ['kp'],
        },
      },
      {
        id: 'p-1',
        schema: 'Person',
        properties: { name: ['Ri Song Hyok'], profession: ['Overseas representative'], secondName: ['Song'] },
      },
      { id: 'v-1', schema: 'Vessel', properties: { name: ['YU JONG 2'], deadweightTonnage: [5017] } },
      { id: 'r-1', schema: 'Risk', properties: { entity: ['un-kpe-1'], topics: ['sanction'], reason: ['UNSC 1718'] } },
      // `wingspan` is in no FtM release; `fleetSize` is not a Company property either.
      { id: 'c-2', schema: 'Company', properties: { name: ['Ocean Maritime Management'], wingspan: ['3'] } },
      {
        id: 'c-3',
        schema: 'Company',
        properties: { name: ['Chongchongang Shipping'], wingspan: ['4'], fleetSize: ['9'] },
      },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const read = [];
    for await (const l of readFtmLines(file)) read.push(l);
    expect(read.map((l) => l.skipped)).toEqual([[], [], [], [], ['wingspan'], ['wingspan', 'fleetSize']]);
    expect(read[0]!.entity.properties).toEqual(lines[0]!.properties);
    // Deprecated properties (Person.secondName) are still accepted.
    expect(read[1]!.entity.properties.secondName).toEqual(['Song']);
    expect(read[2]!.entity.properties.deadweightTonnage).toEqual(['5017']);

    const parsed = await parseListFile(file, 'ftm');
    expect(parsed.entities.map((e) => e.id)).toEqual(['un-kpe-1', 'p-1', 'v-1', 'r-1', 'c-2', 'c-3']);
    expect(parsed.stats.counts.skippedProperties).toBe(3);
    expect(parsed.stats.warnings).toEqual([
      'v4.ftm.json:5: property "wingspan" is not defined on schema Company; left out on 2 line(s)',
      'v4.ftm.json:6: property "fleetSize" is not defined on schema Company; left out on 1 line(s)',
    ]);
    await expect(parseListFile(file, 'ftm', { unknownProperties: 'error' })).rejects.toThrow(
      'v4.ftm.json:5: property "wingspan" is not defined on schema Company',
    );
  });

  it('leaves out lines of a schema the model lacks (Assessment, pre-v4) with a count, and stub properties', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-ftm-old-'));
    const file = path.join(dir, 'old.ftm.json');
    const lines = [
      { id: 'c-1', schema: 'Company', properties: { name: ['Korea Mining Development Trading Corporation'] } },
      // Assessment and Post were removed in FtM v4.
      { id: 'a-1', schema: 'Assessment', properties: { name: ['Risk review'], publishDate: ['2019'] } },
      { id: 'p-1', schema: 'Post', properties: { holder: ['x'], organization: ['c-1'] } },
      { id: 'a-2', schema: 'Assessment', properties: { name: ['Second review'] } },
      // ownershipOwner is the stub reverse of Ownership.owner: FtM keeps the link on the Ownership.
      { id: 'c-2', schema: 'Company', properties: { name: ['Chongchongang Shipping'], ownershipOwner: ['o-1'] } },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const parsed = await parseListFile(file, 'ftm');
    expect(parsed.entities.map((e) => e.id)).toEqual(['c-1', 'c-2']);
    expect(parsed.stats.counts.skippedEntities).toBe(3);
    expect(parsed.stats.counts.skippedProperties).toBe(1);
    expect(parsed.stats.warnings).toEqual([
      'old.ftm.json:2: schema "Assessment" is not in the bundled FtM model (FtM 4.10.2); left out 2 line(s)',
      'old.ftm.json:3: schema "Post" is not in the bundled FtM model (FtM 4.10.2); left out 1 line(s)',
      'old.ftm.json:5: property "ownershipOwner" is not defined on schema Company; left out on 1 line(s)',
    ]);
    // --strict-properties refuses both, naming file:line.
    await expect(parseListFile(file, 'ftm', { unknownProperties: 'error' })).rejects.toThrow(
      'old.ftm.json:2: unknown FtM schema "Assessment"',
    );
    writeFileSync(file, `${JSON.stringify(lines[4])}\n`);
    await expect(parseListFile(file, 'ftm', { unknownProperties: 'error' })).rejects.toThrow(
      'old.ftm.json:1: property "ownershipOwner" of schema Company is a reverse (stub) property; set Ownership.owner instead',
    );
  });

  it('keeps the properties FtM 4.10.2 added (Person.biography, Occupancy terms, Thing.riskSource) under --strict-properties', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-ftm-newer-'));
    const file = path.join(dir, 'pep.ftm.json');
    const lines = [
      {
        id: 'p-1',
        schema: 'Person',
        properties: { name: ['Choe Ryong Hae'], biography: ['Member of the Presidium of the Politburo.'] },
      },
      {
        id: 'o-1',
        schema: 'Occupancy',
        properties: {
          holder: ['p-1'],
          post: ['pos-1'],
          electionDate: ['2019-03-10'],
          periodStart: ['2019-04-11'],
          periodEnd: ['2023-04-11'],
          constituency: ['Constituency 12'],
          politicalGroup: ['Workers Party of Korea'],
        },
      },
      // Deprecated in the newer files, still accepted.
      { id: 'pp-1', schema: 'Passport', properties: { holder: ['p-1'], number: ['745310010'], surname: ['CHOE'] } },
      // riskSource is new in 4.10.2 and kept; controlController (Control's reverse before 4.10.2 renamed it
      // controlledEntities) is no longer defined: left out with a count.
      {
        id: 'c-1',
        schema: 'Company',
        properties: { name: ['Korea Ryonbong General Corporation'], riskSource: ['x'], controlController: ['k-1'] },
      },
    ];
    writeFileSync(
      file,
      `${lines
        .slice(0, 3)
        .map((l) => JSON.stringify(l))
        .join('\n')}\n`,
    );
    const strict = await parseListFile(file, 'ftm', { unknownProperties: 'error' });
    expect(strict.entities.map((e) => e.id)).toEqual(['p-1', 'o-1', 'pp-1']);
    expect(strict.entities[1]!.toFtm().properties.politicalGroup).toEqual(['Workers Party of Korea']);
    expect(strict.stats.counts.skippedProperties ?? 0).toBe(0);
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const read = [];
    for await (const l of readFtmLines(file)) read.push(l);
    expect(read.map((l) => l.skipped)).toEqual([[], [], [], ['controlController']]);
    expect(read[3]!.entity.properties.riskSource).toEqual(['x']);
    expect(read[0]!.entity.properties.biography).toEqual(['Member of the Presidium of the Politburo.']);
  });
});
