import { createWriteStream, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { importNmeaFile } from '../ingest/ais-nmea.js';
import { storeDataDir } from '../store/data-dir.js';
import type { Store } from '../store/store.js';
import { detectStore } from './detect.js';
import { nmeaLines, simulate } from './simulate/generate.js';

/** The demo scenario: the Yellow Sea simulation with every injected evasion pattern, fixed seed. */
export const DEMO_SCENARIO = { name: 'yellow-sea', seed: 2024, hours: 72, start: '2024-03-01T00:00:00Z' } as const;

/**
 * Simulate the demo scenario, write it as NMEA with tag-block times, import it through the AIS importer (so the
 * demo exercises the real decoder and tables) and run the detectors. Returns one line per thing loaded.
 *
 * The NMEA file is kept in the store's data directory (`<data dir>/demo/`, next to a DuckDB file), as an imported
 * file would be: a finding's evidence resolves to its raw sentences there (file, sha256, line, tag block), so a
 * case built on the demo quotes them in its report and bundle.
 */
export async function seedMaritimeDemo(store: Store): Promise<string[]> {
  const sim = simulate(DEMO_SCENARIO.name, DEMO_SCENARIO.seed, {
    start: DEMO_SCENARIO.start,
    hours: DEMO_SCENARIO.hours,
  });
  const dir = path.join(storeDataDir(store.db), 'demo');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `demo-${DEMO_SCENARIO.name}-${DEMO_SCENARIO.seed}.nmea`);
  // Written beside and renamed into place: an earlier demo file at that path (the same bytes) is never half-written.
  const tmp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(tmp);
  let buf: string[] = [];
  for (const line of nmeaLines(sim)) {
    buf.push(line);
    if (buf.length >= 10_000) {
      if (!out.write(`${buf.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = [];
    }
  }
  if (buf.length) out.write(`${buf.join('\n')}\n`);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(tmp, file);
  const imported = await importNmeaFile(store, file);
  const r = await detectStore(store, {});
  const injected = sim.scenario.truth.filter((t) => t.injected).length;
  return [
    `simulated ${DEMO_SCENARIO.name} (seed ${DEMO_SCENARIO.seed}, ${DEMO_SCENARIO.hours} h): ${sim.scenario.vessels.length} vessels, ${injected} injected evasion events`,
    `imported ${imported.positions.toLocaleString('en-US')} AIS positions (${imported.importId})`,
    `detected ${r.findings.length} maritime findings`,
  ];
}
