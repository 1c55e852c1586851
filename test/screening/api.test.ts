import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import * as AjvModule from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { dataPath } from '../../src/paths.js';
import type { Store } from '../../src/store/store.js';
import { fixtureListStore } from './helpers.js';

// ajv and ajv-formats are CommonJS with `exports.default`: under NodeNext the default import is the module object.
const Ajv = AjvModule.Ajv;
const addFormats = addFormatsModule.default as unknown as (ajv: InstanceType<typeof AjvModule.Ajv>) => void;

const RECON = dataPath('sanctions', 'reconciliation-api', '0.2');

/** The W3C reconciliation 0.2 JSON schemas, compiled with ajv (the spec repo's own test.sh uses ajv too). */
function reconciliationValidators(): Record<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
  addFormats(ajv);
  // manifest.json refers to Swagger 2.0's securityDefinitions; a faithful subset of that definition.
  ajv.addSchema({
    $id: 'http://swagger.io/v2/schema.json',
    definitions: {
      securityDefinitions: {
        additionalProperties: {
          type: 'object',
          required: ['type'],
          properties: { type: { enum: ['basic', 'apiKey', 'oauth2'] } },
          oneOf: [
            { properties: { type: { const: 'basic' } } },
            { properties: { type: { const: 'apiKey' } }, required: ['name', 'in'] },
            { properties: { type: { const: 'oauth2' } }, required: ['flow'] },
          ],
        },
      },
    },
  });
  const dir = path.join(RECON, 'schemas');
  const out: Record<string, ValidateFunction> = {};
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'openapi.json');
  for (const f of files) {
    const schema = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    ajv.addSchema(schema, f);
  }
  for (const f of files) out[f.replace(/\.json$/, '')] = ajv.getSchema(f)!;
  return out;
}

function examples(name: string, kind: 'valid' | 'invalid'): Array<[string, unknown]> {
  const dir = path.join(RECON, 'examples', name, kind);
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8'))]);
}

