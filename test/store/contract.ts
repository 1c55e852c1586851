/**
 * The Store + Db contract: every method, run identically against DuckDB and PostgreSQL.
 * `storeContract(name, factory)` registers a describe block; the factory returns a fresh, migrated, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/finding.js';
import type { Statement } from '../../src/model/statement.js';
import type { ColumnBatch, ColumnSpec, Row } from '../../src/store/db.js';
import type { Store } from '../../src/store/store.js';

export type StoreFactory = () => Promise<Store>;

const T0 = '2024-05-01T00:00:00.000Z';

function st(entityId: string, schema: string, prop: string, value: string, source: string, rec = 'r1'): Statement {
  return { entityId, schema, prop, value, source, sourceRecord: rec, seenAt: T0 };
}

function version(id: string, source: string, importedAt: string) {
  return {
    id,
    source,
    format: 'ftm',
    url: `https://example.org/${source}.json`,
    fetchedAt: '2024-04-30T12:00:00.000Z',
    importedAt,
    sha256: `sha-${id}`,
    recordCount: 2,
  };
}

function finding(over: Partial<Finding> & { id: string }): Finding {
  return {
    kind: 'ais.gap',
    subjects: ['ais-123456789'],
    start: '2024-05-01T10:00:00.000Z',
    end: '2024-05-01T18:00:00.000Z',
    score: 0.5,
    redFlags: ['ais_disabling'],
    explanation: 'AIS silent for 8 h in the Yellow Sea.',
    evidence: [{ source: 'imp-1', record: 'mmsi:123456789@1714557600000', note: 'last position before the gap' }],
    params: { minGapH: 6 },
    vessels: [{ mmsi: 123456789, imo: 9123456, name: 'SKY ROSE' }],
    details: { gapH: 8, lat: 38.1, lon: 124.2 },
    geometry: { type: 'Point', coordinates: [124.2, 38.1] },
    ...over,
  };
}

/**
 * Large-load source: `batches` batches of `size` rows that REUSE the same arrays, refilled on every yield (as a
 * streaming decoder would), so a loader that reads ahead without copying would store the last batch's values
 * many times. Row k: a = k, ts = 1.7e12 + 7k, x = k / 8 (NULL every 1000th), note = a per-batch constant
 * (long on odd batches), tag = 'A'/'B'/NULL, body = a long varying string (NULL every 777th).
 */
const BIG_SPEC: ColumnSpec[] = [
  { name: 'a', type: 'int' },
  { name: 'ts', type: 'bigint' },
  { name: 'x', type: 'double' },
  { name: 'note', type: 'text' },
  { name: 'tag', type: 'text' },
  { name: 'body', type: 'text' },
];

function bigRow(k: number) {
  const b = Math.floor(k / BIG_BATCH);
  return {
    a: k,
    ts: 1_700_000_000_000 + 7 * k,
    x: k % 1000 === 0 ? null : k / 8,
    note: b % 2 === 1 ? `import-batch-${b}-from-a-long-file-name.nmea` : `b${b}`,
    tag: k % 5 === 0 ? null : k % 3 === 0 ? 'B' : 'A',
    body: k % 777 === 0 ? null : `body of row ${k} 평양`,
  };
}

const BIG_BATCH = 40_000;

function refill(k0: number, n: number, cols: ReturnType<typeof bigCols>): ColumnBatch {
  for (let i = 0; i < n; i++) {
    const r = bigRow(k0 + i);
    cols.a[i] = r.a;
    cols.ts[i] = BigInt(r.ts);
    cols.x[i] = r.x === null ? Number.NaN : r.x;
    cols.note[i] = r.note;
    cols.tag[i] = r.tag;
    cols.body[i] = r.body;
  }
  return { length: n, columns: [cols.a, cols.ts, cols.x, cols.note, cols.tag, cols.body] };
}

function bigCols() {
  return {
    a: new Int32Array(BIG_BATCH),
    ts: new BigInt64Array(BIG_BATCH),
    x: new Float64Array(BIG_BATCH),
    note: new Array<string | null>(BIG_BATCH),
    tag: new Array<string | null>(BIG_BATCH),
    body: new Array<string | null>(BIG_BATCH),
  };
}

function* bigSync(rows: number, failAt = Number.POSITIVE_INFINITY): Generator<ColumnBatch> {
  const cols = bigCols();
  for (let k0 = 0; k0 < rows; k0 += BIG_BATCH) {
    if (k0 >= failAt) throw new Error(`source failed at row ${k0}`);
    yield refill(k0, Math.min(BIG_BATCH, rows - k0), cols);
  }
}

async function* bigAsync(rows: number, failAt = Number.POSITIVE_INFINITY): AsyncGenerator<ColumnBatch> {
  const cols = bigCols();
  for (let k0 = 0; k0 < rows; k0 += BIG_BATCH) {
    await new Promise((r) => setImmediate(r));
    if (k0 >= failAt) throw new Error(`source failed at row ${k0}`);
    yield refill(k0, Math.min(BIG_BATCH, rows - k0), cols);
  }
}

const BIG_TABLE = 'CREATE TABLE t_big_load (a INTEGER, ts BIGINT, x DOUBLE PRECISION, note TEXT, tag TEXT, body TEXT)';

