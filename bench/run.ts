/** Run every benchmark in bench/ one after another, then collect BENCHMARKS.md. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'collect.ts'].includes(f) && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));
for (const b of benches) {
  process.stdout.write(`\n== ${b} ==\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, b)], { stdio: 'inherit' });
  if (r.status !== 0) process.stdout.write(`${b} failed with exit ${r.status}\n`);
}
spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, 'collect.ts')], { stdio: 'inherit' });