describe('screening API', () => {
  let store: Store;
  let app: FastifyInstance;
  let v: Record<string, ValidateFunction>;

  beforeAll(async () => {
    v = reconciliationValidators();
    store = await fixtureListStore('screening');
    app = await buildServer({ store, logLevel: false });
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('POST /match/{dataset}: yente-style batch with scores, match flags and explanations', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/match/default?limit=3',
      payload: {
        queries: {
          hangul: { schema: 'Person', properties: { name: ['최춘식'] } },
          kju: { schema: 'Person', properties: { name: ['KIM Jongun'], birthDate: ['1984-01-08'] } },
          ship: { schema: 'Vessel', properties: { imoNumber: ['IMO 7937317'] } },
        },
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.limit).toBe(3);
    expect(body.threshold).toBe(0.7);
    const hangul = body.responses.hangul.results;
    expect(hangul.filter((r: { match: boolean }) => r.match).map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(['un-kpi-013', 'ofac-19498']),
    );
    expect(hangul[0].explanations.name_similarity.detail).toContain('최춘식');
    const kju = body.responses.kju.results[0];
    expect(kju).toMatchObject({ id: 'ofac-20157', caption: 'KIM, Jong Un', match: true });
    expect(kju.features.birth_date_match).toBe(1);
    expect(body.responses.ship.results[0]).toMatchObject({ id: 'ofac-17069', score: 0.9, match: true });
  });

  it('POST /match/{dataset}: a dataset restricts the lists searched', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/match/un_sc',
      payload: { queries: { q: { schema: 'Person', properties: { name: ['Choe Chun Sik'] } } } },
    });
    const results = res.json().responses.q.results as Array<{ datasets: string[] }>;
    expect(results.length).toBeGreaterThan(0);
    // Datasets answer under their OpenSanctions names; the old name is an alias in the URL.
    expect(results.every((r) => r.datasets.includes('un_sc_sanctions'))).toBe(true);
    const viaNew = await app.inject({
      method: 'POST',
      url: '/match/un_sc_sanctions',
      payload: { queries: { q: { schema: 'Person', properties: { name: ['Choe Chun Sik'] } } } },
    });
    expect(viaNew.json().responses.q.results.map((r: { id: string }) => r.id)).toEqual(
      results.map((r) => (r as unknown as { id: string }).id),
    );
  });

  it('POST /match/{dataset}: per-request weights override the declared ones (yente `weights`)', async () => {
    const query = { schema: 'Person', properties: { name: ['KIM Jongun'], birthDate: ['1990'] } };
    const post = (weights?: Record<string, number>) =>
      app.inject({ method: 'POST', url: '/match/default?limit=1', payload: { queries: { q: query }, weights } });
    const base = (await post()).json().responses.q.results[0];
    expect(base).toMatchObject({ id: 'ofac-20157' });
    expect(base.explanations.birth_year_mismatch).toMatchObject({ weight: -0.2, qualifier: true });
    const heavier = (await post({ birth_year_mismatch: -0.5 })).json().responses.q.results[0];
    expect(heavier.explanations.birth_year_mismatch.weight).toBe(-0.5);
    expect(heavier.score).toBeCloseTo(base.score - 0.3, 4);
    expect(heavier.match).toBe(false);
    const unknown = await post({ shoe_size: 1 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toContain('weights.shoe_size: unknown feature');
    const tooBig = await post({ name_similarity: 5 });
    expect(tooBig.statusCode).toBe(400);
  });

  it('refuses bad queries with 400 and a message, never 500', async () => {
    const bad = async (payload: unknown, url = '/match/default') => {
      const res = await app.inject({ method: 'POST', url, payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      return res.json().message as string;
    };
    expect(await bad({ queries: { a: { schema: 'Person', properties: { name: [''] } } } })).toContain('empty name');
    expect(await bad({ queries: { a: { schema: 'Person', properties: { name: ['x'.repeat(501)] } } } })).toContain(
      'longer than 500',
    );
    expect(await bad({ queries: { a: { schema: 'Spaceship', properties: { name: ['x'] } } } })).toContain(
      'unknown or unmatchable schema',
    );
    const many = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`q${i}`, { schema: 'Person', properties: { name: ['Kim'] } }]),
    );
    expect(await bad({ queries: many })).toContain('limit is 100');
    expect(await bad({ queries: {} })).toContain('empty batch');
    expect(await bad({})).toContain('body.queries');
    expect(await bad({ queries: { a: { schema: 'Person', properties: {} } } })).toContain('needs a name');
    expect(await bad({ queries: { a: { schema: 'Person', properties: { name: [{ x: 1 }] } } } })).toContain('strings');
    const schema = await app.inject({ method: 'GET', url: '/search/default?q=Kim&schema=Nope' });
    expect(schema.statusCode).toBe(400);
    const recon = await app.inject({ method: 'GET', url: '/reconcile/default?queries=%7Bnot-json' });
    expect(recon.statusCode).toBe(400);
  });

  it('GET /search/{dataset}: free-text search in any script', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/search/default?q=${encodeURIComponent('Lee Sung Hyuk')}&limit=3`,
    });
    expect(res.statusCode).toBe(200);
    const ids = res
      .json()
      .results.slice(0, 2)
      .map((r: { id: string }) => r.id);
    expect(ids.sort()).toEqual(['ofac-22326', 'un-kpi-077']);
  });

  it('GET /entities/{id}: the entity with its sanctions and linked entities', async () => {
    const res = await app.inject({ method: 'GET', url: '/entities/un-kpi-013' });
    expect(res.statusCode).toBe(200);
    const e = res.json();
    expect(e).toMatchObject({ id: 'un-kpi-013', schema: 'Person', caption: 'CHOE CHUN-SIK' });
    expect(e.sanctions[0]).toMatchObject({ schema: 'Sanction', properties: { unscId: ['KPi.013'] } });
    const wallet = (
      await app.inject({ method: 'GET', url: '/entities/wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96' })
    ).json();
    expect(wallet.linked.map((l: { id: string }) => l.id)).toContain('ofac-27307');
    expect((await app.inject({ method: 'GET', url: '/entities/nope' })).statusCode).toBe(404);
  });

  it('the reconciliation JSON schemas accept the spec valid examples and reject the invalid ones', () => {
    const names = [
      'manifest',
      'reconciliation-query-batch',
      'reconciliation-result-batch',
      'suggest-entities-response',
      'suggest-properties-response',
      'suggest-types-response',
      'data-extension-query',
      'data-extension-response',
      'data-extension-property-proposal',
    ];
    let checked = 0;
    for (const name of names) {
      for (const [file, doc] of examples(name, 'valid')) {
        expect(v[name]!(doc), `${name}/valid/${file}: ${JSON.stringify(v[name]!.errors)}`).toBe(true);
        checked++;
      }
      for (const [file, doc] of examples(name, 'invalid')) {
        expect(v[name]!(doc), `${name}/invalid/${file}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('reconciliation: manifest, queries (GET, form POST, JSON POST), suggest and extend conform to spec 0.2', async () => {
    const manifest = (await app.inject({ method: 'GET', url: '/reconcile/default' })).json();
    expect(v.manifest!(manifest), JSON.stringify(v.manifest!.errors)).toBe(true);
    expect(manifest.versions).toEqual(['0.2']);

    const batch = {
      q0: { query: 'Kim Jong Un', type: 'Person', limit: 3 },
      q1: { query: 'Chong Chon Gang', type: 'Vessel', properties: [{ pid: 'imoNumber', v: '7937317' }] },
      q2: { query: '최춘식' },
    };
    expect(v['reconciliation-query-batch']!(batch)).toBe(true);
    const viaGet = await app.inject({
      method: 'GET',
      url: `/reconcile/default?queries=${encodeURIComponent(JSON.stringify(batch))}`,
    });
    const viaForm = await app.inject({
      method: 'POST',
      url: '/reconcile/default',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `queries=${encodeURIComponent(JSON.stringify(batch))}`,
    });
    const viaJson = await app.inject({ method: 'POST', url: '/reconcile/default', payload: { queries: batch } });
    for (const res of [viaGet, viaForm, viaJson]) {
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(v['reconciliation-result-batch']!(body), JSON.stringify(v['reconciliation-result-batch']!.errors)).toBe(
        true,
      );
      expect(body.q0.result[0]).toMatchObject({ id: 'ofac-20157', match: true, score: 100 });
      expect(body.q1.result[0]).toMatchObject({ id: 'ofac-17069', match: true });
      expect(body.q2.result.map((r: { id: string }) => r.id)).toContain('un-kpi-013');
    }

    const se = (
      await app.inject({ method: 'GET', url: '/reconcile/default/suggest/entity?prefix=Korea%20Min' })
    ).json();
    expect(v['suggest-entities-response']!(se)).toBe(true);
    expect(se.result.map((r: { id: string }) => r.id)).toContain('un-kpe-001');
    const st = (await app.inject({ method: 'GET', url: '/reconcile/default/suggest/type?prefix=Ves' })).json();
    expect(v['suggest-types-response']!(st)).toBe(true);
    expect(st.result[0]).toEqual({ id: 'Vessel', name: 'Vessel' });
    const sp = (
      await app.inject({ method: 'GET', url: '/reconcile/default/suggest/property?prefix=imo&type=Vessel' })
    ).json();
    expect(v['suggest-properties-response']!(sp)).toBe(true);
    expect(sp.result.map((r: { id: string }) => r.id)).toContain('imoNumber');
    const pp = (await app.inject({ method: 'GET', url: '/reconcile/default/extend/propose?type=Person' })).json();
    expect(v['data-extension-property-proposal']!(pp)).toBe(true);
    expect(pp.properties.map((p: { id: string }) => p.id)).toContain('birthDate');

    const ext = { ids: ['ofac-20157', 'un-kpi-013'], properties: [{ id: 'birthDate' }, { id: 'nationality' }] };
    expect(v['data-extension-query']!(ext)).toBe(true);
    const er = (await app.inject({ method: 'POST', url: '/reconcile/default', payload: { extend: ext } })).json();
    expect(v['data-extension-response']!(er), JSON.stringify(v['data-extension-response']!.errors)).toBe(true);
    expect(er.rows['ofac-20157'].birthDate).toEqual([{ str: '1984-01-08' }]);
    expect(er.rows['un-kpi-013'].nationality).toEqual([{ str: 'kp' }]);
  });

  it('reconciliation: stable identifierSpace, HTML view and preview, CORS, JSONP, prefix suggest', async () => {
    const a = (await app.inject({ method: 'GET', url: '/reconcile/default', headers: { host: 'localhost:1' } })).json();
    const b = (await app.inject({ method: 'GET', url: '/reconcile/default', headers: { host: '127.0.0.1:2' } })).json();
    expect(a.identifierSpace).toBe('https://watchkeeper.dev/ns/entity/');
    expect(b.identifierSpace).toBe(a.identifierSpace);
    expect(a.view.url).toBe('http://localhost:1/entity/{{id}}');
    expect(a.preview.url).toBe('http://localhost:1/reconcile/default/preview?id={{id}}');
    const preview = await app.inject({ method: 'GET', url: '/reconcile/default/preview?id=un-kpi-013' });
    expect(preview.headers['content-type']).toContain('text/html');
    expect(preview.body).toContain('CHOE CHUN-SIK');
    expect((await app.inject({ method: 'GET', url: '/reconcile/default/preview?id=nope' })).statusCode).toBe(404);
    const cors = await app.inject({ method: 'GET', url: '/reconcile/default/suggest/type?prefix=Ves' });
    expect(cors.headers['access-control-allow-origin']).toBe('*');
    const pre = await app.inject({ method: 'OPTIONS', url: '/reconcile/default' });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    const jsonp = await app.inject({ method: 'GET', url: '/reconcile/default/suggest/type?prefix=Ves&callback=cb_1' });
    expect(jsonp.headers['content-type']).toContain('application/javascript');
    expect(jsonp.body).toBe('/**/cb_1({"result":[{"id":"Vessel","name":"Vessel"}]});');
    const bad = await app.inject({ method: 'GET', url: '/reconcile/default?callback=alert(1)' });
    expect(bad.statusCode).toBe(400);
    // Prefix completion: every suggestion completes the typed words ("Korea Min" → "Korea Mining ...").
    const se = (
      await app.inject({ method: 'GET', url: '/reconcile/default/suggest/entity?prefix=Korea%20Min' })
    ).json();
    expect(se.result.length).toBeGreaterThan(0);
    for (const r of se.result as Array<{ name: string; description: string }>) {
      const text = `${r.name} ${r.description}`.toLowerCase();
      expect(text, r.name).toMatch(/korea min/);
    }
    const one = (
      await app.inject({ method: 'GET', url: '/reconcile/default/suggest/entity?prefix=Chong%20Ch' })
    ).json();
    expect(one.result.map((r: { name: string }) => r.name)).toContain('CHONG CHON GANG');
  });
});
