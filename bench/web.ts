/**
 * Web UI speed in a real browser (Debian Chromium, headless, through playwright-core): first contentful paint of the
 * search page on a cold cache, and the time from navigation to the map's first frame with tracks drawn, against a
 * store seeded with the demo's AIS data (the Yellow Sea simulation: about 400,000 positions, imported and detected
 * as `watchkeeper demo` does). The SPA is built by Vite into a temporary directory and served with the real API
 * server behind a small same-origin proxy, so the run neither reads nor writes dist/web.
 *
 * Writes bench/results/web.md. Run: npx tsx bench/web.ts [--runs N] [--label TEXT] [--store FILE.duckdb] [--trace]
 * [--compare DIR [--compare-label TEXT]]
 * --store keeps the seeded store there and reuses it on the next run. --compare DIR also serves another build of the
 * SPA (e.g. an older commit's, built with `vite build --outDir DIR`) against the same server and alternates the two
 * run by run, so both see the same machine load; the table then has a column for each.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CLIENT_ID_ROUTES, CLIENT_ROUTES } from '../src/api/routes/web.js';
import { buildServer } from '../src/api/server.js';
import { seedMaritimeDemo } from '../src/maritime/demo.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { openStore } from '../src/store/open.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 5);
const LABEL = arg('--label') ?? 'current';
const STORE = arg('--store');
const COMPARE = arg('--compare');
const COMPARE_LABEL = arg('--compare-label') ?? (COMPARE ? path.basename(COMPARE) : '');
const CHROMIUM = process.env.WATCHKEEPER_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const load0 = loadavg()[0]!;

const work = mkdtempSync(path.join(tmpdir(), 'wk-bench-web-'));
const webOut = path.join(work, 'web');

// 1. Build the SPA (the same config as `npm run build`) into the temporary directory.
{
  const t = performance.now();
  const { build } = await import('vite');
  await build({
    configFile: path.join(PACKAGE_ROOT, 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: webOut, emptyOutDir: true, sourcemap: false },
  });
  console.log(`built the SPA in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// 2. A store with the demo AIS data.
const dbFile = STORE ?? path.join(work, 'bench.duckdb');
const seeded = existsSync(dbFile);
const store = await openStore({ url: dbFile });
if (!seeded) {
  const t = performance.now();
  for (const line of await seedMaritimeDemo(store)) console.log(line);
  console.log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const positions = Number((await store.db.query<{ n: number }>('SELECT count(*) AS n FROM positions'))[0]?.n ?? 0);

// 3. The API server, and a proxy on one origin: built files and client routes from webOut, the rest to the API.
const app = await buildServer({ store, logLevel: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const apiAddr = app.server.address();
const apiPort = typeof apiAddr === 'object' && apiAddr ? apiAddr.port : 0;
/** The build the proxy serves now (switched between runs with --compare). */
let webRoot = webOut;
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};
const proxy = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname;
  const file = path.join(webRoot, path.normalize(p));
  if (p !== '/' && file.startsWith(webRoot) && existsSync(file) && !file.endsWith(path.sep)) {
    try {
      const body = readFileSync(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'public, max-age=86400, immutable',
      });
      res.end(body);
      return;
    } catch {
      // a directory: fall through
    }
  }
  if (p === '/' || CLIENT_ROUTES.includes(p) || CLIENT_ID_ROUTES.some((r) => p.startsWith(`${r}/`))) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(readFileSync(path.join(webRoot, 'index.html')));
    return;
  }
  const up = http.request(
    { host: '127.0.0.1', port: apiPort, path: req.url, method: req.method, headers: req.headers },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const pAddr = proxy.address();
const base = `http://127.0.0.1:${typeof pAddr === 'object' && pAddr ? pAddr.port : 0}`;

// 4. Chromium: a fresh context (empty cache) per measurement.
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });

interface Sample {
  ms: number;
  scriptKb: number;
  dataKb: number;
  points?: number;
}

/** Bytes of the scripts and of the API responses the page fetched (encoded body sizes, from Resource Timing). */
const bytesScript = `(() => {
  let script = 0, data = 0;
  for (const e of performance.getEntriesByType('resource')) {
    if (e.initiatorType === 'script' || /\\.js(\\?|$)/.test(e.name)) script += e.encodedBodySize;
    else if (e.initiatorType === 'fetch' || e.initiatorType === 'xmlhttprequest') data += e.encodedBodySize;
  }
  return { script, data };
})()`;

