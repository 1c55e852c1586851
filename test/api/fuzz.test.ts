import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { seedCaseFixture } from '../cases/fixture.js';

/**
 * Every operation of /docs/json, fed hostile values one parameter (or body field) at a time: non-finite and huge
 * numbers, wrong types, long strings, unicode, path traversal. No answer may be a 5xx, and none may carry a stack
 * trace; a 4xx JSON answer is `{error, message}`. The operations and their parameters come from the OpenAPI document,
 * so a new route is fuzzed the day it is added.
 */

interface Param {
  in: 'path' | 'query';
  name: string;
  schema?: { type?: string | string[] };
}
interface Operation {
  operationId?: string;
  parameters?: Param[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}
type Spec = { paths: Record<string, Record<string, Operation>> };

/** Values sent as text (query and path): each reached a 500 somewhere before issue 18's hardening, or could. */
const HOSTILE_TEXT: readonly string[] = [
  '1e400',
  '-1e400',
  'Infinity',
  '-Infinity',
  'NaN',
  '99999999999999999999999999999',
  '-99999999999999999999999999999',
  '9007199254740993',
  '2147483648',
  '-1',
  '1.5',
  '0x1F',
  '',
  ' ',
  'true',
  '[]',
  '{"a":1}',
  'null',
  '%00',
  '\u0000',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '\u202e\u0647\u0630\u0627 𝕏 🚢 Ω\ufeff',
  // Already percent-encoded: a lone surrogate, bytes that are not UTF-8, a cut escape.
  'raw:%ED%A0%80',
  'raw:%FF%FE',
  'raw:%',
  'raw:%E0%A4%A',
  "'; DROP TABLE positions; --",
  '<script>alert(1)</script>',
  'A'.repeat(100_000),
  '9'.repeat(5_000),
];

/** Values sent as JSON in a body field (raw JSON text: `1e400` parses to Infinity). */
const HOSTILE_JSON: readonly string[] = [
  '1e400',
  '-1e400',
  '99999999999999999999999999999',
  '-1',
  '1.5',
  '0',
  'null',
  'true',
  '"NaN"',
  '"Infinity"',
  '""',
  '[]',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  '{}',
  '{"__proto__":{"polluted":1}}',
  JSON.stringify('../../../../etc/passwd'),
  JSON.stringify('\u202e\u0647\u0630\u0627 𝕏 🚢\u0000'),
  JSON.stringify('A'.repeat(100_000)),
  `[${Array.from({ length: 5_000 }, () => '1e400').join(',')}]`,
];

/** Whole bodies of the wrong shape. */
const HOSTILE_BODIES: readonly string[] = ['null', '[]', '"x"', '1e400', '{}', '{"a":', 'not json'];

const STACK = /\n\s+at [^\n]*:\d+:\d+|node_modules\/|\/src\/[\w/.-]+\.ts:\d+/;

let dir: string;
let store: Store;
let app: FastifyInstance;
let spec: Spec;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-api-fuzz-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  await seedCaseFixture(store);
  app = await buildServer({ store, logLevel: false });
  await app.ready();
  spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as Spec;
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A harmless value for a parameter that is not the one under test. */
function benign(p: Param): string {
  const t = Array.isArray(p.schema?.type) ? p.schema?.type[0] : p.schema?.type;
  if (p.in === 'path') return p.name === 'mmsi' ? '445123000' : 'x';
  return t === 'integer' || t === 'number' ? '1' : t === 'boolean' ? 'true' : 'x';
}

interface Failure {
  request: string;
  status: number;
  body: string;
}

/** Requests sent and the ones that failed the rules, for the report printed at the end. */
const sent = { requests: 0 };

async function check(
  failures: Failure[],
  method: string,
  url: string,
  payload?: string,
  describeAs = `${method} ${url.slice(0, 200)}`,
): Promise<void> {
  sent.requests++;
  const res = await app.inject({
    method: method as 'GET',
    url,
    ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }),
  });
  const body = res.body;
  let bad = res.statusCode >= 500 || STACK.test(body);
  if (!bad && res.statusCode >= 400 && String(res.headers['content-type'] ?? '').includes('application/json')) {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown; detail?: unknown };
    // The yente dialect answers with `detail` (as yente does); everything else with {error, message}.
    bad = !(typeof j.error === 'string' && typeof j.message === 'string') && typeof j.detail !== 'string';
  }
  if (bad) failures.push({ request: describeAs, status: res.statusCode, body: body.slice(0, 300) });
}

/** Percent-encoded, except values marked `raw:`, which go into the URL as they are. */
const enc = (v: string) => (v.startsWith('raw:') ? v.slice(4) : encodeURIComponent(v));

function urlFor(p: string, params: Param[], under: Param | undefined, value: string): string {
  let url = p;
  const query: string[] = [];
  for (const q of params) {
    const v = q === under ? value : benign(q);
    if (q.in === 'path') url = url.replace(`{${q.name}}`, enc(v));
    else if (q === under) query.push(`${encodeURIComponent(q.name)}=${enc(v)}`);
  }
  return query.length ? `${url}?${query.join('&')}` : url;
}

describe('API fuzz over /docs/json', () => {
  it('answers every hostile parameter and body with a 4xx {error, message} or a 2xx, never a 5xx or a stack trace', {
    timeout: 600_000,
  }, async () => {
    const failures: Failure[] = [];
    const ops = Object.entries(spec.paths).flatMap(([p, methods]) =>
      Object.entries(methods).map(([m, op]) => ({ path: p, method: m.toUpperCase(), op })),
    );
    expect(ops.length).toBeGreaterThan(60);
    for (const { path: p, method, op } of ops) {
      const params = (op.parameters ?? []).filter((x) => x.in === 'path' || x.in === 'query');
      const hasBody = op.requestBody !== undefined;
      const fields = Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {});
      const emptyBody = hasBody ? '{}' : undefined;
      for (const param of params) {
        for (const v of HOSTILE_TEXT) await check(failures, method, urlFor(p, params, param, v), emptyBody);
      }
      // A path segment that is not encoded: traversal as the router sees it.
      if (params.some((x) => x.in === 'path')) {
        const raw = params.reduce((u, x) => (x.in === 'path' ? u.replace(`{${x.name}}`, '..%2F..%2F..%2Fetc') : u), p);
        await check(failures, method, raw, emptyBody);
        await check(failures, method, `${p.replace(/\{[^}]+\}/g, '..')}/../../etc/passwd`, emptyBody);
      }
      if (!hasBody) continue;
      const url = urlFor(p, params, undefined, '');
      for (const b of HOSTILE_BODIES) await check(failures, method, url, b);
      for (const f of fields) {
        for (const v of HOSTILE_JSON) await check(failures, method, url, `{${JSON.stringify(f)}:${v}}`);
      }
    }
    // Printed for the record (requests sent; the failures are in the assertion below).
    console.info(`API fuzz: ${sent.requests} requests over ${ops.length} operations, ${failures.length} failures`);
    expect(failures).toEqual([]);
  });
});
