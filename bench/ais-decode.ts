/**
 * AIS decode throughput, whole process, side by side with gpsd's `gpsdecode -j` on the same input: the DMA
 * stream example repeated to about one million sentences, output to a file. Also the peak memory of our decoder
 * at 1× and 5× that input (streamed through stdin), to show it stays flat; with `--10gb`, also on 10 GB of it
 * streamed through stdin (about 4 minutes more).
 *
 * Run: npx tsx bench/ais-decode.ts [--10gb]   →  bench/results/ais-decode.md
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'wk-ais-bench-'));
const dma = readFileSync(path.join(root, 'data', 'ais', 'nmea', 'dma-aislib_stream_example.txt'));
const sentencesPerCopy = dma
  .toString('latin1')
  .split('\n')
  .filter((l) => l.startsWith('!')).length;
const copies = Math.round(1_000_000 / sentencesPerCopy);
const input = path.join(tmp, 'dma-x.nmea');
{
  const ws = createWriteStream(input);
  for (let i = 0; i < copies; i++) if (!ws.write(dma)) await once(ws, 'drain');
  ws.end();
  await once(ws, 'finish');
}
const sentences = copies * sentencesPerCopy;

// Our CLI bundled (what `npm run build` + bin/watchkeeper.js run, without tsx on the hot path). Code splitting keeps
// the CLI's lazy command-group imports lazy, as in the tsc build: without it esbuild hoists every external package
// (DuckDB, Fastify, viem, Playwright, ...) to the top of one file and `ais decode` would load them all.
// One level below the root, like src/: src/version.ts reads "../package.json" relative to its module. Removed at the end.
const bundleDir = path.join(root, '.ais-bench-cli');
const bundle = path.join(bundleDir, 'entry.js');
const entry = path.join(tmp, 'entry.mjs');
writeFileSync(
  entry,
  `import { main } from ${JSON.stringify(path.join(root, 'src', 'cli', 'main.ts'))};\nprocess.exitCode = await main(process.argv);\n`,
);
// The decoder alone in a process: exactly what `ais decode FILE` runs, without loading the rest of the CLI.
const lean = path.join(root, 'bench', '.ais-decode-lean.mjs');
const leanEntry = path.join(tmp, 'lean.mjs');
writeFileSync(
  leanEntry,
  `import { decodeToStream } from ${JSON.stringify(path.join(root, 'src', 'maritime', 'ais', 'stream.ts'))};\n` +
    `import { openMaybeGzip } from ${JSON.stringify(path.join(root, 'src', 'maritime', 'ais', 'stream.ts'))};\n` +
    'await decodeToStream(await openMaybeGzip(process.argv[2]), process.stdout, {});\n',
);
const esbuild = await import('esbuild');
const common = { bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' } as const;
await esbuild.build({
  ...common,
  entryPoints: [entry],
  outdir: bundleDir,
  splitting: true,
  outExtension: { '.js': '.js' },
});
await esbuild.build({ ...common, entryPoints: [leanEntry], outfile: lean });

interface Run {
  wallS: number;
  cpuS: number;
  maxRssMb: number;
  lines: number;
}
function timed(shell: string): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'sh', '-c', shell], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${shell}: exit ${r.status}: ${r.stderr}`);
  const last = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallS: last[0]!, cpuS: last[1]! + last[2]!, maxRssMb: last[3]! / 1024, lines: 0 };
}
const countLines = (f: string) => readFileSync(f, 'latin1').split('\n').length - 1;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const oursOut = path.join(tmp, 'ours.jsonl');
const gpsdOut = path.join(tmp, 'gpsd.jsonl');
const ours: Run[] = [];
const oursLean: Run[] = [];
const gpsd: Run[] = [];
const load0 = os.loadavg()[0]!;
const startup = timed(`${process.execPath} ${bundle} ais decode /dev/null --quiet > /dev/null`);
const RUNS = 5;
for (let i = 0; i < RUNS; i++) {
  gpsd.push(timed(`gpsdecode -j < ${input} > ${gpsdOut}`));
  ours.push(timed(`${process.execPath} ${bundle} ais decode ${input} --quiet > ${oursOut}`));
  oursLean.push(timed(`${process.execPath} ${lean} ${input} > ${oursOut}.lean`));
}
const load1 = os.loadavg()[0]!;
const oursLines = countLines(oursOut);
const gpsdLines = countLines(gpsdOut);

// Memory: 1× and 5× the input through stdin.
const mem1 = timed(`cat ${input} | ${process.execPath} ${bundle} ais decode - --quiet > /dev/null`);
const mem5 = timed(
  `cat ${input} ${input} ${input} ${input} ${input} | ${process.execPath} ${bundle} ais decode - --quiet > /dev/null`,
);
// 10 GB through stdin (the input repeated; nothing written to disk), only when asked for.
const copies10 = Math.ceil(10e9 / statSync(input).size);
const mem10 = process.argv.includes('--10gb')
  ? timed(
      `for i in $(seq ${copies10}); do cat ${input}; done | ${process.execPath} ${bundle} ais decode - --quiet > /dev/null`,
    )
  : null;

const w = {
  ours: median(ours.map((r) => r.wallS)),
  lean: median(oursLean.map((r) => r.wallS)),
  gpsd: median(gpsd.map((r) => r.wallS)),
};
const c = {
  ours: median(ours.map((r) => r.cpuS)),
  lean: median(oursLean.map((r) => r.cpuS)),
  gpsd: median(gpsd.map((r) => r.cpuS)),
};
const sameOutput = readFileSync(oursOut).equals(readFileSync(`${oursOut}.lean`));
const mb = (statSync(input).size / 2 ** 20).toFixed(0);
const fmt = (n: number) => n.toLocaleString('en-US');
const md = `## AIS decode (bench/ais-decode.ts)

Measured ${new Date().toISOString().slice(0, 16)}Z on ${os.cpus().length} cores; load average ${load0.toFixed(1)} before / ${load1.toFixed(1)} after
(the machine is shared with other builds: wall-clock figures are noisy, CPU seconds less so). Input: the DMA stream
example repeated ${copies}× = ${fmt(sentences)} AIVDM/AIVDO sentences (${mb} MB, with the $PGHP lines), decoded to
gpsd JSON in a file. Whole process, median of ${RUNS} alternating runs. Reference: gpsd ${(() => {
  const v = spawnSync('gpsdecode', ['-V'], { encoding: 'utf8' });
  return `${v.stdout}${v.stderr}`.trim().replace('gpsdecode revision ', '');
})()} \`gpsdecode -j\`.

| decoder | messages out | wall | CPU (user+sys) | sentences/s (wall) | peak RSS |
|---|---|---|---|---|---|
| watchkeeper \`ais decode\` (full CLI) | ${fmt(oursLines)} | ${w.ours.toFixed(2)} s | ${c.ours.toFixed(2)} s | ${fmt(Math.round(sentences / w.ours))} | ${median(ours.map((r) => r.maxRssMb)).toFixed(0)} MB |
| watchkeeper decoder process (no CLI start-up) | ${fmt(oursLines)} | ${w.lean.toFixed(2)} s | ${c.lean.toFixed(2)} s | ${fmt(Math.round(sentences / w.lean))} | ${median(oursLean.map((r) => r.maxRssMb)).toFixed(0)} MB |
| gpsdecode -j | ${fmt(gpsdLines)} | ${w.gpsd.toFixed(2)} s | ${c.gpsd.toFixed(2)} s | ${fmt(Math.round(sentences / w.gpsd))} | ${median(gpsd.map((r) => r.maxRssMb)).toFixed(0)} MB |

**Ratio (gpsdecode ÷ ours), full CLI: ${(w.gpsd / w.ours).toFixed(2)}× by wall clock, ${(c.gpsd / c.ours).toFixed(2)}× by CPU time;
decoder process: ${(w.gpsd / w.lean).toFixed(2)}× by wall clock, ${(c.gpsd / c.lean).toFixed(2)}× by CPU time** (target ≥ 2×).
The full CLI spends ${startup.wallS.toFixed(2)} s wall / ${startup.cpuS.toFixed(2)} s CPU just starting (\`ais decode\` loads only the
\`ais\` command group and the decoder: no store, DuckDB or Fastify code); the decoder process runs the
same \`decodeToStream\` as \`ais decode\` and its output is ${sameOutput ? 'byte-identical' : 'NOT identical'}.
We print more messages: gpsd 3.22 drops sentences from talkers it does not know (\`!BYVDM\`, \`!SSVDM\`, \`!--VDM\`).

Memory stays flat (streaming): peak RSS ${mem1.maxRssMb.toFixed(0)} MB for ${fmt(sentences)} sentences from stdin,
${mem5.maxRssMb.toFixed(0)} MB for ${fmt(sentences * 5)}${
  mem10
    ? `, ${mem10.maxRssMb.toFixed(0)} MB for ${fmt(sentences * copies10)} (${((statSync(input).size * copies10) / 1e9).toFixed(1)} GB, decoded in ${mem10.wallS.toFixed(0)} s)`
    : ''
}.
`;
writeFileSync(path.join(root, 'bench', 'results', 'ais-decode.md'), md);
process.stdout.write(md);
rmSync(bundleDir, { recursive: true, force: true });
rmSync(lean, { force: true });
rmSync(tmp, { recursive: true, force: true });
