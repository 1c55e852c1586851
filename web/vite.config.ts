import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web UI build: `vite build --config web/vite.config.ts` writes dist/web, which the API server serves at `/`.
 * JSX goes through Vite 8's built-in Oxc transform (automatic runtime), so no React plugin is needed. The world
 * basemap (world-atlas TopoJSON) is bundled as a JSON asset: the page never fetches anything from another host.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    target: 'es2022',
  },
  server: {
    proxy: Object.fromEntries(
      ['/healthz', '/findings', '/red-flags', '/workspace', '/cases', '/watchlist', '/alerts', '/match', '/search', '/entities', '/vessels', '/crypto', '/docs'].map(
        (p) => [p, 'http://127.0.0.1:8080'],
      ),
    ),
  },
});
