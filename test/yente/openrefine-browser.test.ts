import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { judgePair } from '../../src/resolve/judge.js';
import type { Store } from '../../src/store/store.js';
import { fixtureListStore } from '../screening/helpers.js';

/**
 * OpenRefine adds a reconciliation service from the browser: a page on one origin talks to the service on another.
 * A tiny page on a second local port runs that flow (manifest by CORS and by JSONP, reconcile, suggest, preview,
 * extend) in headless Chromium. Queries and extension go as GET `?queries=` / `?extend=` (spec 0.2): the server's
 * guard refuses any cross-site browser POST (src/api/auth/hook.ts), and OpenRefine sends its POSTs from its own
 * server, without an Origin (tested in test/screening/api.test.ts).
 */

const PAGE = `<!doctype html><html><body><script>
async function flow(service) {
  const out = {};
  const manifest = await (await fetch(service)).json();
  out.manifest = manifest;
  out.jsonp = await new Promise((resolve, reject) => {
    window.gotManifest = resolve;
    const s = document.createElement('script');
    s.src = service + '?callback=gotManifest';
    s.onerror = reject;
    document.head.appendChild(s);
  });
  const queries = { q0: { query: 'Choe Chun Sik', type: 'Person', limit: 5 }, q1: { query: 'KIM Jong Un', type: 'Person' } };
  out.reconcile = await (await fetch(service + '?queries=' + encodeURIComponent(JSON.stringify(queries)))).json();
  const sg = manifest.suggest.entity;
  out.suggest = await (await fetch(sg.service_url + sg.service_path + '?prefix=' + encodeURIComponent('Korea Min'))).json();
  const id = out.reconcile.q0.result[0].id;
  const previewUrl = manifest.preview.url.replace('{{id}}', encodeURIComponent(id));
  out.preview = await (await fetch(previewUrl)).text();
  out.view = manifest.view.url.replace('{{id}}', id);
  const extend = { ids: [id, 'ofac-20157'], properties: [{ id: 'birthDate' }, { id: 'nationality' }] };
  out.extend = await (await fetch(service + '?extend=' + encodeURIComponent(JSON.stringify(extend)))).json();
  // OpenRefine shows the preview in an iframe: it must load framed by another origin.
  out.framed = await new Promise((resolve) => {
    const f = document.createElement('iframe');
    f.onload = () => resolve(true);
    f.src = previewUrl;
    document.body.appendChild(f);
  });
  return out;
}
</script></body></html>`;

describe('OpenRefine browser flow from another origin (headless Chromium)', () => {
  let store: Store;
  let app: FastifyInstance;
  let pageServer: Server;
  let browser: Browser;
  let apiUrl: string;
  let pageUrl: string;

  beforeAll(async () => {
    store = await fixtureListStore('openrefine');
    await judgePair(store, 'ofac-19498', 'un-kpi-013', 'positive', { author: 'test', reason: 'same DOB, SANS' });
    app = await buildServer({ store, logLevel: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    pageServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    // "localhost" vs "127.0.0.1" and another port: a different origin.
    pageUrl = `http://localhost:${(pageServer.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pageServer?.close(resolve));
    await app?.close();
    await store?.close();
  });

  it('manifest, reconcile, suggest, preview and extend work cross-origin', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') failures.push(m.text());
    });
    await page.goto(pageUrl);
    // Errors thrown in the page are re-thrown as plain messages (their stacks name the page URL, not a file).
    const out = (await page.evaluate(`flow(${JSON.stringify(`${apiUrl}/reconcile/default`)})`).catch((err: Error) => {
      throw new Error(`in the page: ${err.message.split('\n')[0]}`);
    })) as Record<
      string,
      // biome-ignore lint/suspicious/noExplicitAny: the page's JSON, checked below
      any
    >;
    expect(failures).toEqual([]);
    expect(out.manifest.versions).toEqual(['0.2']);
    expect(out.manifest.identifierSpace).toBe('https://watchkeeper.dev/ns/entity/');
    expect(out.jsonp).toEqual(out.manifest);
    // One candidate per canonical entity: the UN and OFAC Choe Chun Sik (judged the same) are one.
    const q0 = out.reconcile.q0.result as Array<{ id: string }>;
    expect(q0[0]!.id).toMatch(/^wk-/);
    expect(q0.filter((r) => ['un-kpi-013', 'ofac-19498'].includes(r.id))).toEqual([]);
    expect(new Set(q0.map((r) => r.id)).size).toBe(q0.length);
    expect(out.reconcile.q1.result[0]).toMatchObject({ id: 'ofac-20157', match: true });
    expect(out.suggest.result.map((r: { id: string }) => r.id)).toContain('un-kpe-001');
    expect(out.preview).toContain('CHOE');
    expect(out.preview).toContain('1954-10-12');
    expect(out.view).toBe(`${apiUrl}/entity/${q0[0]!.id}`);
    expect(out.extend.rows[q0[0]!.id].birthDate).toEqual([{ str: '1954-10-12' }]);
    expect(out.extend.rows['ofac-20157'].birthDate).toEqual([{ str: '1984-01-08' }]);
    const framed = await app.inject({ method: 'GET', url: `/reconcile/default/preview?id=${q0[0]!.id}` });
    expect(framed.headers['x-frame-options']).toBeUndefined();
    expect(framed.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(out.framed).toBe(true);
    // The HTML entity page answers (the web UI's client route).
    expect((await app.inject({ method: 'GET', url: `/entity/${q0[0]!.id}` })).statusCode).toBe(200);
    await page.close();
  }, 120_000);
});