/** Check every row of t_big_load against bigRow, in the database (aggregates) and a sample in JS. */
async function expectBigLoad(store: Store, rows: number): Promise<void> {
  const [agg] = await store.db.query(
    `SELECT count(*) AS n, count(DISTINCT a) AS na, sum(a) AS sa, sum(ts - 1700000000000) AS sts, count(x) AS nx,
       sum(x) AS sx, count(tag) AS ntag, sum(CASE WHEN tag = 'B' THEN 1 ELSE 0 END) AS nb, count(body) AS nbody,
       sum(length(body)) AS lbody, count(DISTINCT note) AS nnote FROM t_big_load`,
  );
  let sa = 0;
  let sx = 0;
  let nx = 0;
  let ntag = 0;
  let nb = 0;
  let nbody = 0;
  let lbody = 0;
  for (let k = 0; k < rows; k++) {
    const r = bigRow(k);
    sa += k;
    if (r.x !== null) {
      sx += r.x;
      nx += 1;
    }
    if (r.tag !== null) ntag += 1;
    if (r.tag === 'B') nb += 1;
    if (r.body !== null) {
      nbody += 1;
      lbody += r.body.length;
    }
  }
  expect(agg).toEqual({
    n: rows,
    na: rows,
    sa,
    sts: 7 * sa,
    nx,
    sx,
    ntag,
    nb,
    nbody,
    lbody,
    nnote: Math.ceil(rows / BIG_BATCH),
  });
  const sample = [...new Set([0, 1, 777, 12_345, BIG_BATCH - 1, BIG_BATCH, BIG_BATCH + 1, rows - 1])]
    .filter((k) => k < rows)
    .sort((x, y) => x - y);
  const got = await store.db.query(
    `SELECT a, ts, x, note, tag, body FROM t_big_load WHERE a IN (${sample.join(', ')}) ORDER BY a`,
  );
  expect(got).toEqual(sample.map(bigRow));
  // Per-batch note: every row carries its own batch's value, not another batch's.
  const wrong = await store.db.query(
    `SELECT count(*) AS n FROM (SELECT note, CAST(floor(a / ${BIG_BATCH}.0) AS INTEGER) AS b FROM t_big_load) t
       WHERE note <> CASE WHEN b % 2 = 1 THEN 'import-batch-' || b || '-from-a-long-file-name.nmea' ELSE 'b' || b END`,
  );
  expect(wrong[0]?.n).toBe(0);
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    // ---- migrations ---------------------------------------------------------------------------------------
    it('records applied migrations', async () => {
      const applied = await store.appliedMigrations();
      expect(applied.map((m) => m.id)).toContain('0001_core');
      expect(applied[0]?.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(store.kind).toBe(name);
      expect(store.db.dialect).toBe(name);
    });

    // ---- lists and statements -----------------------------------------------------------------------------
    it('adds a list version atomically and refuses a duplicate id', async () => {
      const sts = [
        st('un-kpi-1', 'Person', 'name', '김정은', 'un_sc', 'KPi.001'),
        st('un-kpi-1', 'Person', 'name', 'KIM JONG UN', 'un_sc', 'KPi.001'),
        st('un-kpe-1', 'Organization', 'name', 'Korea Mining Development Trading Corporation', 'un_sc', 'KPe.001'),
      ];
      const first = await store.addListVersion(version('un_sc@aaa', 'un_sc', '2024-05-01T01:00:00.000Z'), sts);
      expect(first.created).toBe(true);
      expect(first.version.statementCount).toBe(3);
      expect(first.version.recordCount).toBe(2);

      const again = await store.addListVersion(version('un_sc@aaa', 'un_sc', '2024-05-02T01:00:00.000Z'), [
        st('x', 'Person', 'name', 'should not land', 'un_sc'),
      ]);
      expect(again.created).toBe(false);
      expect(again.version).toEqual(first.version);

      expect(await store.getListVersion('un_sc@aaa')).toEqual(first.version);
      expect(await store.getListVersion('nope')).toBeUndefined();
      expect(await store.listVersions()).toEqual([first.version]);
      expect(await store.listVersions('other')).toEqual([]);
      const back = await store.statementsForVersion('un_sc@aaa');
      expect(back).toEqual(sts.map((s) => ({ ...s, versionId: 'un_sc@aaa' })));
    });

    it('accepts an async iterable of statements and generates importedAt', async () => {
      async function* gen() {
        for (let i = 0; i < 25_000; i++) yield st(`e-${i}`, 'Vessel', 'imoNumber', String(9_000_000 + i), 'big');
      }
      const before = Date.now();
      const { version: v } = await store.addListVersion(
        { id: 'big@1', source: 'big', format: 'ftm', url: null, fetchedAt: T0, sha256: 'x', recordCount: 25_000 },
        gen(),
      );
      expect(v.statementCount).toBe(25_000);
      expect(v.url).toBeNull();
      expect(Date.parse(v.importedAt)).toBeGreaterThanOrEqual(before - 1000);
      const e = await store.getEntity('e-24999');
      expect(e?.get('imoNumber')).toEqual(['9024999']);
    });

    it('rolls back a list version whose statement stream fails', async () => {
      async function* failing() {
        yield st('a', 'Person', 'name', 'A', 'bad');
        throw new Error('parse error at line 2');
      }
      await expect(store.addListVersion(version('bad@1', 'bad', T0), failing())).rejects.toThrow(
        'parse error at line 2',
      );
      expect(await store.getListVersion('bad@1')).toBeUndefined();
      expect(await store.getEntity('a')).toBeUndefined();
    });

    it('rebuilds entities with provenance from current statements', async () => {
      await store.addListVersion(version('un_sc@1', 'un_sc', '2024-05-01T01:00:00.000Z'), [
        st('v1', 'Vessel', 'name', 'SKY ROSE', 'un_sc', 'KPe.x'),
        st('v1', 'Vessel', 'imoNumber', '9123456', 'un_sc', 'KPe.x'),
      ]);
      await store.putStatements([st('v1', 'Vessel', 'mmsi', '445123000', 'ais', 'mmsi:445123000')]);
      const e = await store.getEntity('v1');
      expect(e).toBeDefined();
      expect(e?.schema).toBe('Vessel');
      expect(e?.get('name')).toEqual(['SKY ROSE']);
      expect(e?.get('imoNumber')).toEqual(['9123456']);
      expect(e?.get('mmsi')).toEqual(['445123000']);
      expect([...(e?.datasets ?? [])].sort()).toEqual(['ais', 'un_sc']);
      const imo = e?.statements.find((s) => s.prop === 'imoNumber');
      expect(imo).toEqual({ ...st('v1', 'Vessel', 'imoNumber', '9123456', 'un_sc', 'KPe.x'), versionId: 'un_sc@1' });
      const mmsi = e?.statements.find((s) => s.prop === 'mmsi');
      expect(mmsi?.versionId).toBeUndefined();
      expect(mmsi?.sourceRecord).toBe('mmsi:445123000');
      expect(await store.getEntity('missing')).toBeUndefined();
      const many = await store.getEntities(['missing', 'v1', 'v1']);
      expect(many.map((x) => x.id)).toEqual(['v1']);
      expect(await store.getEntities([])).toEqual([]);
    });

    it('chooses the newest version per source for current versions and statements', async () => {
      await store.addListVersion(version('a@old', 'a', '2024-05-01T00:00:00.000Z'), [
        st('p1', 'Person', 'name', 'Old Name', 'a'),
        st('p2', 'Person', 'name', 'Delisted', 'a'),
      ]);
      await store.addListVersion(version('a@new', 'a', '2024-06-01T00:00:00.000Z'), [
        st('p1', 'Person', 'name', 'New Name', 'a'),
      ]);
      await store.addListVersion(version('b@1', 'b', '2024-05-15T00:00:00.000Z'), [
        st('c1', 'Company', 'name', 'Acme', 'b'),
      ]);
      await store.putStatements([st('w1', 'CryptoWallet', 'publicKey', '0xabc', 'chain')]);

      expect((await store.currentVersions()).map((v) => v.id)).toEqual(['a@new', 'b@1']);
      const cur = await store.currentStatements();
      expect(cur.map((s) => `${s.entityId}:${s.value}`).sort()).toEqual(['c1:Acme', 'p1:New Name', 'w1:0xabc']);
      const onlyA = await store.currentStatements({ sources: ['a'] });
      expect(onlyA.map((s) => s.value)).toEqual(['New Name']);
      expect(await store.currentStatements({ sources: [] })).toEqual([]);
      expect(await store.getEntity('p2')).toBeUndefined();
      expect((await store.getEntity('p1'))?.get('name')).toEqual(['New Name']);

      await store.deleteListVersion('a@new');
      expect((await store.currentVersions()).map((v) => v.id)).toEqual(['a@old', 'b@1']);
      expect(await store.statementsForVersion('a@new')).toEqual([]);
      expect((await store.getEntity('p1'))?.get('name')).toEqual(['Old Name']);
      expect((await store.listVersions('a')).map((v) => v.id)).toEqual(['a@old']);
    });

    it('putStatements ignores exact duplicates outside versions', async () => {
      const s1 = st('ais-1', 'Vessel', 'name', 'OCEAN', 'ais');
      const s2 = st('ais-1', 'Vessel', 'callSign', 'HMXY', 'ais');
      expect(await store.putStatements([s1, s2, { ...s1, sourceRecord: 'other' }])).toBe(2);
      expect(await store.putStatements([s1, s2])).toBe(0);
      expect(await store.putStatements([{ ...s1, value: 'OCEAN STAR' }])).toBe(1);
      // The same value from a versioned list does not suppress the unversioned one.
      await store.addListVersion(version('l@1', 'lst', T0), [st('ais-2', 'Vessel', 'name', 'X', 'ais')]);
      expect(await store.putStatements([st('ais-2', 'Vessel', 'name', 'X', 'ais')])).toBe(1);
      expect(await store.putStatements([])).toBe(0);
      const e = await store.getEntity('ais-1');
      expect(e?.get('name')).toEqual(['OCEAN', 'OCEAN STAR']);
      expect(e?.statements).toHaveLength(3);
      // `distinct`: the caller vouches for no repeats within the call; stored ones are still left out.
      const s3 = st('ais-1', 'Vessel', 'flag', 'kp', 'ais');
      expect(await store.putStatements([s1, s3], { distinct: true })).toBe(1);
      expect((await store.getEntity('ais-1'))?.statements).toHaveLength(4);
    });

    it('reads many statements in entity, source, version and import order across packed groups', async () => {
      // > 2 packed groups of 4096; entities interleaved in import order so the read has to sort them.
      const n = 9000;
      const listed: Statement[] = [];
      for (let i = 0; i < n; i++) {
        const e = `e-${String(i % 1500).padStart(5, '0')}`;
        const value = i % 7 === 0 ? `명칭 ${i}\tline\nbreak` : i % 11 === 0 ? '' : `value ${i}`;
        listed.push(st(e, 'Vessel', i % 3 === 0 ? 'name' : 'alias', value, 'big', `rec-${i % 1500}`));
      }
      await store.addListVersion(version('big@1', 'big', T0), listed);
      const loose = [st('e-00003', 'Vessel', 'mmsi', '445000003', 'ais'), st('e-00001', 'Vessel', 'mmsi', '1', 'ais')];
      expect(await store.putStatements(loose)).toBe(2);

      expect(await store.statementsForVersion('big@1')).toEqual(listed.map((s) => ({ ...s, versionId: 'big@1' })));
      const key = (s: Statement) => `${s.entityId}|${s.source}|${s.versionId ?? ''}`;
      const expected = [
        ...listed.map((s, i) => ({ s: { ...s, versionId: 'big@1' }, i })),
        ...loose.map((s, i) => ({ s, i: n + i })),
      ]
        .sort((a, b) => (key(a.s) < key(b.s) ? -1 : key(a.s) > key(b.s) ? 1 : a.i - b.i))
        .map((x) => x.s);
      const cur = await store.currentStatements();
      expect(cur).toHaveLength(n + 2);
      expect(cur).toEqual(expected);
      expect(await store.currentStatements({ sources: ['ais'] })).toEqual([loose[1], loose[0]]);
      const e3 = await store.getEntity('e-00003');
      expect(e3?.statements).toEqual(expected.filter((s) => s.entityId === 'e-00003'));
      const many = await store.getEntities(['e-01499', 'e-00000']);
      expect(many.map((e) => e.statements.length)).toEqual([6, 6]);
    });

    it('stores and finds statement values longer than an index entry allows', async () => {
      // Incompressible text well over PostgreSQL's 2704-byte B-tree entry limit.
      let x = 1;
      const chars: string[] = [];
      for (let i = 0; i < 12_000; i++) {
        x = (x * 48271) % 2147483647;
        chars.push(String.fromCharCode(0x4e00 + (x % 20000)));
      }
      const note = chars.join('');
      await store.addListVersion(version('long@1', 'long', T0), [
        st('n1', 'Person', 'notes', note, 'long'),
        st('n2', 'Sanction', 'entity', note, 'long'),
      ]);
      expect((await store.getEntity('n1'))?.get('notes')).toEqual([note]);
      expect((await store.entitiesReferencing(note)).map((e) => e.id)).toEqual(['n1', 'n2']);
    });

    it('reads values that contain the packing separator (U+001F) exactly', async () => {
      const odd = [
        st('x1', 'Person', 'name', 'A\u001fB', 'odd', 'r\u001f1'),
        st('x1', 'Person', 'alias', '\u001f', 'odd'),
        st('x2', 'Person', 'name', 'Plain', 'odd'),
      ];
      await store.addListVersion(version('odd@1', 'odd', T0), odd);
      const withVersion = odd.map((s) => ({ ...s, versionId: 'odd@1' }));
      expect(await store.statementsForVersion('odd@1')).toEqual(withVersion);
      expect(await store.currentStatements()).toEqual(withVersion);
      expect((await store.getEntities(['x1']))[0]?.get('name')).toEqual(['A\u001fB']);
    });

    it('putStatements stores outside versions, keeps the first of in-call repeats and counts what it added', async () => {
      const batch: Statement[] = [];
      for (let i = 0; i < 5000; i++)
        batch.push(st(`w-${i % 1000}`, 'CryptoWallet', 'publicKey', `0x${i}`, 'chain', `b${i}`));
      expect(await store.putStatements(batch)).toBe(5000);
      // Half repeats of stored ones, half new; each new one twice in the call (first record kept).
      const next: Statement[] = [];
      for (let i = 2500; i < 7500; i++)
        next.push(st(`w-${i % 1000}`, 'CryptoWallet', 'publicKey', `0x${i}`, 'chain', `c${i}`));
      for (let i = 5000; i < 7500; i++)
        next.push(st(`w-${i % 1000}`, 'CryptoWallet', 'publicKey', `0x${i}`, 'chain', `d${i}`));
      expect(await store.putStatements(next)).toBe(2500);
      const tagged = { ...st('w-1', 'CryptoWallet', 'currency', 'ETH', 'chain'), versionId: 'nope@1' };
      expect(
        await store.putStatements(
          (async function* () {
            yield tagged;
          })(),
        ),
      ).toBe(1);
      const all = await store.currentStatements({ sources: ['chain'] });
      expect(all).toHaveLength(7501);
      expect(all.every((s) => s.versionId === undefined)).toBe(true);
      const w5 = all.filter((s) => s.entityId === 'w-5').map((s) => `${s.value}:${s.sourceRecord}`);
      expect(w5).toEqual([
        '0x5:b5',
        '0x1005:b1005',
        '0x2005:b2005',
        '0x3005:b3005',
        '0x4005:b4005',
        '0x5005:c5005',
        '0x6005:c6005',
        '0x7005:c7005',
      ]);
    });

    it('finds entities referencing an id', async () => {
      await store.addListVersion(version('o@1', 'o', T0), [
        st('co-1', 'Company', 'name', 'Shell Co', 'o'),
        st('own-1', 'Ownership', 'owner', 'p-9', 'o'),
        st('own-1', 'Ownership', 'asset', 'co-1', 'o'),
        st('san-1', 'Sanction', 'entity', 'co-1', 'o'),
      ]);
      const refs = await store.entitiesReferencing('co-1');
      expect(refs.map((e) => e.id)).toEqual(['own-1', 'san-1']);
      expect(refs[0]?.get('owner')).toEqual(['p-9']);
      expect(await store.entitiesReferencing('nobody')).toEqual([]);
    });

    // ---- findings ---------------------------------------------------------------------------------------
    it('upserts, reads, filters, counts and deletes findings', async () => {
      const f1 = finding({ id: 'f-1' });
      const f2 = finding({
        id: 'f-2',
        kind: 'ais.encounter',
        subjects: ['ais-1', 'ais-2'],
        start: '2024-05-03T00:00:00.000Z',
        score: 0.9,
        redFlags: ['ship_to_ship', 'ais_disabling'],
      });
      const f3 = finding({
        id: 'f-3',
        kind: 'crypto.exposure',
        subjects: ['wallet-eth-0xabc'],
        start: '2024-04-01T00:00:00.000Z',
        score: 0.2,
        redFlags: ['crypto_exposure'],
        vessels: undefined,
        geometry: undefined,
        end: undefined,
      });
      expect(await store.putFindings([f1, f2, f3])).toBe(3);
      expect(await store.putFindings([])).toBe(0);
      expect(await store.getFinding('f-2')).toEqual(f2);
      expect(await store.getFinding('f-3')).toEqual(JSON.parse(JSON.stringify(f3)));
      expect(await store.getFinding('nope')).toBeUndefined();

      // Replace by id: the score and the subjects change, nothing is duplicated.
      const f1b = { ...f1, score: 0.75, subjects: ['ais-9'] };
      expect(await store.putFindings([f1b])).toBe(1);
      expect(await store.countFindings()).toBe(3);
      expect((await store.getFinding('f-1'))?.score).toBe(0.75);
      expect(await store.countFindings({ subject: 'ais-123456789' })).toBe(0);
      expect((await store.queryFindings({ subject: 'ais-9' })).map((f) => f.id)).toEqual(['f-1']);

      const ids = async (filter: Parameters<Store['queryFindings']>[0]) =>
        (await store.queryFindings(filter)).map((f) => f.id);
      expect(await ids(undefined)).toEqual(['f-2', 'f-1', 'f-3']); // newest start first
      expect(await ids({ kinds: ['ais.gap', 'ais.encounter'] })).toEqual(['f-2', 'f-1']);
      expect(await ids({ kinds: [] })).toEqual([]);
      expect(await ids({ subject: 'ais-2' })).toEqual(['f-2']);
      expect(await ids({ since: '2024-05-01T10:00:00.000Z' })).toEqual(['f-2', 'f-1']);
      expect(await ids({ since: '2024-05-01T10:00:00.001Z' })).toEqual(['f-2']);
      expect(await ids({ until: '2024-05-01T10:00:00.000Z' })).toEqual(['f-3']);
      expect(await ids({ minScore: 0.75 })).toEqual(['f-2', 'f-1']);
      expect(await ids({ redFlag: 'ais_disabling' })).toEqual(['f-2', 'f-1']);
      expect(await ids({ redFlag: 'ais%' })).toEqual([]);
      expect(await ids({ limit: 1, offset: 1 })).toEqual(['f-1']);
      expect(await store.countFindings({ kinds: ['ais.gap', 'ais.encounter'], minScore: 0.8 })).toBe(1);
      await expect(store.queryFindings({ since: 'yesterday' })).rejects.toThrow('since');

      expect(await store.deleteFindings({ kinds: ['ais.gap', 'ais.encounter'] })).toBe(2);
      expect(await store.deleteFindings({ kinds: [] })).toBe(0);
      expect(await ids(undefined)).toEqual(['f-3']);
      expect(await store.countFindings({ subject: 'ais-2' })).toBe(0);
      const orphans = await store.db.query('SELECT count(*) AS n FROM finding_subjects WHERE finding_id <> $1', [
        'f-3',
      ]);
      expect(orphans[0]?.n).toBe(0);
    });

    // ---- imports ----------------------------------------------------------------------------------------
    it('keeps an imports log', async () => {
      const rec = {
        id: 'imp-1',
        kind: 'ais',
        location: 'data/ais/scenario.nmea',
        sha256: 'f00d',
        importedAt: '2024-05-01T00:00:00.000Z',
        rowCount: 123_456,
        details: { messages: 130_000, skipped: 12, note: '북한' },
      };
      await store.recordImport(rec);
      await store.recordImport({
        ...rec,
        id: 'imp-2',
        kind: 'crypto',
        sha256: 'beef',
        importedAt: '2024-05-02T00:00:00.000Z',
        details: undefined,
      });
      expect(await store.findImport('ais', 'f00d')).toEqual(rec);
      expect(await store.findImport('ais', 'beef')).toBeUndefined();
      const crypto = await store.findImport('crypto', 'beef');
      expect(crypto?.details).toBeUndefined();
      expect((await store.listImports()).map((r) => r.id)).toEqual(['imp-2', 'imp-1']);
      expect((await store.listImports('ais')).map((r) => r.id)).toEqual(['imp-1']);
    });

    it('recordImport with an existing id replaces the record (upsert), also twice in one transaction', async () => {
      const rec = {
        id: 'imp-x',
        kind: 'ais',
        location: 'data/ais/a.nmea',
        sha256: 'aaaa',
        importedAt: '2024-05-01T00:00:00.000Z',
        rowCount: 10,
        details: { messages: 11 },
      };
      await store.recordImport(rec);
      await store.recordImport(rec);
      expect(await store.listImports()).toEqual([rec]);
      const again = {
        ...rec,
        kind: 'crypto',
        location: 'data/crypto/b.json',
        sha256: 'bbbb',
        importedAt: '2024-05-03T00:00:00.000Z',
        rowCount: 20,
        details: undefined,
      };
      await store.recordImport(again);
      expect(await store.listImports()).toEqual([again]);
      expect(await store.findImport('ais', 'aaaa')).toBeUndefined();
      expect(await store.findImport('crypto', 'bbbb')).toEqual(again);
      await store.db.transaction(async () => {
        await store.recordImport({ ...rec, id: 'imp-y' });
        await store.recordImport({ ...rec, id: 'imp-y', rowCount: 30 });
        await store.recordImport({ ...again, rowCount: 40 });
      });
      const all = await store.listImports();
      expect(all.map((r) => [r.id, r.rowCount])).toEqual([
        ['imp-x', 40],
        ['imp-y', 30],
      ]);
      const n = await store.db.query('SELECT count(*) AS n FROM imports');
      expect(n[0]?.n).toBe(2);
    });

    // ---- Db ---------------------------------------------------------------------------------------------
    it('Db.query returns plain objects with portable types and $n parameters', async () => {
      const db = store.db;
      await db.exec(`CREATE TABLE t_types (i INTEGER, b BIGINT, d DOUBLE PRECISION, r REAL, s SMALLINT, t TEXT, f BOOLEAN);
        CREATE TABLE t_other (x INTEGER);`);
      await db.query('INSERT INTO t_types VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        42,
        1714557600123,
        0.1,
        1.5,
        -3,
        '평양 Pyongyang',
        true,
      ]);
      await db.query('INSERT INTO t_types VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        null,
        9007199254740993n,
        null,
        null,
        null,
        null,
        false,
      ]);
      const rows = await db.query('SELECT * FROM t_types ORDER BY i NULLS LAST');
      expect(rows).toEqual([
        { i: 42, b: 1714557600123, d: 0.1, r: 1.5, s: -3, t: '평양 Pyongyang', f: true },
        { i: null, b: 9007199254740993n, d: null, r: null, s: null, t: null, f: false },
      ]);
      const [agg] = await db.query(
        'SELECT count(*) AS n, sum(i) AS total, max(b) AS mx FROM t_types WHERE t = $1 OR t IS NULL',
        ['평양 Pyongyang'],
      );
      expect(agg).toEqual({ n: 2, total: 42, mx: 9007199254740993n });
      const [ex] = await db.query('SELECT count(*) AS n FROM t_other');
      expect(ex?.n).toBe(0);
    });

    it('Db.transaction commits, rolls back on error and nests', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_tx (id INTEGER, note TEXT)');
      const out = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t_tx VALUES ($1, $2)', [1, 'a']);
        return tx.transaction(async (inner) => {
          await inner.query('INSERT INTO t_tx VALUES ($1, $2)', [2, 'b']);
          return 'done';
        });
      });
      expect(out).toBe('done');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t_tx VALUES ($1, $2)', [3, 'c']);
          // A call through the outer db joins the transaction too, and rolls back with it.
          await db.query('INSERT INTO t_tx VALUES ($1, $2)', [4, 'd']);
          await tx.transaction(async () => {
            throw new Error('boom');
          });
        }),
      ).rejects.toThrow('boom');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t_tx VALUES ($1, $2)', [5, 'e']);
          await tx.query('SELECT no_such_column FROM t_tx');
        }),
      ).rejects.toThrow();
      const rows = await db.query<{ id: number } & Row>('SELECT id FROM t_tx ORDER BY id');
      expect(rows.map((r) => r.id)).toEqual([1, 2]);
    });

    it('Db work started inside a transaction but run after it ends does not reuse it', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_late (id INTEGER)');
      let late: Promise<unknown> | undefined;
      let go!: () => void;
      const gate = new Promise<void>((r) => {
        go = r;
      });
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t_late VALUES (1)');
        // A detached task, still in the transaction's async context, that runs only after the commit.
        late = gate.then(() => db.query('INSERT INTO t_late VALUES (2)'));
      });
      go();
      await late;
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t_late VALUES (3)');
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect((await db.query('SELECT id FROM t_late ORDER BY id')).map((r) => r.id)).toEqual([1, 2]);
    });

    it('Db.transaction is isolated from concurrent callers', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_iso (id INTEGER)');
      const seen: number[] = [];
      let inserted!: () => void;
      const firstInserted = new Promise<void>((r) => {
        inserted = r;
      });
      const tx = db.transaction(async (t) => {
        await t.query('INSERT INTO t_iso VALUES (1)');
        inserted();
        await new Promise((r) => setTimeout(r, 100));
        await t.query('INSERT INTO t_iso VALUES (2)');
      });
      await firstInserted;
      const readers = Promise.all(
        [0, 1, 2].map(async () => {
          const [r] = await db.query('SELECT count(*) AS n FROM t_iso');
          seen.push(Number(r?.n));
        }),
      );
      await Promise.all([tx, readers]);
      for (const n of seen) expect([0, 2]).toContain(n);
      const [r] = await db.query('SELECT count(*) AS n FROM t_iso');
      expect(r?.n).toBe(2);
    });

    it('Db reads outside a transaction are not blocked by an open transaction', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_read (id INTEGER)');
      await db.query('INSERT INTO t_read VALUES (1)');
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let started!: () => void;
      const inTx = new Promise<void>((r) => {
        started = r;
      });
      const tx = db.transaction(async (t) => {
        await t.query('INSERT INTO t_read VALUES (2)');
        started();
        await gate; // a long import, still running
        await t.query('INSERT INTO t_read VALUES (3)');
      });
      await inTx;
      // This read completes while the transaction is still open, and sees only committed rows.
      const during = await db.query('SELECT id FROM t_read ORDER BY id');
      expect(during).toEqual([{ id: 1 }]);
      release();
      await tx;
      expect((await db.query('SELECT id FROM t_read ORDER BY id')).map((r) => r.id)).toEqual([1, 2, 3]);
    });

    it('Db.bulkInsert round-trips every column type exactly, including NULLs', async () => {
      const db = store.db;
      await db.exec(`CREATE TABLE t_bulk (mmsi INTEGER, ts BIGINT, lat DOUBLE PRECISION, lon DOUBLE PRECISION, sog REAL,
        cog REAL, heading SMALLINT, nav_status SMALLINT, msg_type SMALLINT, class TEXT, import_id TEXT, flag BOOLEAN)`);
      const cols: ColumnSpec[] = [
        { name: 'mmsi', type: 'int' },
        { name: 'ts', type: 'bigint' },
        { name: 'lat', type: 'double' },
        { name: 'lon', type: 'double' },
        { name: 'sog', type: 'real' },
        { name: 'cog', type: 'real' },
        { name: 'heading', type: 'smallint' },
        { name: 'nav_status', type: 'smallint' },
        { name: 'msg_type', type: 'smallint' },
        { name: 'class', type: 'text' },
        { name: 'import_id', type: 'text' },
        { name: 'flag', type: 'bool' },
      ];
      const n = 5000;
      const mmsi = new Int32Array(n);
      const ts = new BigInt64Array(n);
      const lat = new Float64Array(n);
      const lon: Array<number | null> = [];
      const sog = new Float32Array(n);
      const cog: Array<number | null> = [];
      const heading = new Int16Array(n);
      const nav: Array<number | null> = [];
      const msg = new Int16Array(n);
      const cls: Array<string | null> = [];
      const imp: Array<string | null> = [];
      const flag: Array<boolean | null> = [];
      // Around the 12-byte limit of DuckDB's inlined strings: ASCII at 12 and 13 chars, 12 chars of 13 UTF-8 bytes,
      // the last ASCII code and the first non-ASCII one.
      const tricky = [
        '평양 항구',
        'tab\there',
        'line\nbreak',
        'back\\slash',
        'cr\rx',
        '\\N',
        '',
        'quote"\'',
        '🚢',
      ].concat(['TWELVE_CHARS', 'THIRTEEN_CHAR', 'abcdefghijké', '\u007f', '\u0080x', 'é']);
      for (let i = 0; i < n; i++) {
        mmsi[i] = 445_000_000 + i;
        ts[i] = 1_714_557_600_000n + BigInt(i) * 10_000n;
        lat[i] = 38 + i / 7919;
        lon.push(i % 10 === 0 ? null : 124 + i / 104_729);
        sog[i] = i % 11 === 0 ? Number.NaN : i / 97;
        cog.push(i % 13 === 0 ? null : (i * 7.3) % 360);
        heading[i] = (i * 3) % 360;
        nav.push(i % 17 === 0 ? null : i % 16);
        msg[i] = 1 + (i % 3);
        cls.push(i % 19 === 0 ? null : i % 2 === 0 ? 'A' : 'B');
        imp.push(tricky[i % tricky.length] as string);
        flag.push(i % 23 === 0 ? null : i % 2 === 0);
      }
      const all = [mmsi, ts, lat, lon, sog, cog, heading, nav, msg, cls, imp, flag];
      const half = Math.floor(n / 2);
      const slice = (a: (typeof all)[number], from: number, to: number) => a.slice(from, to) as (typeof all)[number];
      const written = await db.bulkInsert('t_bulk', cols, [
        { length: half, columns: all.map((a) => slice(a, 0, half)) },
        { length: n - half, columns: all.map((a) => slice(a, half, n)) },
      ]);
      expect(written).toBe(n);
      const rows = await db.query('SELECT * FROM t_bulk ORDER BY mmsi');
      expect(rows).toHaveLength(n);
      for (let i = 0; i < n; i++) {
        const expected = {
          mmsi: mmsi[i],
          ts: Number(ts[i]),
          lat: lat[i],
          lon: lon[i],
          sog: Number.isNaN(sog[i] as number) ? null : sog[i],
          cog: cog[i] === null ? null : Math.fround(cog[i] as number),
          heading: heading[i],
          nav_status: nav[i],
          msg_type: msg[i],
          class: cls[i],
          import_id: imp[i],
          flag: flag[i],
        };
        if (JSON.stringify(rows[i]) !== JSON.stringify(expected)) expect(rows[i]).toEqual(expected);
      }
      // BIGINT beyond 2^53 stays exact.
      await db.exec('CREATE TABLE t_big (v BIGINT, s TEXT)');
      await db.bulkInsert(
        't_big',
        [
          { name: 'v', type: 'bigint' },
          { name: 's', type: 'text' },
        ],
        [
          {
            length: 2,
            columns: [
              [9007199254740993n, -1],
              ['x', null],
            ],
          },
        ],
      );
      expect(await db.query('SELECT v, s FROM t_big ORDER BY v')).toEqual([
        { v: -1, s: null },
        { v: 9007199254740993n, s: 'x' },
      ]);
    });

    it('Db.bulkInsert converts when the spec types differ from the table types', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_cast (a BIGINT, b DOUBLE PRECISION, note TEXT, ok BOOLEAN)');
      const tricky = ['평양\t항구', 'line\nbreak\r', 'back\\slash', '\\N', '', null];
      await db.bulkInsert(
        't_cast',
        [
          { name: 'a', type: 'int' },
          { name: 'b', type: 'real' },
          { name: 'note', type: 'text' },
          { name: 'ok', type: 'bool' },
        ],
        [
          {
            length: tricky.length,
            columns: [
              Int32Array.from(tricky.map((_, i) => i - 2)),
              Float32Array.from(tricky.map((_, i) => (i === 3 ? Number.NaN : i + 0.5))),
              tricky,
              tricky.map((_, i) => (i === 4 ? null : i % 2 === 0)),
            ],
          },
        ],
      );
      const rows = await db.query('SELECT a, b, note, ok FROM t_cast ORDER BY a');
      expect(rows).toEqual(
        tricky.map((note, i) => ({ a: i - 2, b: i === 3 ? null : i + 0.5, note, ok: i === 4 ? null : i % 2 === 0 })),
      );
    });

    it('Db.bulkInsert handles text values larger than its buffers', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_long (id INTEGER, body TEXT)');
      const long = `${'북한 선박 '.repeat(300_000)}끝`;
      const ids = new Int32Array(3000);
      const bodies: string[] = [];
      for (let i = 0; i < ids.length; i++) {
        ids[i] = i;
        bodies.push(i === 1500 ? long : `row ${i} ${'x'.repeat(i % 40)}`);
      }
      await db.bulkInsert(
        't_long',
        [
          { name: 'id', type: 'int' },
          { name: 'body', type: 'text' },
        ],
        [{ length: ids.length, columns: [ids, bodies] }],
      );
      const [big] = await db.query('SELECT length(body) AS n, body FROM t_long WHERE id = $1', [1500]);
      expect(big?.n).toBe(long.length);
      expect(big?.body).toBe(long);
      const rest = await db.query('SELECT id, body FROM t_long WHERE id <> $1 ORDER BY id', [1500]);
      expect(rest.map((r) => r.body)).toEqual(bodies.filter((_, i) => i !== 1500));
    });

    it('Db.bulkInsert loads a large input from a generator that refills its arrays', async () => {
      await store.db.exec(BIG_TABLE);
      const rows = 330_000;
      expect(await store.db.bulkInsert('t_big_load', BIG_SPEC, bigSync(rows))).toBe(rows);
      await expectBigLoad(store, rows);
    });

    it('Db.bulkInsert loads a large async input in several segments, refilled arrays and all', async () => {
      await store.db.exec(BIG_TABLE);
      const rows = 520_000;
      expect(await store.db.bulkInsert('t_big_load', BIG_SPEC, bigAsync(rows))).toBe(rows);
      await expectBigLoad(store, rows);
    });

    it('Db.bulkInsert of a large input that fails mid-way throws its error and writes nothing', async () => {
      await store.db.exec(BIG_TABLE);
      await store.db.bulkInsert('t_big_load', BIG_SPEC, bigSync(1000));
      await expect(store.db.bulkInsert('t_big_load', BIG_SPEC, bigSync(330_000, 280_000))).rejects.toThrow(
        'source failed at row 280000',
      );
      await expect(store.db.bulkInsert('t_big_load', BIG_SPEC, bigAsync(520_000, 480_000))).rejects.toThrow(
        'source failed at row 480000',
      );
      await expectBigLoad(store, 1000);
      // A large load inside a transaction that then fails is rolled back with it.
      await expect(
        store.db.transaction(async (tx) => {
          await tx.bulkInsert('t_big_load', BIG_SPEC, bigSync(250_000));
          throw new Error('abort after load');
        }),
      ).rejects.toThrow('abort after load');
      await expectBigLoad(store, 1000);
      // The store keeps working, and a new large load still goes through.
      await store.db.exec('DELETE FROM t_big_load');
      await store.db.bulkInsert('t_big_load', BIG_SPEC, bigSync(260_000));
      await expectBigLoad(store, 260_000);
    });

    it('Db.bulkInsert of a large input converts types and fills a column subset', async () => {
      await store.db.exec('CREATE TABLE t_big_cast (id BIGINT, extra TEXT, v DOUBLE PRECISION, tag TEXT)');
      const n = 300_000;
      const spec: ColumnSpec[] = [
        { name: 'tag', type: 'text' },
        { name: 'v', type: 'real' },
        { name: 'id', type: 'int' },
      ];
      const id = new Int32Array(n);
      const v = new Float32Array(n);
      const tag: Array<string | null> = [];
      for (let i = 0; i < n; i++) {
        id[i] = i - 1000;
        v[i] = i % 4 === 0 ? Number.NaN : (i % 100) / 4;
        tag.push(i % 2 === 0 ? 'even' : null);
      }
      expect(await store.db.bulkInsert('t_big_cast', spec, [{ length: n, columns: [tag, v, id] }])).toBe(n);
      const [agg] = await store.db.query(
        'SELECT count(*) AS n, sum(id) AS sid, count(v) AS nv, sum(v) AS sv, count(tag) AS nt, count(extra) AS ne FROM t_big_cast',
      );
      let sv = 0;
      let nv = 0;
      for (let i = 0; i < n; i++)
        if (i % 4 !== 0) {
          sv += (i % 100) / 4;
          nv += 1;
        }
      expect(agg).toEqual({ n, sid: (n * (n - 1)) / 2 - 1000 * n, nv, sv, nt: n / 2, ne: 0 });
      const some = await store.db.query(
        'SELECT id, v, tag, extra FROM t_big_cast WHERE id IN (-1000, -999, 5) ORDER BY id',
      );
      expect(some).toEqual([
        { id: -1000, v: null, tag: 'even', extra: null },
        { id: -999, v: 0.25, tag: null, extra: null },
        { id: 5, v: 1.25, tag: null, extra: null },
      ]);
    });

    it('Db.bulkInsert keeps a column that holds one value per chunk (short, long, after NULLs)', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_const (i INTEGER, s TEXT, l TEXT)');
      const n = 10_000;
      const long = 'a constant value longer than twelve bytes — 북한';
      const i32 = new Int32Array(n);
      const s: Array<string | null> = [];
      const l: Array<string | null> = [];
      for (let i = 0; i < n; i++) {
        i32[i] = i;
        // Chunks of 2048: all 'A' in the first, one NULL in the second, 'B' from row 4096 on.
        s.push(i === 3000 ? null : i < 4096 ? 'A' : 'B');
        l.push(i < 2048 ? null : long);
      }
      await db.bulkInsert(
        't_const',
        [
          { name: 'i', type: 'int' },
          { name: 's', type: 'text' },
          { name: 'l', type: 'text' },
        ],
        [{ length: n, columns: [i32, s, l] }],
      );
      const rows = await db.query('SELECT i, s, l FROM t_const ORDER BY i');
      expect(rows.map((r) => r.s)).toEqual(s);
      expect(rows.map((r) => r.l)).toEqual(l);
    });

    it('Db.bulkInsert accepts a column subset in any order and joins the transaction', async () => {
      const db = store.db;
      await db.exec('CREATE TABLE t_sub (a INTEGER, b TEXT, c BIGINT)');
      const spec: ColumnSpec[] = [
        { name: 'c', type: 'bigint' },
        { name: 'a', type: 'int' },
      ];
      await db.bulkInsert('t_sub', spec, [
        {
          length: 2,
          columns: [
            [10, 20],
            [1, 2],
          ],
        },
      ]);
      expect(await db.query('SELECT a, b, c FROM t_sub ORDER BY a')).toEqual([
        { a: 1, b: null, c: 10 },
        { a: 2, b: null, c: 20 },
      ]);
      await expect(
        db.transaction(async (tx) => {
          await tx.bulkInsert('t_sub', spec, [
            {
              length: 3,
              columns: [
                [30, 40, 50],
                [3, 4, 5],
              ],
            },
          ]);
          const [mid] = await tx.query('SELECT count(*) AS n FROM t_sub');
          expect(mid?.n).toBe(5);
          throw new Error('abort import');
        }),
      ).rejects.toThrow('abort import');
      async function* failing() {
        yield { length: 1, columns: [[60], [6]] };
        throw new Error('bad batch');
      }
      await expect(db.bulkInsert('t_sub', spec, failing())).rejects.toThrow('bad batch');
      const [after] = await db.query('SELECT count(*) AS n FROM t_sub');
      expect(after?.n).toBe(2);
    });
  });
}
