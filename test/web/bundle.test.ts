import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from './harness.js';

/**
 * The production build is split per page: the first script holds React and the app shell only, so a light page
 * (search, overview) paints without the graph library (cytoscape), the map code or the basemap. Built into a
 * temporary directory with the same config as `npm run build`.
 */

const out = mkdtempSync(path.join(os.tmpdir(), 'wk-web-bundle-'));
let entry = '';
let chunks: string[] = [];
const read = (f: string) => readFileSync(path.join(out, 'assets', f), 'utf8');

beforeAll(async () => {
  await buildWeb(out);
  const index = readFileSync(path.join(out, 'index.html'), 'utf8');
  entry = /<script type="module" crossorigin src="\/assets\/([^"]+\.js)"/.exec(index)?.[1] ?? '';
  chunks = readdirSync(path.join(out, 'assets')).filter((f) => f.endsWith('.js'));
}, 180_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe('the web bundle', () => {
  it('starts with a small first script without the graph library, the map or a development React', () => {
    expect(entry).toMatch(/^index-.*\.js$/);
    const size = statSync(path.join(out, 'assets', entry)).size;
    expect(size).toBeLessThan(300 * 1024);
    const js = read(entry);
    // (The entry names the other chunks for its dynamic imports; it must not hold their code.)
    expect(js).not.toContain('wheelSensitivity'); // a cytoscape option, in its code
    expect(js).not.toMatch(/import\s*[^(]*?["']\.\/cytoscape/); // nor import it statically
    expect(js).not.toContain('map-canvas');
    expect(js).not.toContain('react-dom-client.development');
    // The severity cut-offs and kind labels come from src/findings/kinds.ts, in the shell for every page.
    expect(js).toContain('Encounter (possible STS transfer)');
  });

  it('loads cytoscape and the map code in their own chunks, and the land as a JSON asset', () => {
    const cy = chunks.filter((f) => read(f).includes('wheelSensitivity') && f.startsWith('cytoscape'));
    expect(cy).toHaveLength(1);
    const map = chunks.filter((f) => read(f).includes('map-canvas'));
    expect(map).toHaveLength(1);
    expect(map[0]).not.toBe(entry);
    expect(readdirSync(path.join(out, 'assets')).some((f) => /^land-50m-.*\.json$/.test(f))).toBe(true);
  });
});
