import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { chromium } from 'playwright-core';
import { buildServer } from '../../src/api/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../src/cases/pdf.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { copyDemoStore, type DemoSnapshot } from '../support/demo-store.js';

/**
 * End-to-end harness: a temp DuckDB store, the real server on loopback, the SPA built by Vite, and Debian's
 * Chromium driven by playwright-core with a fresh profile. Every request the page makes is recorded so tests can
 * prove it never leaves its own server.
 */

export const WEB_DIST = path.join(PACKAGE_ROOT, 'dist', 'web');
export const RESULTS = path.join(PACKAGE_ROOT, 'test-results', 'web');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Build the SPA when dist/web is missing or older than web/ (the same build `npm run build` runs). */
export async function ensureWebBuilt(): Promise<void> {
  const index = path.join(WEB_DIST, 'index.html');
  const web = path.join(PACKAGE_ROOT, 'web');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(web)) return;
  await buildWeb();
}

/**
 * `vite build` of the SPA as `npm run build` does it. Vitest sets NODE_ENV=test, which would make Vite bundle React's
 * development build (1.2 MB more, and slower): build as production, then put NODE_ENV back.
 */
export async function buildWeb(outDir?: string): Promise<void> {
  const { build } = await import('vite');
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: path.join(PACKAGE_ROOT, 'web', 'vite.config.ts'),
      logLevel: 'warn',
      ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}),
    });
  } finally {
    process.env.NODE_ENV = env;
  }
}

export interface Harness {
  dir: string;
  store: Store;
  app: FastifyInstance;
  base: string;
  browser: BrowserContext;
  page: Page;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serve a store in a real browser: a fresh DuckDB file, or a copy of a seeded demo snapshot (`from`), then `seed`
 * adds what the test needs on top.
 */
export async function startHarness(
  seed: (store: Store) => Promise<void>,
  opts: { from?: DemoSnapshot } = {},
): Promise<Harness> {
  await ensureWebBuilt();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wk-e2e-'));
  const file = path.join(dir, 'e2e.duckdb');
  if (opts.from) await copyDemoStore(opts.from, file);
  const store = await openStore({ url: file });
  await seed(store);
  const app = await buildServer({ store, logLevel: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  await mkdir(RESULTS, { recursive: true });
  const browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  const requests: string[] = [];
  browser.on('request', (r: Request) => {
    requests.push(r.url());
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  return {
    dir,
    store,
    app,
    base,
    browser,
    page,
    requests,
    async close() {
      await browser.close().catch(() => {});
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type { Browser };
