import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreWindowCounter } from '../../src/api/auth/limits.js';
import { HEAVY_RATE } from '../../src/api/auth/policy.js';
import { buildServer } from '../../src/api/server.js';
import { createToken } from '../../src/auth/tokens.js';
import { createUser } from '../../src/auth/users.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/**
 * Limits that hold across server processes: two servers on one PostgreSQL database (as behind a load balancer)
 * count failed sign-ins and heavy-request starts together, in the store (rate_windows), so two processes allow
 * what one does. With the counts in each process's memory, each server allowed the whole limit.
 */

const PW = 'correct horse battery';
const LOGIN_ATTEMPTS = 4;
/** The first line of test/fixtures/ais/synthetic.nmea: one position report. */
const NMEA = '!AIVDM,1,1,,A,19o::tPgNLd=:fC?BLsJhG=vjmca,0*2F\n';

describe.runIf(postgresAvailable())('window limits shared by two servers on one PostgreSQL database', () => {
  let pg: TestPostgres | undefined;
  let storeA: Store;
  let storeB: Store;
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    pg = await startTestPostgres('limits');
    if (!pg) throw new Error('PostgreSQL unavailable');
    storeA = await openStore({ url: pg.url });
    storeB = await openStore({ url: pg.url });
    for (const username of ['alice', 'bob', 'carol']) {
      await createUser(storeA.db, { username, password: PW, role: 'analyst' });
    }
    const auth = { enabled: true, loginAttempts: LOGIN_ATTEMPTS };
    a = await buildServer({ store: storeA, logLevel: false, auth });
    b = await buildServer({ store: storeB, logLevel: false, auth });
    await Promise.all([a.ready(), b.ready()]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storeA?.close();
    await storeB?.close();
    await pg?.stop();
  });

  const signIn = (app: FastifyInstance, username: string, password: string) =>
    app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });

  it('failed sign-ins spread over both servers are refused once the limit is reached, counted together', async () => {
    const codes: number[] = [];
    for (let i = 0; i < LOGIN_ATTEMPTS; i++)
      codes.push((await signIn(i % 2 ? b : a, 'alice', `wrong-${i}`)).statusCode);
    expect(codes).toEqual(Array(LOGIN_ATTEMPTS).fill(401));
    // Each server saw 2 failures only; together they reached the limit: both refuse, even the right password.
    for (const [app, password] of [
      [a, 'wrong-again'],
      [b, PW],
    ] as const) {
      const r = await signIn(app, 'alice', password);
      expect(r.statusCode).toBe(429);
      expect(r.json().error).toBe('too_many_requests');
      const retry = Number(r.headers['retry-after']);
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(15 * 60);
    }
    // Another user name from the same address has its own count; a success clears it.
    expect((await signIn(b, 'bob', 'wrong')).statusCode).toBe(401);
    expect((await signIn(a, 'bob', PW)).statusCode).toBe(200);
    const row = await storeB.db.query("SELECT n FROM rate_windows WHERE name = 'login' AND client_key = $1", [
      '127.0.0.1|bob',
    ]);
    expect(row).toEqual([]);
  });

  it('concurrent wrong sign-ins on both servers: exactly the limit get a password check', async () => {
    const tries = await Promise.all(
      Array.from({ length: 2 * LOGIN_ATTEMPTS }, (_, i) => signIn(i % 2 ? b : a, 'carol', `guess-${i}`)),
    );
    const codes = tries.map((r) => r.statusCode).sort();
    expect(codes).toEqual([...Array(LOGIN_ATTEMPTS).fill(401), ...Array(LOGIN_ATTEMPTS).fill(429)]);
  });

  it('heavy-request starts of one client on both servers are counted together; the 429 carries Retry-After', async () => {
    const u = (await storeA.db.query("SELECT id FROM users WHERE username = 'alice'"))[0]!;
    const { token } = await createToken(storeA.db, String(u.id), { name: 'limits', scope: 'write' });
    const decode = (app: FastifyInstance) =>
      app.inject({
        method: 'POST',
        url: '/ais/decode',
        payload: { nmea: NMEA },
        headers: { authorization: `Bearer ${token}` },
      });
    const codes: number[] = [];
    for (let i = 0; i < HEAVY_RATE.limit; i++) codes.push((await decode(i % 2 ? b : a)).statusCode);
    expect(codes).toEqual(Array(HEAVY_RATE.limit).fill(200));
    for (const app of [a, b]) {
      const r = await decode(app);
      expect(r.statusCode).toBe(429);
      expect(r.json().message).toContain(`at most ${HEAVY_RATE.limit}`);
      const retry = Number(r.headers['retry-after']);
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(HEAVY_RATE.windowMs / 1000);
    }
    // Ordinary requests are not counted: the same client still reads.
    expect((await a.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });

  it('the store counter: a window ends, a reset forgets, ended windows are pruned', async () => {
    // Unlogged: a count waits for no WAL flush.
    const kind = await storeA.db.query("SELECT relpersistence AS p FROM pg_class WHERE relname = 'rate_windows'");
    expect(kind).toEqual([{ p: 'u' }]);
    const t0 = 1_000_000_000_000;
    const onA = new StoreWindowCounter(storeA.db, 'unit', 2, 60_000);
    const onB = new StoreWindowCounter(storeB.db, 'unit', 2, 60_000);
    expect([await onA.take('k', t0), await onB.take('k', t0 + 1), await onA.take('k', t0 + 2)]).toEqual([
      0,
      0,
      60_000 - 2,
    ]);
    expect(await onB.take('k', t0 + 59_999)).toBe(1);
    expect(await onB.take('other', t0 + 10)).toBe(0);
    expect(await onA.take('k', t0 + 60_000)).toBe(0); // a new window
    await onB.reset('k');
    expect(await storeA.db.query("SELECT client_key FROM rate_windows WHERE name = 'unit' ORDER BY 1")).toEqual([
      { client_key: 'other' },
    ]);
    // A take long after prunes the ended windows of its counter (in the background).
    const later = new StoreWindowCounter(storeA.db, 'unit', 2, 60_000);
    expect(await later.take('fresh', t0 + 3_600_000)).toBe(0);
    let keys: string[] = [];
    for (let i = 0; i < 50; i++) {
      keys = (await storeA.db.query("SELECT client_key FROM rate_windows WHERE name = 'unit' ORDER BY 1")).map((r) =>
        String(r.client_key),
      );
      if (!keys.includes('other')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(keys).toEqual(['fresh']);
  });
});
