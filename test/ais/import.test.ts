import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { importCsvFile, parseColumnMap } from '../../src/ingest/ais-csv.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { identityHistory, listVessels, mmsisForImo, track, vesselDetail } from '../../src/maritime/store/repository.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { BitWriter, checksum, sentences, timedRepeat } from './encode.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-ais-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function freshStore(): Promise<Store> {
  n++;
  return openStore({ url: path.join(dir, `s${n}.duckdb`) });
}
async function count(store: Store, table: string): Promise<number> {
  const [r] = await store.db.query(`SELECT count(*) AS n FROM ${table}`);
  return Number(r!.n);
}

const DMA = dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt');

describe('NMEA import', () => {
  it('imports the DMA file once: positions, static rows, identities, vessel statements', async () => {
    const store = await freshStore();
    try {
      const r = await importNmeaFile(store, DMA);
      expect(r).toMatchObject({ created: true, kind: 'ais-nmea', positions: 2965, identities: 493, vessels: 1720 });
      expect(r.input).toMatchObject({ messages: 4051, badChecksum: 0, untimed: 0 });
      expect(await count(store, 'positions')).toBe(2965);
      expect(await count(store, 'vessel_identity')).toBe(493);
      const [span] = await store.db.query(
        'SELECT min(ts) AS a, max(ts) AS b, count(DISTINCT mmsi) AS v FROM positions',
      );
      expect(new Date(Number(span!.a)).toISOString()).toBe('2010-06-11T11:46:10.000Z');
      expect(Number(span!.v)).toBe(1390);
      // Class B static data: part A gave the name, part B the call sign.
      const hist = await identityHistory(store.db, 219009236);
      expect(hist.at(-1)).toMatchObject({ name: 'SNOWFLAKE H36', callsign: 'XP3498', shipType: 90, flag: 'DK' });
      const v = await store.getEntity('ais-219009236');
      expect(v?.schema).toBe('Vessel');
      expect(Object.fromEntries(v!.properties)).toMatchObject({
        mmsi: ['219009236'],
        name: ['SNOWFLAKE H36'],
        callSign: ['XP3498'],
        flag: ['dk'],
      });
      expect(await mmsisForImo(store.db, 9329306)).toEqual([258750000]);
      // Idempotent: the same file again writes nothing.
      const again = await importNmeaFile(store, DMA);
      expect(again.created).toBe(false);
      expect(await count(store, 'positions')).toBe(2965);
      expect((await store.listImports('ais-nmea')).length).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('reads gzip and stores units: degrees, knots, NULL for not available', async () => {
    const store = await freshStore();
    try {
      const gz = path.join(dir, 'dma.nmea.gz');
      writeFileSync(gz, gzipSync(readFileSync(DMA)));
      const r = await importNmeaFile(store, gz);
      expect(r.positions).toBe(2965);
      const p = await track(store.db, 258902000);
      expect(p[0]).toMatchObject({
        lat: 55.3168,
        sog: 11,
        cog: 57.8,
        heading: 60,
        navStatus: 0,
        msgType: 3,
        class: 'A',
      });
      const [na] = await store.db.query('SELECT count(*) AS n FROM positions WHERE sog IS NULL OR heading IS NULL');
      expect(Number(na!.n)).toBeGreaterThan(100);
      const [bad] = await store.db.query(
        'SELECT count(*) AS n FROM positions WHERE abs(lat) > 90 OR abs(lon) > 180 OR sog > 102.2',
      );
      expect(Number(bad!.n)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('refuses a file without any time source unless --start-time is given, and leaves the store as it was', async () => {
    const store = await freshStore();
    try {
      const lines = readFileSync(DMA, 'latin1')
        .split('\n')
        .filter((l) => l.startsWith('!'));
      const file = path.join(dir, 'untimed.nmea');
      writeFileSync(file, `${lines.join('\n')}\n`);
      await expect(importNmeaFile(store, file)).rejects.toThrow(InputError);
      await expect(importNmeaFile(store, file)).rejects.toThrow(/--start-time/);
      expect(await count(store, 'positions')).toBe(0);
      expect(await store.listImports()).toEqual([]);
      const r = await importNmeaFile(store, file, { startTimeMs: Date.parse('2024-05-01T00:00:00Z') });
      expect(r.positions).toBeGreaterThan(2800);
      // Two DMA lines carry a receiver time after the checksum; every other message gets the start time.
      const [t] = await store.db.query('SELECT count(*) AS n FROM positions WHERE ts = $1', [
        Date.parse('2024-05-01T00:00:00Z'),
      ]);
      expect(Number(t!.n)).toBe(r.positions - 2);
    } finally {
      await store.close();
    }
  });

  it('is atomic: a file that breaks after positions were flushed leaves nothing behind', async () => {
    const store = await freshStore();
    try {
      // ~296k distinct positions (more than one flush of 245,760 before the cut), then a gzip stream cut short.
      const text = timedRepeat(readFileSync(DMA, 'latin1'), 100);
      const gz = gzipSync(Buffer.from(text, 'latin1'));
      const file = path.join(dir, 'broken.nmea.gz');
      writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.95)));
      await expect(importNmeaFile(store, file)).rejects.toThrow();
      expect(await count(store, 'positions')).toBe(0);
      expect(await count(store, 'vessel_identity')).toBe(0);
      expect(await store.listImports()).toEqual([]);
      // The whole file imports.
      const ok = path.join(dir, 'whole.nmea.gz');
      writeFileSync(ok, gz);
      const r = await importNmeaFile(store, ok);
      // Two DMA lines carry their own receiver time (the same in every repetition): kept once per de-duplication
      // window (65,536 to 131,072 positions), so a few times in 296k positions.
      expect(r.positions + r.rows.duplicates).toBe(2963 * 100 + 2 * 100);
      expect(r.positions).toBe(2963 * 100 + 2 * 3);
      expect(await count(store, 'positions')).toBe(r.positions);
    } finally {
      await store.close();
    }
  });

  it('records identity changes as history (name and call sign change over time)', async () => {
    const store = await freshStore();
    try {
      const t5 = (name: string, callsign: string) =>
        sentences(
          new BitWriter()
            .put(5, 6)
            .put(0, 2)
            .put(445001234, 30)
            .put(0, 2)
            .put(9123456, 30)
            .text(callsign, 7)
            .text(name, 20)
            .put(80, 8)
            .padTo(424).bits,
        );
      const tb = (s: number) => {
        const body = `c:${s}`;
        return `\\${body}*${checksum(body)}\\`;
      };
      const lines: string[] = [];
      const [a1, a2] = t5('CHON MA SAN', 'HMYX');
      const [b1, b2] = t5('XIN HAI', 'HMZZ');
      lines.push(`${tb(1700000000)}${a1}`, a2!, `${tb(1700003600)}${a1}`, a2!, `${tb(1700090000)}${b1}`, b2!);
      const file = path.join(dir, 'identity.nmea');
      writeFileSync(file, `${lines.join('\n')}\n`);
      await importNmeaFile(store, file);
      const hist = await identityHistory(store.db, 445001234);
      expect(hist).toEqual([
        {
          mmsi: 445001234,
          name: 'CHON MA SAN',
          callsign: 'HMYX',
          imo: 9123456,
          shipType: 80,
          flag: 'KP',
          firstSeen: 1700000000000,
          lastSeen: 1700003600000,
          messages: 2,
        },
        {
          mmsi: 445001234,
          name: 'XIN HAI',
          callsign: 'HMZZ',
          imo: 9123456,
          shipType: 80,
          flag: 'KP',
          firstSeen: 1700090000000,
          lastSeen: 1700090000000,
          messages: 1,
        },
      ]);
      const d = await vesselDetail(store, 445001234);
      expect(d).toMatchObject({ flag: 'KP', positionCount: 0, entityId: 'ais-445001234' });
      const e = await store.getEntity('ais-445001234');
      expect(e?.properties.get('imoNumber')).toEqual(['IMO9123456']);
      expect(e?.properties.get('flag')).toEqual(['kp']);
    } finally {
      await store.close();
    }
  });
});

describe('CSV import', () => {
  it('imports NOAA MarineCadastre CSV with static data and fixes its signed COG', async () => {
    const store = await freshStore();
    try {
      const file = dataPath('ais', 'noaa-marinecadastre', 'NYHarbor_2020_06_30_first_hour.csv');
      const r = await importCsvFile(store, file);
      expect(r).toMatchObject({ created: true, kind: 'ais-csv', positions: 8687, vessels: 295 });
      expect(r.input).toEqual({ rows: 8689, badRows: 0, noTime: 0, badTime: 0 });
      const first = await track(store.db, 367000140, { limit: 1 });
      // Row 1: COG -60.6 is 349.0° read as a signed 12-bit number.
      expect(first[0]).toMatchObject({
        time: '2020-06-30T00:00:00.000Z',
        lat: 40.64409,
        lon: -74.07157,
        sog: 0,
        cog: 349,
        heading: 246,
        class: 'B',
        msgType: 18,
      });
      expect((await identityHistory(store.db, 367000140))[0]).toMatchObject({
        name: 'SAMUEL I NEWHOUSE',
        callsign: 'WYR3371',
        imo: 7702774,
        shipType: 60,
        flag: 'US',
      });
      const vessels = await listVessels(store.db, { q: 'newhouse' });
      expect(vessels.map((v) => v.mmsi)).toEqual([367000140]);
      expect((await importCsvFile(store, file)).created).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('imports the mmsi,timestamp,lon,lat conversion and a CSV mapped with --map', async () => {
    const store = await freshStore();
    try {
      const r = await importCsvFile(store, dataPath('ais', 'noaa-marinecadastre', 'NYHarbor_2020_12_08.csv'));
      expect(r.positions).toBe(9091);
      const file = path.join(dir, 'mapped.csv');
      writeFileSync(
        file,
        'ship;when;y;x;kn\n'.replace(/;/g, ',') +
          '445001234,2024-05-01T00:00:00Z,39.0,125.7,3.5\n445001234,1714521660,39.01,125.71,4\n',
      );
      const map = parseColumnMap('ship=mmsi,when=time,y=lat,x=lon,kn=sog');
      const m = await importCsvFile(store, file, { map });
      expect(m.positions).toBe(2);
      expect(await track(store.db, 445001234)).toMatchObject([
        { ts: 1714521600000, lat: 39, lon: 125.7, sog: 3.5 },
        { ts: 1714521660000, lat: 39.01, lon: 125.71, sog: 4 },
      ]);
      const bad = path.join(dir, 'bad.csv');
      writeFileSync(bad, 'a,b\n1,2\n');
      await expect(importCsvFile(store, bad)).rejects.toThrow(/no column for mmsi, time, lat, lon/);
      expect(() => parseColumnMap('x=nope')).toThrow(/unknown field "nope"/);
    } finally {
      await store.close();
    }
  });
});

/** The global DuckDB settings a streaming load changes while it runs (see scan-insert.ts STREAM_SETTINGS). */
async function duckThreads(store: Store): Promise<string> {
  const [r] = await store.db.query(
    "SELECT current_setting('threads') AS t, current_setting('write_buffer_row_group_count') AS w",
  );
  return `threads=${r!.t} write_buffer_row_group_count=${r!.w}`;
}

/** Everything stored about positions, as one comparable row. */
async function positionsFingerprint(store: Store): Promise<Record<string, number>> {
  const [r] = await store.db.query(
    `SELECT count(*) AS n, sum(mmsi) AS mmsi, sum(ts) AS ts, round(sum(lat), 6) AS lat, round(sum(lon), 6) AS lon,
            round(sum(coalesce(sog, -1)), 3) AS sog, round(sum(coalesce(cog, -1)), 3) AS cog,
            sum(coalesce(heading, -1)) AS heading, sum(coalesce(nav_status, -1)) AS nav, sum(msg_type) AS type,
            sum(coalesce(class, 0)) AS cls
     FROM positions`,
  );
  return Object.fromEntries(Object.entries(r!).map(([k, v]) => [k, Number(v)]));
}

describe('NMEA import in a worker thread', () => {
  it('stores exactly what the single-thread import stores, and skips a file imported before', async () => {
    const file = path.join(dir, 'dma-x6.nmea');
    writeFileSync(file, timedRepeat(readFileSync(DMA, 'latin1'), 6));
    const a = await freshStore();
    const b = await freshStore();
    try {
      const here = await importNmeaFile(a, file, { threads: 0 });
      let progress = 0;
      const worker = await importNmeaFile(b, file, { threads: 1, onProgress: (n) => (progress = n) });
      expect(worker.positions).toBe(2963 * 6 + 2);
      expect(progress).toBeGreaterThan(0);
      const { seconds: _s1, ...h } = here;
      const { seconds: _s2, ...w } = worker;
      expect(w).toEqual(h);
      expect(await positionsFingerprint(b)).toEqual(await positionsFingerprint(a));
      for (const t of ['vessel_static', 'vessel_identity']) expect(await count(b, t)).toBe(await count(a, t));
      expect(await identityHistory(b.db, 219009236)).toEqual(await identityHistory(a.db, 219009236));
      const again = await importNmeaFile(b, file, { threads: 1 });
      expect(again.created).toBe(false);
      expect(await count(b, 'positions')).toBe(2963 * 6 + 2);
      // The streaming load ran with at most two DuckDB threads and unbuffered row groups; the settings are back.
      expect(await duckThreads(b)).toBe(await duckThreads(a));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('checks small worker batches for duplicates on the main thread exactly as the single-thread import does', async () => {
    // Each DMA copy twice (the second copy's lines are all duplicates, seen across batch boundaries).
    const once = timedRepeat(readFileSync(DMA, 'latin1'), 3);
    const file = path.join(dir, 'dma-twice.nmea');
    writeFileSync(file, once + once);
    const a = await freshStore();
    const b = await freshStore();
    try {
      const here = await importNmeaFile(a, file, { threads: 0 });
      const worker = await importNmeaFile(b, file, { threads: 1, workerBatchRows: 1000 });
      expect(worker.positions).toBe(2963 * 3 + 2); // as for one copy: the second copy adds nothing
      expect(worker.rows.duplicates).toBeGreaterThanOrEqual(2963 * 3);
      const { seconds: _s1, ...h } = here;
      const { seconds: _s2, ...w } = worker;
      expect(w).toEqual(h);
      expect(await positionsFingerprint(b)).toEqual(await positionsFingerprint(a));
      const statements = async (s: Store) =>
        s.db.query('SELECT entity_id, prop, value, source_record FROM statements ORDER BY ALL');
      expect(await statements(b)).toEqual(await statements(a));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('is atomic and refuses untimed files like the single-thread import', async () => {
    const store = await freshStore();
    try {
      const text = timedRepeat(readFileSync(DMA, 'latin1'), 100);
      const gz = gzipSync(Buffer.from(text, 'latin1'));
      const broken = path.join(dir, 'broken-w.nmea.gz');
      writeFileSync(broken, gz.subarray(0, Math.floor(gz.length * 0.95)));
      // Three threads: the streaming load lowers them to two, and puts three back after the failure.
      await store.db.exec('SET threads = 3');
      const threads = await duckThreads(store);
      await expect(importNmeaFile(store, broken, { threads: 1 })).rejects.toThrow();
      expect(await duckThreads(store)).toBe(threads);
      expect(threads).toContain('threads=3');
      const untimed = path.join(dir, 'untimed-w.nmea');
      writeFileSync(
        untimed,
        `${readFileSync(DMA, 'latin1')
          .split('\n')
          .filter((l) => l.startsWith('!'))
          .join('\n')}\n`,
      );
      await expect(importNmeaFile(store, untimed, { threads: 1 })).rejects.toThrow(/--start-time/);
      expect(await count(store, 'positions')).toBe(0);
      expect(await count(store, 'vessel_static')).toBe(0);
      expect(await store.listImports()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('de-duplication across files', () => {
  it('importing two overlapping parts of a file stores what importing the whole file stores', async () => {
    // Four copies of the DMA file with shifted times, cut into two parts that share the middle 20% of the lines
    // (as two exports of overlapping time ranges would).
    const lines = timedRepeat(readFileSync(DMA, 'latin1'), 4).split('\n').filter(Boolean);
    const cutA = Math.floor(lines.length * 0.6);
    const cutB = Math.floor(lines.length * 0.4);
    const whole = path.join(dir, 'whole4.nmea');
    const partA = path.join(dir, 'part-a.nmea');
    const partB = path.join(dir, 'part-b.nmea');
    writeFileSync(whole, `${lines.join('\n')}\n`);
    writeFileSync(partA, `${lines.slice(0, cutA).join('\n')}\n`);
    writeFileSync(partB, `${lines.slice(cutB).join('\n')}\n`);
    const one = await freshStore();
    const two = await freshStore();
    try {
      const w = await importNmeaFile(one, whole);
      const a = await importNmeaFile(two, partA);
      const b = await importNmeaFile(two, partB, { threads: 1 });
      expect(w.positions).toBe(2963 * 4 + 2);
      expect(a.rows.alreadyStored).toBe(0);
      expect(b.rows.alreadyStored).toBeGreaterThan(1000);
      expect(a.positions + b.positions).toBe(w.positions);
      expect(await positionsFingerprint(two)).toEqual(await positionsFingerprint(one));
      // No static row is stored twice either.
      const [dup] = await two.db.query(
        `SELECT count(*) AS n FROM (SELECT mmsi, ts, name, callsign, imo, destination, count(*) AS c
           FROM vessel_static GROUP BY ALL HAVING count(*) > 1)`,
      );
      expect(Number(dup!.n)).toBe(0);
      // The same data under another name (another sha256) adds nothing.
      const copy = path.join(dir, 'part-a-copy.nmea');
      writeFileSync(copy, `\n${lines.slice(0, cutA).join('\n')}\n`);
      const c = await importNmeaFile(two, copy);
      expect(c.created).toBe(true);
      expect(c.positions).toBe(0);
      expect(c.staticRows).toBe(0);
      expect(await count(two, 'positions')).toBe(w.positions);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
