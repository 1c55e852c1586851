/**
 * Collect every benchmark's Markdown section (bench/results/*.md, written by bench/<name>.ts) into BENCHMARKS.md.
 * Run after the benchmarks: `npx tsx bench/collect.ts`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'bench', 'results');
const order = ['summary', 'store', 'ais-decode', 'ais-import', 'screening', 'maritime', 'crypto'];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.md'))
  .sort((a, b) => {
    const ia = order.indexOf(a.replace(/\.md$/, ''));
    const ib = order.indexOf(b.replace(/\.md$/, ''));
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
const cpus = os.cpus();
const header = `# Benchmarks

Measured on the project's reference machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}),
${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node.js ${process.version}. Each section is written by its script in
\`bench/\` (run \`npx tsx bench/<name>.ts\`, then \`npx tsx bench/collect.ts\`), with the reference tool's figure
beside ours where one exists. Tests never assert these times; they are measured here.
`;
const body = files.map((f) => readFileSync(path.join(dir, f), 'utf8').trim()).join('\n\n');
writeFileSync(path.join(root, 'BENCHMARKS.md'), `${header}\n${body}\n`);
process.stdout.write(`BENCHMARKS.md: ${files.length} sections (${files.join(', ')})\n`);
