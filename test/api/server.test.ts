import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { type Finding, findingId } from '../../src/findings/finding.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { cliEntry } from '../support/cli.js';

describe('HTTP server', () => {
  let store: Store;
  let app: FastifyInstance;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-api-'));
    store = await openStore({ url: path.join(dir, 'api.duckdb') });
    const start = '2024-03-01T04:00:00.000Z';
    const finding: Finding = {
      id: findingId('ais.gap', ['ais-445123000'], start),
      kind: 'ais.gap',
      subjects: ['ais-445123000'],
      start,
      end: '2024-03-01T20:00:00.000Z',
      score: 0.8,
      redFlags: ['AIS_MANIPULATION'],
      explanation: 'No AIS position for 16.0 h, 80 nm from shore.',
      evidence: [{ source: 'test', record: 'line:1' }],
      params: { minGapH: 6 },
      vessels: [{ mmsi: 445123000, imo: null, name: 'TEST' }],
    };
    await store.putFindings([finding]);
    app = await buildServer({ store, logLevel: false });
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('answers /healthz with the store kind and version', async () => {
    const r = await app.inject({ url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok', store: 'duckdb', version: '0.1.0' });
  });

  it('serves the OpenAPI document and the docs page', async () => {
    const spec = (await app.inject({ url: '/docs/json' })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/healthz', '/findings', '/findings/{id}']));
    const page = await app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('returns stored findings with filters', async () => {
    const r = await app.inject({ url: '/findings?kind=ais.gap&subject=ais-445123000' });
    expect(r.statusCode).toBe(200);
    const body = r.json() as { total: number; results: Finding[] };
    expect(body.total).toBe(1);
    expect(body.results[0]).toMatchObject({ kind: 'ais.gap', score: 0.8, vessels: [{ mmsi: 445123000 }] });
    const none = (await app.inject({ url: '/findings?kind=ais.encounter' })).json() as { total: number };
    expect(none.total).toBe(0);
  });

  it('answers bad requests with JSON errors, never a stack trace', async () => {
    const bad = await app.inject({ url: '/findings?limit=abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'bad_request' });
    const missing = await app.inject({ url: '/findings/f-nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'no finding with id "f-nope"' });
    const junk = await app.inject({
      method: 'POST',
      url: '/findings',
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(junk.statusCode).toBeGreaterThanOrEqual(400);
    expect(junk.statusCode).toBeLessThan(500);
    expect(junk.body).not.toMatch(/\n\s+at /);
  });
});

describe('watchkeeper start', () => {
  it('binds 127.0.0.1, prints where to point a browser, serves /healthz and /docs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wk-start-'));
    const root = path.resolve(import.meta.dirname, '../..');
    const child = spawn(process.execPath, [...cliEntry(), '--db', path.join(dir, 's.duckdb'), 'start', '--no-seed'], {
      cwd: root,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /Open (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
      });
      const health = await fetch(`${url}/healthz`);
      expect(await health.json()).toMatchObject({ status: 'ok', store: 'duckdb' });
      const docs = await fetch(`${url}/docs/json`);
      expect(docs.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
