import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffImport } from '../../src/imports/kinds.js';

/**
 * The upload type check of `POST /imports/ais` takes every NMEA layout `ais import` reads: sentences alone, after a
 * tag block, after a receiver time (unix seconds or ISO, with any of the envelope's separators).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SENTENCES = readFileSync(path.join(ROOT, 'test/fixtures/ais/synthetic.nmea'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('!'))
  .slice(0, 5);
const dir = mkdtempSync(path.join(os.tmpdir(), 'wk-sniff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const f = path.join(dir, name);
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

describe('AIS upload type check', () => {
  it.each([
    ['plain', (l: string) => l],
    ['unix seconds and a space', (l: string, i: number) => `${1709251200 + i}.250 ${l}`],
    ['unix milliseconds and a comma', (l: string, i: number) => `${1709251200000 + i},${l}`],
    ['an ISO time in brackets', (l: string) => `[2024-03-01T00:00:00Z] ${l}`],
    ['an ISO time with a space and a semicolon', (l: string) => `2024-03-01 00:00:00.5;${l}`],
    ['a tag block', (l: string, i: number) => `\\c:${1709251200 + i}*00\\${l}`],
  ])('takes NMEA with %s as NMEA', async (name, f) => {
    expect(SENTENCES).toHaveLength(5);
    const lines = SENTENCES.map((l, i) => f(l, i));
    expect(await sniffImport('ais', file(`${name}.nmea`, lines), {})).toEqual({ format: 'nmea', ext: 'nmea' });
  });

  it('still refuses text that only mentions a sentence, with a 415 naming the first bytes', async () => {
    await expect(
      sniffImport('ais', file('prose.txt', ['see the !AIVDM, sentence below', 'nothing here']), {}),
    ).rejects.toThrow(/AIS import: not NMEA \(!AIVDM sentences\) or a CSV with a header line \(first bytes "see the/);
  });
});
