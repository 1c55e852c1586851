/**
 * Imports of files with bad lines: a file none of whose lines can be read is refused (and not recorded, so a second
 * run refuses it again), and a line with an implausible time costs that line only (file, CLI and worker paths).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { importCsvFile } from '../../src/ingest/ais-csv.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { runCli } from '../support/cli.js';
import { checksum, timedRepeat } from './encode.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-ais-import-bad-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function freshStore(): Promise<Store> {
  n++;
  return openStore({ url: path.join(dir, `s${n}.duckdb`) });
}
async function query1(store: Store, sql: string): Promise<number> {
  const [r] = await store.db.query(sql);
  return Number(Object.values(r!)[0]);
}

const DMA = readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'), 'latin1');
/** The DMA sentences, each with a receiver time (1,700,000,000 s on). */
const TIMED = timedRepeat(DMA, 1).split('\n').filter(Boolean);

/** A file whose every line is bad: wrong checksums, truncated sentences, text, an implausible time. */
function allBad(): string {
  const lines = TIMED.slice(0, 6);
  return [
    lines[0]!.replace(/\*..$/, '*00'),
    lines[1]!.slice(0, 30),
    'this is not NMEA',
    `99999999999999999999 ${lines[2]!.slice(15)}`,
    lines[3]!.replace(/\*..$/, '*ZZ'),
    '',
  ].join('\n');
}

describe('NMEA import of bad files', () => {
  for (const threads of [0, 1] as const) {
    it(`refuses a file whose lines are all bad, names the first ones, and records nothing (threads ${threads})`, async () => {
      const store = await freshStore();
      const file = path.join(dir, `all-bad-${threads}.nmea`);
      writeFileSync(file, allBad());
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const err = await importNmeaFile(store, file, { threads }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(InputError);
          const msg = (err as Error).message;
          expect(msg).toContain(`${file}: no AIS message could be read: 5 bad lines`);
          expect(msg).toContain(`${file}:1: checksum 00 does not match the sentence`);
          expect(msg).toContain(`${file}:2: no '*hh' checksum`);
          expect(msg).toContain(`${file}:3: not an NMEA sentence`);
        }
        expect(await store.listImports()).toEqual([]);
        expect(await query1(store, 'SELECT count(*) FROM positions')).toBe(0);
      } finally {
        await store.close();
      }
    });

    it(`a line with a 20-digit or year-3000 time is one malformed line; the rest lands (threads ${threads})`, async () => {
      const body = (l: string) => l.slice(15);
      const tag = (t: string) => `\\c:${t}*${checksum(`c:${t}`)}\\`;
      const bad = [
        `12345678901234567890 ${body(TIMED[10]!)}`,
        `${tag('12345678901234567890')}${body(TIMED[11]!)}`,
        `${body(TIMED[12]!)},32503680000`,
        `${tag('32503680000')}${body(TIMED[13]!)}`,
      ];
      const clean = path.join(dir, `clean-${threads}.nmea`);
      const dirty = path.join(dir, `dirty-${threads}.nmea`);
      writeFileSync(clean, `${TIMED.filter((_, i) => i < 10 || i > 13).join('\n')}\n`);
      writeFileSync(dirty, `${[...TIMED.slice(0, 10), ...bad, ...TIMED.slice(14)].join('\n')}\n`);
      const a = await freshStore();
      const b = await freshStore();
      try {
        const ra = await importNmeaFile(a, clean, { threads });
        const rb = await importNmeaFile(b, dirty, { threads });
        expect(rb.positions).toBe(ra.positions);
        expect(rb.positions).toBeGreaterThan(2900);
        expect(rb.input.malformed).toBe(ra.input.malformed! + 4);
        expect(rb.badLines.map((x) => x.line)).toEqual([11, 12, 13, 14]);
        expect(rb.badLines[2]!.reason).toContain('3000-01-01T00:00:00.000Z is outside the plausible window');
        expect(await query1(b, 'SELECT max(ts) FROM positions')).toBe(await query1(a, 'SELECT max(ts) FROM positions'));
        expect(await query1(b, 'SELECT max(ts) FROM positions')).toBeLessThan(Date.UTC(2024, 0, 1));
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  it('CSV: a file none of whose rows can be used is refused; a row dated in the year 3000 is skipped alone', async () => {
    const csv = readFileSync(dataPath('ais', 'noaa-marinecadastre', 'NYHarbor_2020_06_30_first_hour.csv'), 'latin1')
      .split('\n')
      .filter(Boolean);
    const header = csv[0]!;
    const rows = csv.slice(1, 201);
    const bad = path.join(dir, 'all-bad.csv');
    const year3000 = (r: string) => r.replace(/2020-06-30T\d\d:\d\d:\d\d/, '3000-01-01T00:00:00');
    writeFileSync(
      bad,
      `${[
        header,
        ...rows.slice(0, 3).map(year3000),
        rows[3]!
          .split(',')
          .map((v, i) => (i === 3 ? 'x' : v))
          .join(','),
      ].join('\n')}\n`,
    );
    const store = await freshStore();
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const err = await importCsvFile(store, bad).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InputError);
        expect((err as Error).message).toContain(
          `${bad}: no row could be used: 4 rows (1 without valid mmsi/lat/lon, 0 without a readable time, 3 with an implausible time). First: ${bad}:2: time "3000-01-01T00:00:00" is outside the plausible window`,
        );
      }
      expect(await store.listImports()).toEqual([]);
      const some = path.join(dir, 'some-bad.csv');
      writeFileSync(some, `${[header, ...rows.slice(0, 100), year3000(rows[100]!), ...rows.slice(101)].join('\n')}\n`);
      const r = await importCsvFile(store, some);
      expect(r.input).toMatchObject({ rows: 200, badTime: 1 });
      expect(await query1(store, 'SELECT max(ts) FROM positions')).toBeLessThan(Date.UTC(2020, 6, 1));
    } finally {
      await store.close();
    }
  });

  it('CLI: exits 1 naming the bad lines, again on a second run; --verbose lists the first bad lines', async () => {
    const file = path.join(dir, 'cli-all-bad.nmea');
    writeFileSync(file, allBad());
    const db = path.join(dir, 'cli.duckdb');
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await runCli(['--db', db, 'ais', 'import', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file}: no AIS message could be read`);
      expect(r.stderr).toContain(`${file}:1: checksum 00 does not match`);
      expect(r.stdout).not.toContain('already imported');
    }
    const some = path.join(dir, 'cli-some-bad.nmea');
    writeFileSync(
      some,
      `${[...TIMED.slice(0, 50), 'garbage', `99999999999999999999 ${TIMED[50]!.slice(15)}`].join('\n')}\n`,
    );
    const r = await runCli(['--db', db, '--verbose', 'ais', 'import', some]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('first bad lines:');
    expect(r.stdout).toContain(`${some}:line 51: malformed: not an NMEA sentence`);
    expect(r.stdout).toContain(`${some}:line 52: malformed: receiver time before the sentence`);
  });
});
