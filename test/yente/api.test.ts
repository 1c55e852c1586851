import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { judgePair } from '../../src/resolve/judge.js';
import type { Store } from '../../src/store/store.js';
import { fixtureListStore } from '../screening/helpers.js';
import { assertEntityShape, expectModel, yenteValidators } from './models.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked against yente's models, then read freely.
type Json = Record<string, any>;

/**
 * Our /match, /search, /entities and friends against yente's own response models and its assert_entity_shape,
 * on the real UN and OFAC entries of test/fixtures/screening (with one analyst judgement making a canonical
 * entity of the UN and OFAC Choe Chun Sik, SANS director, born 1954-10-12).
 */
describe('yente dialect', () => {
  let store: Store;
  let app: FastifyInstance;
  const v = yenteValidators();
  let choe: string;

  beforeAll(async () => {
    store = await fixtureListStore('yente');
    await judgePair(store, 'ofac-19498', 'un-kpi-013', 'positive', { author: 'test', reason: 'same DOB, SANS' });
    app = await buildServer({ store, logLevel: false });
    const r = await app.inject({ method: 'GET', url: '/entities/un-kpi-013' });
    expect(r.statusCode).toBe(308);
    choe = String(r.headers.location).replace('/entities/', '');
    expect(choe).toMatch(/^wk-[0-9a-f]{16}$/);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const match = (payload: unknown, qs = '') =>
    app.inject({ method: 'POST', url: `/match/default${qs}`, payload: payload as object });

  it('/match answers EntityMatchResponse; results pass assert_entity_shape; one result per canonical entity', async () => {
    const res = await match(
      {
        queries: {
          choe: { schema: 'Person', properties: { name: ['Choe Chun Sik'], birthDate: ['1954-10-12'] } },
          ship: { schema: 'Vessel', properties: { imoNumber: ['IMO 7937317'] } },
        },
      },
      '?limit=5',
    );
    expect(res.statusCode).toBe(200);
    const body = res.json() as Json;
    expectModel(v, 'EntityMatchResponse', body);
    expect(body.matcher.name_similarity.coefficient).toBe(1);
    let shapes = 0;
    for (const q of Object.values(body.responses) as Json[]) {
      for (const r of q.results) {
        expectModel(v, 'ScoredEntityResponse', r);
        shapes += assertEntityShape(r);
      }
    }
    expect(shapes).toBeGreaterThan(2);
    const results = body.responses.choe.results as Json[];
    const top = results[0]!;
    expect(top).toMatchObject({ id: choe, schema: 'Person', match: true, target: true });
    expect(top.referents).toEqual(['ofac-19498', 'un-kpi-013']);
    expect(top.datasets).toEqual(['un_sc_sanctions', 'us_ofac_sdn']);
    expect(top.first_seen).toBe('2024-05-03T00:00:00');
    // Neither referent appears again on its own.
    const ids = results.map((r) => r.id);
    expect(ids.filter((id) => ['ofac-19498', 'un-kpi-013', choe].includes(id))).toEqual([choe]);
    expect(new Set(ids).size).toBe(ids.length);
    // FeatureResult explanations name what was compared.
    expect(top.explanations.name_similarity).toMatchObject({ score: 1, query: 'Choe Chun Sik' });
    expect(top.explanations.birth_date_match.score).toBe(1);
    // total counts the candidates at or above the threshold.
    const above = results.filter((r) => r.score >= body.threshold).length;
    expect(body.responses.choe.total.value).toBeGreaterThanOrEqual(above);
    expect(body.responses.ship.results[0]).toMatchObject({ id: 'ofac-17069', score: 0.9 });
    expect(body.responses.ship.total).toEqual({ value: 1, relation: 'eq' });
  });

  it('/match honours yente parameters: filters, cutoff, algorithm, config', async () => {
    const q = { queries: { q: { schema: 'Person', properties: { name: ['Choe Chun Sik'] } } } };
    const ids = async (qs: string, payload: unknown = q) =>
      ((await match(payload, qs)).json() as Json).responses.q.results.map((r: Json) => r.id) as string[];
    const all = await ids('?limit=10');
    expect(all).toContain(choe);
    expect(await ids(`?limit=10&exclude_entity_ids=${choe}`)).not.toContain(choe);
    // A referent id excludes its canonical entity too.
    expect(await ids('?limit=10&exclude_entity_ids=ofac-19498')).not.toContain(choe);
    expect(await ids('?limit=10&exclude_schema=Person')).toEqual([]);
    const unOnly = await ids('?limit=10&include_dataset=un_sc_sanctions');
    expect(unOnly.length).toBeGreaterThan(0);
    const unBodies = ((await match(q, '?limit=10&include_dataset=un_sc')).json() as Json).responses.q.results;
    expect(unBodies.every((r: Json) => r.datasets.includes('un_sc_sanctions'))).toBe(true);
    const noUn = ((await match(q, '?limit=10&exclude_dataset=un_sc_sanctions')).json() as Json).responses.q.results;
    expect(noUn.every((r: Json) => !r.datasets.includes('un_sc_sanctions'))).toBe(true);
    expect(noUn.map((r: Json) => r.id)).not.toContain(choe);
    expect(await ids('?limit=10&topics=sanction')).toContain(choe);
    expect(await ids('?limit=10&topics=crime.terror')).toEqual([]);
    expect(await ids('?limit=10&changed_since=2024-05-01')).toContain(choe);
    expect(await ids('?limit=10&changed_since=2025-01-01')).toEqual([]);
    const cut = ((await match(q, '?limit=10&cutoff=0.9')).json() as Json).responses.q.results as Json[];
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((r) => r.score >= 0.9)).toBe(true);
    expect(await ids('?limit=10&algorithm=best')).toEqual(all);
    const unknownAlgo = await match(q, '?algorithm=regression-v9');
    expect(unknownAlgo.statusCode).toBe(400);
    expectModel(v, 'ErrorResponse', unknownAlgo.json());
    expect(unknownAlgo.json().detail).toContain('regression-v9');
    // config: a feature name sets its weight; other settings come back as warnings.
    const cfg = (await match({ ...q, config: { name_similarity: 0.5, nm_fuzzy_cutoff_factor: 1 } }, '?limit=1')).json();
    expect(cfg.matcher.name_similarity.coefficient).toBe(0.5);
    expect(cfg.responses.q.results[0].explanations.name_similarity.weight).toBe(0.5);
    expect(cfg.warnings).toEqual(['config.nm_fuzzy_cutoff_factor: not a setting of watchkeeper-v1; ignored']);
  });

  it('/match errors as yente: 422 without schema, unknown properties skipped, 404 unknown dataset, {detail}', async () => {
    const noSchema = await match({ queries: { a: { properties: { name: ['Kim Jong Un'] } } } });
    expect(noSchema.statusCode).toBe(422);
    expectModel(v, 'ErrorResponse', noSchema.json());
    const skipped = await match({
      queries: { a: { schema: 'Person', properties: { name: ['Kim Jong Un'], shoeSize: ['44'] } } },
    });
    expect(skipped.statusCode).toBe(200);
    expect(skipped.json().responses.a.warnings).toEqual([
      'queries.a.properties.shoeSize: not a property of Person; skipped',
    ]);
    expect(skipped.json().responses.a.results[0].id).toBe('ofac-20157');
    const unknown = await app.inject({
      method: 'POST',
      url: '/match/xx_nowhere',
      payload: { queries: { a: { schema: 'Person', properties: { name: ['Kim'] } } } },
    });
    expect(unknown.statusCode).toBe(404);
    expectModel(v, 'ErrorResponse', unknown.json());
    const search404 = await app.inject({ method: 'GET', url: '/search/xx_nowhere?q=Kim' });
    expect(search404.statusCode).toBe(404);
  });

  it('/search pages with offset, counts hits, facets, filters, and browses with an empty q', async () => {
    const get = async (qs: string) => {
      const r = await app.inject({ method: 'GET', url: `/search/default?${qs}` });
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json() as Json;
      expectModel(v, 'SearchResponse', body);
      for (const e of body.results) assertEntityShape(e);
      return body;
    };
    const first = await get('q=Kim&limit=3');
    const second = await get('q=Kim&limit=3&offset=3');
    expect(first.total.value).toBeGreaterThan(6);
    expect(second.total.value).toBe(first.total.value);
    expect(second.offset).toBe(3);
    const overlap = first.results.filter((r: Json) => second.results.some((s: Json) => s.id === r.id));
    expect(overlap).toEqual([]);
    expect(first.facets.countries.values[0]).toMatchObject({ name: 'kp', label: 'North Korea' });
    expect(first.facets.schema.values.map((x: Json) => x.name)).toContain('Person');
    // A text search: a long name containing the word is a hit although its similarity is under the cut-off.
    const word = await get('q=Mansudae&limit=20');
    expect(word.results.map((r: Json) => r.caption)).toContain(
      'MANSUDAE OVERSEAS PROJECTS ARCHITECTURAL AND TECHNICAL SERVICES (PTY) LIMITED',
    );
    const browse = await get('limit=5&schema=Vessel');
    expect(browse.results.length).toBe(5);
    expect(browse.results.every((r: Json) => r.schema === 'Vessel')).toBe(true);
    expect(browse.facets.schema.values).toEqual([{ name: 'Vessel', label: 'Vessel', count: browse.total.value }]);
    const un = await get('limit=1&datasets=un_sc_sanctions');
    expect(un.facets.datasets.values.map((x: Json) => x.name)).toContain('un_sc_sanctions');
    const all = await get('limit=1');
    // One hit per canonical entity: the two Choe Chun Sik entries count once.
    const persons = await get('limit=500&schema=Person&q=');
    const personIds = persons.results.map((r: Json) => r.id);
    expect(personIds).toContain(choe);
    expect(personIds).not.toContain('un-kpi-013');
    expect(personIds).not.toContain('ofac-19498');
    expect(all.total.value).toBeGreaterThan(persons.total.value);
  });

  it('/entities nests related entities in properties (enricher flow: match, then expand)', async () => {
    const m = (
      await match({
        queries: {
          w: { schema: 'CryptoWallet', properties: { publicKey: ['0x098B716B8Aaf21512996dC57EB0615e2383E2f96'] } },
        },
      })
    ).json();
    const hit = m.responses.w.results[0] as Json;
    expect(hit.id).toBe('wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96');
    const res = await app.inject({ method: 'GET', url: `/entities/${hit.id}` });
    expect(res.statusCode).toBe(200);
    const e = res.json() as Json;
    expectModel(v, 'EntityResponse', e);
    expect(assertEntityShape(e)).toBeGreaterThan(1);
    const holder = e.properties.holder[0] as Json;
    expect(holder).toMatchObject({ id: 'ofac-27307', schema: expect.any(String) });
    expect(holder.caption).not.toBe('');

    const person = (await app.inject({ method: 'GET', url: `/entities/${choe}` })).json() as Json;
    expect(assertEntityShape(person)).toBeGreaterThan(2);
    const sanctions = person.properties.sanctions as Json[];
    expect(sanctions.map((s) => s.id).sort()).toEqual(['ofac-sanction-19498', 'un-sanction-kpi-013']);
    // The back-reference to the root is implied by the nesting.
    expect(sanctions[0]!.properties.entity).toBeUndefined();
    expect(person.referents).toEqual(['ofac-19498', 'un-kpi-013']);

    const adj = (await app.inject({ method: 'GET', url: `/entities/${choe}/adjacent` })).json() as Json;
    assertEntityShape(adj.entity);
    expect(adj.adjacent.sanctions.total.value).toBe(2);
    const redirect = await app.inject({ method: 'GET', url: '/entities/ofac-19498/adjacent' });
    expect(redirect.statusCode).toBe(308);
    expect(redirect.headers.location).toBe(`/entities/${choe}/adjacent`);
  });

  it('/algorithms, /catalog, /readyz and /statements', async () => {
    const algos = (await app.inject({ method: 'GET', url: '/algorithms' })).json();
    expectModel(v, 'AlgorithmResponse', algos);
    expect(algos.default).toBe('watchkeeper-v1');
    const catalog = (await app.inject({ method: 'GET', url: '/catalog' })).json();
    expectModel(v, 'DataCatalogModel', catalog);
    expect(catalog.current.sort()).toEqual(['default', 'un_sc_sanctions', 'us_ofac_sdn']);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ok' });
    const st = (await app.inject({ method: 'GET', url: `/statements?canonical_id=${choe}&prop=birthDate` })).json();
    expect(st.results.map((r: Json) => `${r.dataset} ${r.entity_id} ${r.value}`).sort()).toEqual([
      'un_sc_sanctions un-kpi-013 1954-10-12',
      'us_ofac_sdn ofac-19498 1954-10-12',
    ]);
    expect(Object.keys(st.results[0])).toEqual([
      'id',
      'entity_id',
      'canonical_id',
      'prop',
      'prop_type',
      'schema',
      'value',
      'dataset',
      'lang',
      'original_value',
      'first_seen',
      'last_seen',
    ]);
    expect(st.results[0]).toMatchObject({ canonical_id: choe, prop_type: 'date', first_seen: '2024-05-03T00:00:00' });
    expect((await app.inject({ method: 'GET', url: '/statements' })).statusCode).toBe(400);
  });
});