async function searchFcp(): Promise<Sample> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/search`, { waitUntil: 'load' });
  const ms = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const e = list.getEntries().find((x) => x.name === 'first-contentful-paint');
          if (e) resolve(e.startTime);
        }).observe({ type: 'paint', buffered: true });
      }),
  );
  const b = (await page.evaluate(bytesScript)) as { script: number; data: number };
  await ctx.close();
  return { ms, scriptKb: b.script / 1024, dataKb: b.data / 1024 };
}

async function mapDrawn(): Promise<Sample> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  // Record the first map frame that drew tracks (MapCanvas sets data-frames / data-points after each frame);
  // __wkMapFlush makes the frame read back a pixel, so the time includes rasterising it.
  await page.addInitScript(() => {
    const w = window as unknown as { __wkMapFlush: boolean; __tracksDrawn?: { ms: number; points: number } };
    w.__wkMapFlush = true;
    new MutationObserver(() => {
      if (w.__tracksDrawn) return;
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-testid=map-canvas]');
      const points = Number(c?.dataset.points ?? 0);
      if (c?.dataset.frames && points > 0) w.__tracksDrawn = { ms: performance.now(), points };
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-frames'] });
  });
  await page.goto(`${base}/map`);
  const drawn = (await (
    await page.waitForFunction(() => (window as unknown as { __tracksDrawn?: unknown }).__tracksDrawn, null, {
      timeout: 120_000,
      polling: 50,
    })
  ).jsonValue()) as { ms: number; points: number };
  const b = (await page.evaluate(bytesScript)) as { script: number; data: number };
  if (process.argv.includes('--trace')) {
    const entries = (await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => [
          e.name.replace(/^https?:\/\/[^/]+/, ''),
          Math.round(e.startTime),
          Math.round((e as PerformanceResourceTiming).responseEnd),
        ]),
    )) as Array<[string, number, number]>;
    for (const [name, t0, t1] of entries)
      console.log(`  ${String(t0).padStart(5)} → ${String(t1).padStart(5)} ms ${name}`);
    console.log(`  drawn at ${drawn.ms.toFixed(0)} ms`);
  }
  await ctx.close();
  return { ms: drawn.ms, scriptKb: b.script / 1024, dataKb: b.data / 1024, points: drawn.points };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// One warm-up of each (Chromium's own start-up costs; the server's first tracks answer), then alternate.
const builds = COMPARE ? [COMPARE, webOut] : [webOut];
const fcp = new Map<string, Sample[]>(builds.map((b) => [b, []]));
const map = new Map<string, Sample[]>(builds.map((b) => [b, []]));
for (const b of builds) {
  webRoot = b;
  await searchFcp();
  await mapDrawn();
}
for (let i = 0; i < RUNS; i++) {
  for (const b of builds) {
    webRoot = b;
    const a = await searchFcp();
    const m = await mapDrawn();
    fcp.get(b)!.push(a);
    map.get(b)!.push(m);
    console.log(
      `run ${i + 1}${COMPARE ? ` (${b === COMPARE ? COMPARE_LABEL : LABEL})` : ''}: search FCP ${a.ms.toFixed(0)} ms, map tracks drawn ${m.ms.toFixed(0)} ms`,
    );
  }
}
await browser.close();
proxy.close();
await app.close();
await store.close();
if (!STORE) rmSync(work, { recursive: true, force: true });
else rmSync(webOut, { recursive: true, force: true });

const f = (xs: Sample[]) =>
  `${median(xs.map((x) => x.ms)).toFixed(0)} (best ${Math.min(...xs.map((x) => x.ms)).toFixed(0)})`;
const cell = (xs: Sample[], what: 'fcp' | 'map') =>
  `${f(xs)} ms; ${xs[0]!.scriptKb.toFixed(0)} KB script, ${xs[0]!.dataKb.toFixed(0)} KB data${what === 'map' ? `, ${(xs[0]!.points ?? 0).toLocaleString('en-US')} positions drawn` : ''}`;
const lines = [
  `## Web UI speed (bench/web.ts)${COMPARE ? `: ${COMPARE_LABEL} against ${LABEL}` : `, ${LABEL}`}`,
  '',
  `${new Date().toISOString().slice(0, 10)}; headless Chromium (${path.basename(CHROMIUM)}, --disable-gpu), cold cache per run, ${RUNS} runs after a warm-up${COMPARE ? ', the builds alternating run by run' : ''}; ${cpus().length} cores, load average ${load0.toFixed(1)} at the start. Store: the demo's AIS data, ${positions.toLocaleString('en-US')} positions. Median (best).`,
  '',
  `| measure | target | ${builds.map((b) => (b === COMPARE ? COMPARE_LABEL : LABEL)).join(' | ')} |`,
  `|---|---:|${builds.map(() => '---|').join('')}`,
  `| search page: first contentful paint | < 300 ms | ${builds.map((b) => cell(fcp.get(b)!, 'fcp')).join(' | ')} |`,
  `| map: navigation → first frame with tracks | < 1000 ms | ${builds.map((b) => cell(map.get(b)!, 'map')).join(' | ')} |`,
  '',
];
const out = path.join(import.meta.dirname, 'results', 'web.md');
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
