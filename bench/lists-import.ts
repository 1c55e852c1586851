/**
 * Sanctions list import speed: parse time per bundled list (pure importer, file → FtM entities) and the full
 * import into a fresh DuckDB store (parse + one atomic addListVersion). Reference figures: Python's C-backed
 * parsers reading the same files (csv module for OFAC, xml.etree iterparse/expat for UN) with no mapping at all,
 * i.e. a floor for "just reading the bytes". Writes bench/results/lists-import.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { countryCode } from '../src/ingest/countries.js';
import { parseCsv } from '../src/ingest/csv.js';
import { parseEuYaml } from '../src/ingest/eu-yaml.js';
import { ofacFilesIn, parseOfacCsv } from '../src/ingest/ofac-csv.js';
import { parseUkYaml } from '../src/ingest/uk-yaml.js';
import { parseUnXml } from '../src/ingest/un-xml.js';
import { importList } from '../src/lists/import.js';
import { dataPath } from '../src/paths.js';
import { openStore } from '../src/store/open.js';

const UN = dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml');
const OFAC24 = dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv');
const OFAC21 = dataPath('sanctions', 'ofac', 'csv_set_2021-07-07');
const EU = dataPath('sanctions', 'eu', 'eu_fsf_dprk_PRK_2026-05-01.yaml');
const UK = dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml');

async function best<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let ms = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = await fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, value: value! };
}

function python(code: string): number | undefined {
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return Number(r.stdout.trim());
}

countryCode('warm up'); // load the territory table once, outside the timings
const rows: string[] = [];
const parsers: Array<[string, () => Promise<{ stats: { records: number }; entities: unknown[] }>]> = [
  ['UN XML 2026-02-27', () => parseUnXml(UN)],
  ['OFAC sdn.csv 2024-05-03', () => parseOfacCsv(OFAC24)],
  ['OFAC CSV set 2021-07-07', () => parseOfacCsv(ofacFilesIn(OFAC21)!)],
  ['EU DPRK YAML', () => parseEuYaml(EU)],
  ['UK DPRK YAML', () => parseUkYaml(UK)],
];
for (const [name, fn] of parsers) {
  const { ms, value } = await best(3, fn);
  rows.push(
    `| parse ${name} | ${value.stats.records.toLocaleString('en-US')} | ${value.entities.length.toLocaleString('en-US')} | ${ms.toFixed(0)} ms | ${Math.round(value.stats.records / (ms / 1000)).toLocaleString('en-US')} |`,
  );
}

const dir = mkdtempSync(path.join(tmpdir(), 'wk-bench-lists-'));
const store = await openStore({ url: path.join(dir, 'bench.duckdb') });
const t0 = performance.now();
const un = await importList(store, UN);
const tUn = performance.now() - t0;
const t1 = performance.now();
const ofac = await importList(store, OFAC24);
const tOfac = performance.now() - t1;
await store.close();
rmSync(dir, { recursive: true, force: true });
rows.push(
  `| import UN into DuckDB | ${un.version.recordCount.toLocaleString('en-US')} | ${un.version.statementCount.toLocaleString('en-US')} statements | ${tUn.toFixed(0)} ms | ${Math.round(un.version.statementCount / (tUn / 1000)).toLocaleString('en-US')} statements/s |`,
  `| import OFAC 2024 into DuckDB | ${ofac.version.recordCount.toLocaleString('en-US')} | ${ofac.version.statementCount.toLocaleString('en-US')} statements | ${tOfac.toFixed(0)} ms | ${Math.round(ofac.version.statementCount / (tOfac / 1000)).toLocaleString('en-US')} statements/s |`,
);

// The CSV reader alone, on the decoded text (no mapping), against Python's C csv module.
const text = new TextDecoder('windows-1252').decode(await import('node:fs').then((fs) => fs.readFileSync(OFAC24)));
const csv = await best(5, async () => parseCsv(text).length);
const pyCsv = python(
  `import csv,time\nt=time.perf_counter()\nwith open(${JSON.stringify(OFAC24)},encoding='cp1252',newline='') as f: n=sum(1 for _ in csv.reader(f))\nprint((time.perf_counter()-t)*1000)`,
);
const pyXml = python(
  `import time\nimport xml.etree.ElementTree as ET\nt=time.perf_counter()\nn=0\nfor ev,el in ET.iterparse(${JSON.stringify(UN)}):\n  n+=1\n  el.clear()\nprint((time.perf_counter()-t)*1000)`,
);
rows.push(
  `| CSV reader only, OFAC 2024 sdn.csv | ${csv.value.toLocaleString('en-US')} | | ${csv.ms.toFixed(0)} ms | |`,
);

const md = [
  '## Sanctions list import (bench/lists-import.ts)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (${cpus().length} cores shared with other jobs, load average ${loadavg()[0]!.toFixed(1)} at the end; best of 3 for parses).`,
  '',
  '| step | records | entities | time | records/s |',
  '|---|---|---|---|---|',
  ...rows,
  '',
  'Reference (Python 3 C parsers reading the same files, no mapping to entities):',
  '',
  `- csv.reader over OFAC 2024 sdn.csv (cp1252): ${pyCsv === undefined ? 'python3 not available' : `${pyCsv.toFixed(0)} ms`} (our CSV reader: ${csv.ms.toFixed(0)} ms)`,
  `- xml.etree.ElementTree.iterparse (expat) over the UN XML: ${pyXml === undefined ? 'python3 not available' : `${pyXml.toFixed(0)} ms`} (our UN importer, parse and map: see above)`,
  '',
].join('\n');
writeFileSync(path.join(import.meta.dirname, 'results', 'lists-import.md'), md);
process.stdout.write(md);
