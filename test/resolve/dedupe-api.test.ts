import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createUser } from '../../src/auth/users.js';
import { loadJudgements } from '../../src/resolve/judgement-store.js';
import type { Store } from '../../src/store/store.js';
import { fixtureListStore } from '../screening/helpers.js';

/**
 * GET /dedupe/candidates and POST /dedupe/judgements with auth on, over the real UN and OFAC entries of the
 * screening fixture (test/fixtures/screening): OFAC's sdn.csv carries no UN reference, so the same DPRK bodies
 * listed by both are candidates, not merges.
 */

let store: Store;
let app: FastifyInstance;
const PW = 'correct horse battery';

async function login(username: string): Promise<{ cookie: string; csrf: string }> {
  const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PW } });
  expect(r.statusCode).toBe(200);
  const h = r.headers['set-cookie'];
  const set = Array.isArray(h) ? h : h ? [h] : [];
  const cookie = ['wk_session=', 'wk_csrf='].map((p) => set.find((c) => c.startsWith(p))!.split(';')[0]!).join('; ');
  return { cookie, csrf: (r.json() as { csrfToken: string }).csrfToken };
}

function as(
  s: { cookie: string; csrf: string },
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    payload,
    headers: { cookie: s.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': s.csrf }) },
  });
}

beforeAll(async () => {
  store = await fixtureListStore('dedupe-api');
  await createUser(store.db, { username: 'alice', password: PW, role: 'analyst' });
  await createUser(store.db, { username: 'vic', password: PW, role: 'viewer' });
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
});

describe('dedupe API', () => {
  it('pages through candidate pairs with their features; judging needs the analyst role', async () => {
    const vic = await login('vic');
    const first = await as(vic, 'GET', '/dedupe/candidates?limit=3');
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page).toMatchObject({ total: 113, limit: 3, offset: 0 });
    expect(page.results.map((p: { left: { id: string }; right: { id: string } }) => [p.left.id, p.right.id])).toEqual([
      ['ofac-12209', 'un-kpe-030'],
      ['ofac-12210', 'un-kpe-031'],
      ['ofac-12212', 'un-kpe-010'],
    ]);
    expect(page.results[0]).toMatchObject({
      score: 1,
      features: { name_similarity: 1 },
      left: { caption: 'OFFICE 39', datasets: ['us_ofac_sdn'], properties: { name: ['OFFICE 39'] } },
      right: { caption: 'OFFICE 39', datasets: ['un_sc_sanctions'] },
    });
    // The scored pairs are stored with the list state they were scored for (read back until a list changes).
    const runs = await store.db.query('SELECT signature, threshold, pairs FROM resolve_candidate_runs');
    expect(runs).toEqual([
      { signature: 'un_sc@fixture,us_ofac_sdn@fixture|0|null', threshold: 0.7, pairs: expect.anything() },
    ]);
    const [{ n }] = (await store.db.query('SELECT COUNT(*) AS n FROM resolve_candidates')) as [{ n: number }];
    expect(Number(n)).toBe(Number(runs[0]!.pairs));
    expect(Number(n)).toBeGreaterThanOrEqual(113);
    const next = (await as(vic, 'GET', '/dedupe/candidates?limit=2&offset=2')).json();
    expect(next.results[0].left.id).toBe('ofac-12212');
    const people = (await as(vic, 'GET', '/dedupe/candidates?schema=Person&limit=500')).json();
    expect(people.results.every((p: { left: { schema: string } }) => p.left.schema === 'Person')).toBe(true);
    expect(people.results[0]).toMatchObject({
      left: { id: 'ofac-17614', caption: 'KIM, Yong Chol' },
      right: { id: 'un-kpi-024' },
      features: { name_similarity: 1, birth_date_match: 1, country_match: 1 },
    });
    expect((await as(vic, 'GET', '/dedupe/candidates?limit=0')).statusCode).toBe(400);

    const body = { left: 'un-kpi-024', right: 'ofac-17614', judgement: 'positive', reason: 'same name and DOB' };
    const refused = await as(vic, 'POST', '/dedupe/judgements', body);
    expect(refused.statusCode).toBe(403);
  });

  it('stores an analyst’s judgement with who and when; the pair leaves the list and /entities answers merged', async () => {
    const alice = await login('alice');
    const r = await as(alice, 'POST', '/dedupe/judgements', {
      left: 'un-kpi-024',
      right: 'ofac-17614',
      judgement: 'positive',
      reason: 'same name and birth date',
    });
    expect(r.statusCode).toBe(201);
    const j = r.json();
    expect(j).toMatchObject({
      left: 'ofac-17614',
      right: 'un-kpi-024',
      judgement: 'positive',
      reason: 'same name and birth date',
      author: 'alice',
      origin: 'analyst',
    });
    expect(Date.parse(j.created_at)).not.toBeNaN();
    expect(j.canonical.left).toMatch(/^wk-[0-9a-f]{16}$/);
    expect(j.canonical.right).toBe(j.canonical.left);
    const stored = await loadJudgements(store.db, { origins: ['analyst'] });
    expect(stored).toEqual([expect.objectContaining({ left: 'ofac-17614', author: 'alice', createdAt: j.created_at })]);

    const list = (await as(alice, 'GET', '/dedupe/candidates?limit=500')).json();
    expect(list.total).toBe(112);
    expect(list.results.some((p: { left: { id: string } }) => p.left.id === 'ofac-17614')).toBe(false);

    const moved = await as(alice, 'GET', '/entities/un-kpi-024');
    expect(moved.statusCode).toBe(308);
    expect(moved.headers.location).toBe(`/entities/${j.canonical.left}`);
    const merged = (await as(alice, 'GET', `/entities/${j.canonical.left}`)).json();
    expect(merged.referents).toEqual(['ofac-17614', 'un-kpi-024']);

    const bad = await as(alice, 'POST', '/dedupe/judgements', { left: 'a', right: 'b', judgement: 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    const missing = await as(alice, 'POST', '/dedupe/judgements', {
      left: 'ofac-17614',
      right: 'nobody',
      judgement: 'negative',
    });
    expect(missing.statusCode).toBe(404);
  });
});
