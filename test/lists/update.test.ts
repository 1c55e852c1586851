import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSources, updateLists } from '../../src/lists/update.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * A local HTTP server standing in for the UN and OFAC download sites: serves the bundled files with ETag and
 * Last-Modified, answers conditional requests with 304, and can be switched to 500 or to a malformed file.
 */
interface Served {
  body: Buffer;
  mode: 'ok' | 'error' | 'broken' | 'empty';
}

describe('lists update against a local HTTP server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-update-'));
  const files = new Map<string, Served>();
  const requests: Array<{ url: string; status: number; ifNoneMatch?: string }> = [];
  let server: Server;
  let base = '';
  let store: Store;

  const unXml = readFileSync(dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'));
  const ofacSet = dataPath('sanctions', 'ofac', 'csv_set_2021-07-07');

  beforeAll(async () => {
    files.set('/un_sc/consolidated.xml', { body: unXml, mode: 'ok' });
    for (const f of ['sdn.csv', 'add.csv', 'alt.csv', 'sdn_comments.csv']) {
      files.set(`/us_ofac_sdn/${f}`, { body: readFileSync(path.join(ofacSet, f)), mode: 'ok' });
    }
    server = createServer((req, res) => {
      const f = files.get(req.url ?? '');
      const ifNoneMatch = req.headers['if-none-match'];
      const done = (status: number) => requests.push({ url: req.url ?? '', status, ifNoneMatch });
      if (!f) {
        res.writeHead(404).end();
        return done(404);
      }
      if (f.mode === 'error') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream broke');
        return done(500);
      }
      const body =
        f.mode === 'broken'
          ? f.body.subarray(0, Math.floor(f.body.length / 2))
          : f.mode === 'empty'
            ? Buffer.alloc(0)
            : f.body;
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      if (ifNoneMatch === etag) {
        res.writeHead(304, { etag }).end();
        return done(304);
      }
      res
        .writeHead(200, { etag, 'last-modified': 'Fri, 27 Feb 2026 00:00:09 GMT', 'content-length': body.length })
        .end(body);
      done(200);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    store = await openStore({ url: path.join(dir, 'update.duckdb') });
  });
  afterAll(async () => {
    await store?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const cache = path.join(dir, 'lists');

  it('resolves default, overridden and mirrored URLs', () => {
    const def = resolveSources({});
    expect(def.map((s) => s.source)).toEqual(['un_sc_sanctions', 'us_ofac_sdn']);
    expect(def[0]!.files['consolidated.xml']).toBe('https://scsanctions.un.org/resources/xml/en/consolidated.xml');
    const over = resolveSources({ sources: ['un_sc'], urls: { un_sc: 'http://mirror/un.xml' } });
    expect(over[0]!.files).toEqual({ 'consolidated.xml': 'http://mirror/un.xml' });
    const mirror = resolveSources({ sources: ['us_ofac_sdn'], baseUrl: 'http://m/' });
    expect(mirror[0]!.files['alt.csv']).toBe('http://m/us_ofac_sdn/alt.csv');
    expect(() => resolveSources({ sources: ['nope'] })).toThrow('unknown list source "nope"');
  });

  it('downloads and imports new versions (UN and the OFAC set)', async () => {
    const out = await updateLists(store, { dir: cache, baseUrl: base });
    expect(out.map((o) => [o.source, o.status, o.version])).toEqual([
      ['un_sc_sanctions', 'updated', 'un_sc@66b392a40908'],
      ['us_ofac_sdn', 'updated', 'us_ofac_sdn@702bba4bfa9c'],
    ]);
    expect(out[0]!.bytes).toBe(unXml.length);
    expect((await store.getListVersion('un_sc@66b392a40908'))?.url).toBe(`${base}/un_sc/consolidated.xml`);
  }, 120_000);

  it('sends the ETag back and imports nothing on 304', async () => {
    requests.length = 0;
    const out = await updateLists(store, { dir: cache, baseUrl: base });
    expect(out.map((o) => o.status)).toEqual(['not-modified', 'not-modified']);
    expect(requests.every((r) => r.status === 304 && r.ifNoneMatch)).toBe(true);
    expect(requests).toHaveLength(5);
    expect(await store.listVersions()).toHaveLength(2);
  });

  it('keeps the previous version when the server answers 500', async () => {
    files.get('/un_sc/consolidated.xml')!.mode = 'error';
    const [out] = await updateLists(store, { dir: cache, baseUrl: base, sources: ['un_sc'] });
    expect(out!.status).toBe('failed');
    expect(out!.message).toBe(
      `${base}/un_sc/consolidated.xml: HTTP 500 Internal Server Error; keeping un_sc@66b392a40908`,
    );
    expect((await store.currentVersions()).map((v) => v.id)).toContain('un_sc@66b392a40908');
  });

  it('keeps the previous version when the new file is malformed, naming file and line', async () => {
    files.get('/un_sc/consolidated.xml')!.mode = 'broken';
    const [out] = await updateLists(store, { dir: cache, baseUrl: base, sources: ['un_sc'] });
    expect(out!.status).toBe('failed');
    expect(out!.message).toMatch(/^consolidated\.xml:\d+: .*; keeping un_sc@66b392a40908$/);
    expect(await store.listVersions('un_sc')).toHaveLength(1);
    // The cached copy is still the good file, so the next 304 still has something to import from.
    expect(readFileSync(path.join(cache, 'un_sc', 'consolidated.xml')).length).toBe(unXml.length);
  });

  it('keeps the previous version when the source answers 200 with an empty body', async () => {
    files.get('/un_sc/consolidated.xml')!.mode = 'empty';
    const [out] = await updateLists(store, { dir: cache, baseUrl: base, sources: ['un_sc'] });
    expect(out!.status).toBe('failed');
    expect(out!.message).toBe(
      'consolidated.xml: empty file (0 bytes); refusing to import an empty list (use --allow-empty if the list ' +
        'really is empty); keeping un_sc@66b392a40908',
    );
    expect(await store.listVersions('un_sc')).toHaveLength(1);
    expect((await store.currentVersions()).map((v) => v.id)).toContain('un_sc@66b392a40908');
    expect(readFileSync(path.join(cache, 'un_sc', 'consolidated.xml')).length).toBe(unXml.length);
  });

  it('imports a shrunken list with a warning', async () => {
    // The UN list without its ENTITY entries: 730 of 1,003 records is not a large shrink; without most
    // INDIVIDUAL entries too it is.
    let n = 0;
    const shrunk = unXml
      .toString('utf8')
      .replace(/<ENTITY>[\s\S]*?<\/ENTITY>\s*/g, '')
      .replace(/<INDIVIDUAL>[\s\S]*?<\/INDIVIDUAL>\s*/g, (m) => (n++ < 300 ? m : ''));
    files.set('/un_sc/consolidated.xml', { body: Buffer.from(shrunk), mode: 'ok' });
    const [out] = await updateLists(store, { dir: cache, baseUrl: base, sources: ['un_sc'] });
    expect(out!.status).toBe('updated');
    expect(out!.warnings).toEqual([
      'consolidated.xml: 300 records, 70% fewer than the current un_sc_sanctions version un_sc@66b392a40908 (1,003 records); check the file is complete',
    ]);
    expect(out!.message).toMatch(/^300 records, [\d,]+ statements; warning: consolidated\.xml: 300 records, 70% fewer/);
    await store.deleteListVersion(out!.version!);
    files.set('/un_sc/consolidated.xml', { body: unXml, mode: 'ok' });
  }, 60_000);

  it('reports a connection failure without throwing', async () => {
    const [out] = await updateLists(store, {
      dir: cache,
      sources: ['un_sc'],
      urls: { un_sc: 'http://127.0.0.1:9/consolidated.xml' },
      timeoutMs: 5000,
    });
    expect(out!.status).toBe('failed');
    expect(out!.message).toMatch(/^http:\/\/127\.0\.0\.1:9\/consolidated\.xml: download failed/);
  });
});
