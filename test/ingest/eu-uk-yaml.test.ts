import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEuYaml } from '../../src/ingest/eu-yaml.js';
import { parseUkYaml } from '../../src/ingest/uk-yaml.js';
import { dataPath } from '../../src/paths.js';

const EU = dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml');
const UK = dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml');

describe('EU and UK YAML importers on edited real entries', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-yaml-'));

  it('never stores a mapping or list where a scalar belongs as "[object Object]"', async () => {
    // The first EU entry with its first name replaced by a mapping, and the first UK entry's surname by a list.
    const eu = readFileSync(EU, 'utf8').replace('- whole_name: Naya  Liu\n', '- whole_name: {first: Naya}\n');
    const euFile = path.join(dir, 'eu.yaml');
    writeFileSync(euFile, eu);
    const uk = readFileSync(UK, 'utf8').replace(
      '    name6: An\n    name_type: Primary name\n',
      '    name6: [An]\n    name_type: Primary name\n',
    );
    const ukFile = path.join(dir, 'uk.yaml');
    writeFileSync(ukFile, uk);
    for (const r of [await parseEuYaml(euFile), await parseUkYaml(ukFile)]) {
      const values = r.entities.flatMap((e) => [...e.properties.values()].flat());
      expect(values.filter((v) => v.includes('[object Object]') || v === 'An')).toEqual([]);
    }
    const euFirst = (await parseEuYaml(euFile)).entities[0]!;
    expect(euFirst.get('name')).toEqual(['SONG Rim']);
    const ukFirst = (await parseUkYaml(ukFile)).entities[0]!;
    expect(ukFirst.get('name')).toEqual(['Jong Hyuk']);
  });
});
