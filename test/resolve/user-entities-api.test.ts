import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { listAudit } from '../../src/auth/audit.js';
import { createUser } from '../../src/auth/users.js';
import { userStatements } from '../../src/entities/user-store.js';
import { loadNetwork } from '../../src/ownership/load.js';
import { controlOf } from '../../src/ownership/network.js';
import type { Store } from '../../src/store/store.js';
import { fixtureListStore } from '../screening/helpers.js';

/**
 * User entities and links through the API, auth on, over the real UN and OFAC entries of the screening fixture
 * (test/fixtures/screening): an analyst creates a company and a person, says the company is 60 % owned by the
 * UN-listed OFFICE 39 and that the person is the UN's KIM Yong Chol; the graph, the 50 % rule, screening and the
 * resolver read them like list entities; a viewer is refused; the audit trail names the analyst.
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
  method: 'GET' | 'POST' | 'DELETE',
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
  store = await fixtureListStore('user-entities');
  await createUser(store.db, { username: 'alice', password: PW, role: 'analyst' });
  await createUser(store.db, { username: 'vic', password: PW, role: 'viewer' });
  app = await buildServer({ store, logLevel: false, auth: { enabled: true } });
  await app.ready();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
});

const COMPANY = {
  schema: 'Company',
  properties: {
    name: ['Haegeumgang Trading Front Ltd'],
    country: ['kp'],
    registrationNumber: ['HK-2291-77'],
    notes: ['Named in a shipping agent’s invoices'],
  },
};

describe('user entities and links API', () => {
  let companyId = '';
  let personId = '';

  it('refuses a viewer, and bodies the FtM import refuses', async () => {
    const vic = await login('vic');
    const refused = await as(vic, 'POST', '/entities', COMPANY);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: 'forbidden' });
    const alice = await login('alice');
    const unknownProp = await as(alice, 'POST', '/entities', {
      schema: 'Company',
      properties: { name: ['X'], favouriteColour: ['red'] },
    });
    expect(unknownProp.statusCode).toBe(400);
    expect(unknownProp.json().message).toContain('property "favouriteColour" is not defined on schema Company');
    const abstract = await as(alice, 'POST', '/entities', { schema: 'Thing', properties: { name: ['X'] } });
    expect(abstract.statusCode).toBe(400);
    const noName = await as(alice, 'POST', '/entities', { schema: 'Person', properties: { country: ['kp'] } });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().message).toContain('Person needs "name"');
    const taken = await as(alice, 'POST', '/entities', { id: 'un-kpe-030', ...COMPANY });
    expect(taken.statusCode).toBe(409);
    expect(await userStatements(store)).toEqual([]);
  });

  it('creates a company in the user dataset with the analyst and the time as the source', async () => {
    const alice = await login('alice');
    const r = await as(alice, 'POST', '/entities', COMPANY);
    expect(r.statusCode).toBe(201);
    const body = r.json();
    companyId = body.id;
    expect(companyId).toMatch(/^user-[0-9a-f]{20}$/);
    expect(body).toMatchObject({
      schema: 'Company',
      caption: 'Haegeumgang Trading Front Ltd',
      datasets: ['user'],
      author: 'alice',
      canonical_id: companyId,
      properties: COMPANY.properties,
    });
    const sts = await userStatements(store);
    expect(sts).toHaveLength(4);
    for (const s of sts) {
      expect(s).toMatchObject({ entityId: companyId, source: 'user', seenAt: body.created_at });
      expect(s.sourceRecord).toBe(`user:alice@${body.created_at}`);
    }
    const page = (await as(alice, 'GET', `/workspace/entities/${companyId}`)).json();
    expect(page.datasets).toEqual(['user']);
    expect(page.properties.registrationNumber[0]).toMatchObject({ value: 'HK-2291-77', source: 'user' });
  });

  it('links it as 60 % owned by the UN-listed OFFICE 39: graph, entity page and the 50 % rule read the link', async () => {
    const alice = await login('alice');
    const bad = await as(alice, 'POST', `/entities/${companyId}/links`, {
      type: 'owned_by',
      target: 'un-kpe-030',
      percentage: 160,
    });
    expect(bad.statusCode).toBe(400);
    const r = await as(alice, 'POST', `/entities/${companyId}/links`, {
      type: 'owned_by',
      target: 'un-kpe-030',
      percentage: 60,
      startDate: '2019-03',
    });
    expect(r.statusCode).toBe(201);
    const link = r.json();
    expect(link).toMatchObject({
      type: 'owned_by',
      entity: companyId,
      target: 'un-kpe-030',
      schema: 'Ownership',
      percentage: '60',
      startDate: '2019-03',
      author: 'alice',
      target_caption: 'OFFICE 39',
    });
    expect(link.id).toMatch(/^user-link-/);

    const page = (await as(alice, 'GET', `/workspace/entities/${companyId}`)).json();
    expect(page.links).toContainEqual(
      expect.objectContaining({ id: 'un-kpe-030', relation: 'Ownership', direction: 'in', via: link.id }),
    );
    const graph = (await as(alice, 'GET', `/workspace/graph/${companyId}`)).json();
    expect(graph.nodes.map((n: { id: string }) => n.id)).toContain('un-kpe-030');
    const listed = (await as(alice, 'GET', '/entities/un-kpe-030/links')).json();
    expect(listed.results).toEqual([expect.objectContaining({ id: link.id, type: 'owns', target: companyId })]);

    // The ownership network (src/ownership) takes the user's Ownership like a list's: 60 % held by a listed owner.
    const control = controlOf(await loadNetwork(store), companyId);
    expect(control).toMatchObject({ blocked: true, share: 60 });
    expect(control?.paths[0]?.[0]).toMatchObject({
      percentage: 60,
      sources: [expect.objectContaining({ source: 'user' })],
    });

    // Screening indexes the user dataset like a list.
    const m = await as(alice, 'POST', '/match/default', {
      queries: { q: { schema: 'Company', properties: { name: ['Haegeumgang Trading Front'] } } },
    });
    expect(m.statusCode).toBe(200);
    const hits = m.json().responses.q.results as Array<{ id: string; datasets: string[] }>;
    expect(hits[0]).toMatchObject({ id: companyId, datasets: ['user'] });
  });

  it('same_as merges a user person with the UN entry into one canonical entity; removing it splits them', async () => {
    const alice = await login('alice');
    const p = await as(alice, 'POST', '/entities', {
      schema: 'Person',
      properties: { name: ['Kim Yong Chol'], birthDate: ['1962-02-18'], notes: ['met in Dalian'] },
    });
    expect(p.statusCode).toBe(201);
    personId = p.json().id;
    // Directorship and UnknownLink, with FtM's ranges checked: a Person cannot be owned (Ownership.asset: Asset).
    const director = await as(alice, 'POST', `/entities/${companyId}/links`, {
      type: 'directed_by',
      target: personId,
      role: 'chairman',
    });
    expect(director.statusCode).toBe(201);
    expect(director.json()).toMatchObject({
      schema: 'Directorship',
      role: 'chairman',
      target_caption: 'Kim Yong Chol',
    });
    const owned = await as(alice, 'POST', `/entities/${personId}/links`, { type: 'owned_by', target: companyId });
    expect(owned.statusCode).toBe(400);
    expect(owned.json().message).toBe('owned_by: this entity is a Person, and Ownership.asset must be an Asset');
    const assoc = await as(alice, 'POST', `/entities/${personId}/links`, {
      type: 'associate_of',
      target: 'un-kpe-030',
    });
    expect(assoc.statusCode).toBe(201);
    expect(assoc.json()).toMatchObject({ schema: 'UnknownLink', role: 'associate' });
    const ofPerson = (await as(alice, 'GET', `/entities/${personId}/links`)).json().results;
    expect(ofPerson.map((l: { type: string; target: string }) => [l.type, l.target])).toEqual([
      ['director_of', companyId],
      ['associate_of', 'un-kpe-030'],
    ]);
    const mixed = await as(alice, 'POST', `/entities/${personId}/links`, { type: 'same_as', target: 'un-kpe-030' });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().message).toContain('same_as: a Person and an Organization cannot be one entity');
    const r = await as(alice, 'POST', `/entities/${personId}/links`, {
      type: 'same_as',
      target: 'un-kpi-024',
      notes: 'same photo',
    });
    expect(r.statusCode).toBe(201);
    const link = r.json();
    expect(link.canonical.entity).toMatch(/^wk-[0-9a-f]{16}$/);
    expect(link.canonical.target).toBe(link.canonical.entity);
    expect(link).toMatchObject({ type: 'same_as', author: 'alice', notes: 'same photo', schema: null });

    const moved = await as(alice, 'GET', `/entities/${personId}`);
    expect(moved.statusCode).toBe(308);
    expect(moved.headers.location).toBe(`/entities/${link.canonical.entity}`);
    const merged = (await as(alice, 'GET', `/entities/${link.canonical.entity}`)).json();
    expect(merged.referents).toEqual(['un-kpi-024', personId].sort());
    expect(merged.datasets).toEqual(expect.arrayContaining(['user']));
    // The analyst's judgement, with who and when, is in the judgements the resolver reads.
    const judged = await store.db.query(
      "SELECT author, verdict, origin FROM resolve_judgements WHERE origin = 'analyst' AND (left_id = $1 OR right_id = $1)",
      [personId],
    );
    expect(judged).toEqual([{ author: 'alice', verdict: 'positive', origin: 'analyst' }]);

    const links = (await as(alice, 'GET', `/entities/${personId}/links`)).json().results;
    expect(links).toHaveLength(3);
    expect(links[2]).toMatchObject({ type: 'same_as', target: 'un-kpi-024', target_caption: 'KIM YONG CHOL' });
    // A canonical id stands for several entities: deleting needs the user entity's own id.
    const canonicalDelete = await as(alice, 'DELETE', `/entities/${link.canonical.entity}`);
    expect(canonicalDelete.statusCode).toBe(400);
    expect(canonicalDelete.json().message).toContain(personId);
    const del = await as(alice, 'DELETE', `/entities/${personId}/links/${encodeURIComponent(link.id)}`);
    expect(del.statusCode).toBe(200);
    expect(del.json().canonical.entity).not.toBe(del.json().canonical.target);
    expect((await as(alice, 'GET', `/entities/${personId}`)).statusCode).toBe(200);
  });

  it('deletes user entities with their links only; the audit trail names the analyst of every write', async () => {
    const alice = await login('alice');
    const vic = await login('vic');
    expect((await as(vic, 'DELETE', `/entities/${companyId}`)).statusCode).toBe(403);
    const list = await as(alice, 'DELETE', '/entities/un-kpe-030');
    expect(list.statusCode).toBe(409);
    expect((await as(alice, 'DELETE', '/entities/nobody-here')).statusCode).toBe(404);
    const r = await as(alice, 'DELETE', `/entities/${companyId}`);
    expect(r.statusCode).toBe(200);
    // The company's Ownership and Directorship go with it; the person's link to OFFICE 39 stays.
    expect(r.json()).toMatchObject({ id: companyId, statements: 4 });
    expect(r.json().links).toHaveLength(2);
    expect((await as(alice, 'GET', `/workspace/entities/${companyId}`)).statusCode).toBe(404);
    const office = (await as(alice, 'GET', '/entities/un-kpe-030/links')).json().results;
    expect(office.map((l: { type: string; target: string }) => [l.type, l.target])).toEqual([
      ['associate_of', personId],
    ]);
    const left = await userStatements(store);
    expect(left.some((s) => s.entityId === companyId || s.value === companyId)).toBe(false);
    expect(new Set(left.map((s) => s.schema))).toEqual(new Set(['Person', 'UnknownLink']));

    const audit = await listAudit(store.db, { username: 'alice' });
    const ops = audit.results.filter((a) => a.status < 400).map((a) => a.operation);
    expect(ops).toEqual(
      expect.arrayContaining(['createUserEntity', 'addUserLink', 'deleteUserLink', 'deleteUserEntity']),
    );
    const created = audit.results.find((a) => a.operation === 'createUserEntity' && a.status === 201);
    expect(created).toMatchObject({ username: 'alice', method: 'POST', route: '/entities' });
    const refused = await listAudit(store.db, { username: 'vic' });
    expect(refused.results.some((a) => a.route === '/entities' && a.status === 403)).toBe(true);
  });
});
