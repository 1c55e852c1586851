import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The arrows of the maritime house: geo/, tracks/ and ais/ (the decoder) sit below events/ and the maritime store, so
 * they never import from them (issue 17: no arrows back up from geo/ to events/ or from ais/ to store/).
 */
const SRC = path.resolve(import.meta.dirname, '../../src/maritime');

function importsOf(dir: string): Array<{ file: string; from: string }> {
  const out: Array<{ file: string; from: string }> = [];
  for (const f of readdirSync(path.join(SRC, dir))) {
    if (!f.endsWith('.ts')) continue;
    const text = readFileSync(path.join(SRC, dir, f), 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm))
      out.push({ file: `${dir}/${f}`, from: m[1]! });
    for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) out.push({ file: `${dir}/${f}`, from: m[1]! });
  }
  return out;
}

describe('maritime layering', () => {
  for (const dir of ['geo', 'tracks', 'ais'])
    it(`${dir}/ imports nothing from events/, risk/, simulate/, detect or the maritime store`, () => {
      const up = importsOf(dir).filter((i) => /^\.\.\/(events|store|simulate|risk)\/|^\.\.\/detect\.js$/.test(i.from));
      expect(up).toEqual([]);
      expect(importsOf(dir).length).toBeGreaterThan(0);
    });
});
