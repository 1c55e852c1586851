import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FtmEntity } from '../../src/model/entity.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'screening');

/** The real list entries of test/fixtures/screening/entities.ftm.jsonl. */
export function fixtureEntities(): FtmEntity[] {
  return readFileSync(path.join(FIXTURES, 'entities.ftm.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FtmEntity);
}
