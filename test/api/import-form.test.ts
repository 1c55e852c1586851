import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import type { ImportJob } from '../../src/imports/jobs.js';
import { importFiles, importSha256, versionId } from '../../src/lists/import.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * POST /imports/lists with a multipart/form-data body of several files: OFAC's CSV set (sdn.csv, add.csv, alt.csv,
 * sdn_comments.csv of data/sanctions/ofac/csv_set_2021-07-07) imports as the same list version as
 * `watchkeeper lists import DIR`; a set without sdn.csv (400), a part that is not OFAC's CSV (415), a form over the
 * cap (413) and a set the importer refuses (job failed) write nothing. Bodies are encoded by undici's FormData,
 * as a browser encodes them.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SET_DIR = path.join(ROOT, 'data/sanctions/ofac/csv_set_2021-07-07');
const read = (name: string) => readFileSync(path.join(SET_DIR, name));
const SDN = read('sdn.csv');
const ADD = read('add.csv');
const ALT = read('alt.csv');
const COMMENTS = read('sdn_comments.csv');
const NMEA = readFileSync(path.join(ROOT, 'test/fixtures/ais/uscg-nais.nmea'));

let dir: string;
let store: Store;
let app: FastifyInstance;

type Part = [field: string, bytes: Buffer, filename: string];

/** The body and Content-Type a browser sends for these file parts. */
async function form(parts: Part[]): Promise<{ body: Buffer; type: string }> {
  const fd = new FormData();
  for (const [field, bytes, filename] of parts) fd.append(field, new Blob([new Uint8Array(bytes)]), filename);
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  return { body: Buffer.from(await req.arrayBuffer()), type: req.headers.get('content-type') ?? '' };
}

async function post(url: string, parts: Part[], opts: { stream?: boolean } = {}) {
  const { body, type } = await form(parts);
  return app.inject({
    method: 'POST',
    url,
    // Streamed: no Content-Length, so only the cap counted while reading can stop it.
    payload: opts.stream ? Readable.from([body.subarray(0, 1000), body.subarray(1000)]) : body,
    headers: { 'content-type': type },
  });
}

async function settle(id: string): Promise<ImportJob> {
  for (;;) {
    const j = (await app.inject({ method: 'GET', url: `/imports/jobs/${id}` })).json() as ImportJob;
    if (j.state !== 'queued' && j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const importDirs = () => {
  const d = path.join(dir, 'imports');
  return existsSync(d) ? readdirSync(d) : [];
};

/** What a failed upload or job must leave as it was. */
async function written() {
  const n = async (sql: string) => Number((await store.db.query(sql))[0]?.n ?? 0);
  return {
    versions: (await store.listVersions()).length,
    statements: await n('SELECT count(*) AS n FROM statements'),
    imports: await n('SELECT count(*) AS n FROM imports'),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-import-form-'));
  store = await openStore({ url: path.join(dir, 'wk.duckdb') });
  app = await buildServer({ store, logLevel: false });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('imports over HTTP: several files in one form', () => {
  it("imports OFAC's CSV set as the same version as `lists import DIR`", async () => {
    const r = await post('/imports/lists', [
      ['sdn', SDN, 'sdn.csv'],
      ['add', ADD, 'add.csv'],
      ['alt', ALT, 'alt.csv'],
      // By its file name, whatever the field.
      ['file', COMMENTS, 'SDN_COMMENTS.CSV'],
    ]);
    expect(r.statusCode).toBe(202);
    const queued = r.json() as ImportJob;
    expect(queued).toMatchObject({
      kind: 'lists',
      format: 'ofac-csv',
      filename: 'sdn.csv, add.csv, alt.csv, sdn_comments.csv',
      sizeBytes: SDN.length + ADD.length + ALT.length + COMMENTS.length,
    });
    const job = await settle(queued.id);
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    // The CLI's id for this directory: the sha256 over its four files' hashes.
    const cliId = versionId('us_ofac_sdn', await importSha256(importFiles(SET_DIR, 'ofac-csv')));
    expect(cliId).toBe('us_ofac_sdn@702bba4bfa9c');
    expect(job.sha256.slice(0, 12)).toBe('702bba4bfa9c');
    expect(job.result).toMatchObject({
      created: true,
      versionId: cliId,
      source: 'us_ofac_sdn',
      records: 8976,
      entities: 23000,
      statements: 169603,
      // add.csv, alt.csv and sdn_comments.csv were read.
      counts: { addresses: 11440, 'alt.alias': 11541, commentRows: 5 },
    });
    expect((await store.listVersions('us_ofac_sdn')).map((v) => v.id)).toEqual([cliId]);
    expect(importDirs()).toEqual([]);
  });

  it('refuses a set without sdn.csv (400) and a part that is not OFAC CSV (415), naming the part', async () => {
    const before = await written();
    const noSdn = await post('/imports/lists', [
      ['add', ADD.subarray(0, 4000), 'add.csv'],
      ['alt', ALT.subarray(0, 4000), 'alt.csv'],
    ]);
    expect(noSdn.statusCode).toBe(400);
    expect(noSdn.json()).toMatchObject({
      message: 'lists import: the OFAC set has no sdn.csv part (got "add.csv", "alt.csv"); add it with -F sdn=@sdn.csv',
    });

    const pdf = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1');
    const notCsv = await post('/imports/lists', [
      ['sdn', SDN, 'sdn.csv'],
      ['alt', pdf, 'aliases.pdf'],
    ]);
    expect(notCsv.statusCode).toBe(415);
    expect((notCsv.json() as { message: string }).message).toMatch(
      /^lists import: part "aliases\.pdf" is not OFAC's alt\.csv: its rows do not start with an ent_num and a comma \(first bytes "%PDF-1\.7/,
    );

    // alt.csv sent as sdn: its rows are 5 columns wide, not 12.
    const swapped = await post('/imports/lists', [['sdn', ALT, 'alt.csv']]);
    expect(swapped.statusCode).toBe(415);
    expect((swapped.json() as { message: string }).message).toMatch(
      /^lists import: part "alt\.csv" is not OFAC's sdn\.csv: its first row has 5 columns, sdn\.csv has 12/,
    );

    const stranger = await post('/imports/lists', [
      ['sdn', SDN, 'sdn.csv'],
      ['file', NMEA, 'track.nmea'],
    ]);
    expect(stranger.statusCode).toBe(400);
    expect((stranger.json() as { message: string }).message).toMatch(
      /^lists import: part "track\.nmea" \(field "file"\) is not one of OFAC's files/,
    );

    const twice = await post('/imports/lists', [
      ['sdn', SDN, 'sdn.csv'],
      ['file', SDN, 'sdn.csv'],
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({
      message: `lists import: parts "sdn.csv" and "sdn.csv" are both OFAC's sdn.csv`,
    });

    // Options go in the query string: a plain field is refused.
    const fd = new FormData();
    fd.append('source', 'x');
    const req = new Request('http://localhost/', { method: 'POST', body: fd });
    const field = await app.inject({
      method: 'POST',
      url: '/imports/lists',
      payload: Buffer.from(await req.arrayBuffer()),
      headers: { 'content-type': req.headers.get('content-type') ?? '' },
    });
    expect(field.statusCode).toBe(400);
    expect((field.json() as { message: string }).message).toMatch(/form field "source" is not a file/);

    expect(await written()).toEqual(before);
    expect(importDirs()).toEqual([]);
  });

  it('stops a form over the cap at the part that crosses it (413), counted over all the parts', async () => {
    const before = await written();
    // 3 MB: sdn.csv (1.9 MB) and add.csv (0.85 MB) fit, alt.csv (0.57 MB) crosses it.
    process.env.WATCHKEEPER_IMPORT_MAX_MB_LISTS = '3';
    try {
      const parts: Part[] = [
        ['sdn', SDN, 'sdn.csv'],
        ['add', ADD, 'add.csv'],
        ['alt', ALT, 'alt.csv'],
      ];
      const streamed = await post('/imports/lists', parts, { stream: true });
      expect(streamed.statusCode).toBe(413);
      expect(streamed.json()).toMatchObject({
        error: 'too_large',
        message:
          'lists import: part "alt.csv" goes over the 3 MB (WATCHKEEPER_IMPORT_MAX_MB_LISTS) limit, counted over ' +
          'all the files; the parts before it hold 2.8 MB',
      });
      // Announced by Content-Length: refused before reading.
      const announced = await post('/imports/lists', parts);
      expect(announced.statusCode).toBe(413);
      expect((announced.json() as { message: string }).message).toMatch(/bytes is over the 3 MB/);
    } finally {
      delete process.env.WATCHKEEPER_IMPORT_MAX_MB_LISTS;
    }
    // A body cut short (no closing boundary) is a 400.
    const { body, type } = await form([['sdn', SDN.subarray(0, 5000), 'sdn.csv']]);
    const cut = await app.inject({
      method: 'POST',
      url: '/imports/lists',
      payload: body.subarray(0, 3000),
      headers: { 'content-type': type },
    });
    expect(cut.statusCode).toBe(400);
    expect((cut.json() as { message: string }).message).toMatch(
      /^lists import: multipart body ends inside part 1 \("sdn\.csv"\) without its closing boundary/,
    );
    expect(await written()).toEqual(before);
    expect(importDirs()).toEqual([]);
  });

  it('a set the importer refuses fails as a job naming file and line, and writes nothing', async () => {
    const before = await written();
    const head = (b: Buffer, n: number) =>
      Buffer.from(`${b.toString('latin1').split('\r\n').slice(0, n).join('\r\n')}\r\n`, 'latin1');
    const altLines = ALT.toString('latin1').split('\r\n').slice(0, 40);
    altLines[29] = '36,12,"aka"'; // line 30: 3 columns
    const r = await post('/imports/lists?source=ofac_subset', [
      ['sdn', head(SDN, 300), 'sdn.csv'],
      ['alt', Buffer.from(`${altLines.join('\r\n')}\r\n`, 'latin1'), 'alt.csv'],
    ]);
    expect(r.statusCode).toBe(202);
    const job = await settle((r.json() as ImportJob).id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/^alt\.csv:30: expected 5 columns, found 3/);
    expect(await written()).toEqual(before);
    expect(importDirs()).toEqual([]);
  });

  it('takes one file part for any kind, as it takes the raw body; AIS takes one file per request', async () => {
    const r = await post('/imports/ais', [['file', NMEA, 'capture.nmea']]);
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ filename: 'capture.nmea', format: 'nmea', sizeBytes: NMEA.length });
    const job = await settle((r.json() as ImportJob).id);
    expect(job).toMatchObject({ state: 'done', result: { positions: 4 } });

    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n', 'latin1');
    const notAis = await post('/imports/ais', [['file', pdf, 'scan.pdf']]);
    expect(notAis.statusCode).toBe(415);
    expect((notAis.json() as { message: string }).message).toMatch(/^AIS import: part "scan\.pdf": not NMEA/);

    const two = await post('/imports/ais', [
      ['file', NMEA, 'a.nmea'],
      ['file', NMEA, 'b.nmea'],
    ]);
    expect(two.statusCode).toBe(400);
    expect(two.json()).toMatchObject({ message: 'ais import: one file per request; part "b.nmea" is a second file' });
    expect(importDirs()).toEqual([]);
  });

  it('answers malformed forms with a 4xx naming the problem, never a 5xx, and leaves nothing', async () => {
    const before = await written();
    const b = 'XyZ';
    const part = (headers: string, body = '36,"A",-0- ') => `--${b}\r\n${headers}\r\n\r\n${body}\r\n`;
    const cd = 'Content-Disposition: form-data; name="sdn"; filename="sdn.csv"';
    const cases: Array<[string, string, RegExp]> = [
      ['multipart/form-data', 'anything', /without a valid boundary/],
      [`multipart/form-data; boundary=${'x'.repeat(71)}`, 'anything', /without a valid boundary/],
      [`multipart/form-data; boundary=${b}`, 'no boundary anywhere', /no "--XyZ" boundary found/],
      [
        `multipart/form-data; boundary=${b}`,
        `${part('Content-Type: text/csv')}--${b}--`,
        /has no "Content-Disposition/,
      ],
      [`multipart/form-data; boundary=${b}`, `${part('Content-Disposition: form-data')}--${b}--`, /has no name=/],
      [
        `multipart/form-data; boundary=${b}`,
        `${part(`${cd}\r\nX-Big: ${'a'.repeat(20_000)}`)}--${b}--`,
        /over 16384 bytes/,
      ],
      [`multipart/form-data; boundary=${b}`, `${part('no colon here')}--${b}--`, /header line without a colon/],
      [`multipart/form-data; boundary=${b}`, `--${b}--`, /the form has no file/],
      [`multipart/form-data; boundary=${b}`, `${part(cd)}--${b}garbage`, /not followed by CRLF/],
      [`multipart/form-data; boundary=${b}`, `${part(cd, '')}--${b}--`, /part "sdn\.csv" is empty/],
      [`multipart/form-data; boundary=${b}`, `${part(cd).repeat(5)}--${b}--`, /at most 4 files per request/],
    ];
    for (const [type, body, want] of cases) {
      const r = await app.inject({
        method: 'POST',
        url: '/imports/lists',
        payload: body,
        headers: { 'content-type': type },
      });
      expect([r.statusCode, (r.json() as { message: string }).message]).toEqual([400, expect.stringMatching(want)]);
    }
    // The client's file name is quoted printable and cut at 100 characters.
    const long = await app.inject({
      method: 'POST',
      url: '/imports/lists',
      payload: `${part(cd)}${part(`Content-Disposition: form-data; name="x"; filename="${'a'.repeat(300)}\u0007.csv"`)}--${b}--`,
      headers: { 'content-type': `multipart/form-data; boundary=${b}` },
    });
    expect(long.statusCode).toBe(400);
    expect((long.json() as { message: string }).message).toMatch(
      /^lists import: part "a{100}" \(field "x"\) is not one of OFAC's files/,
    );
    expect(await written()).toEqual(before);
    expect(importDirs()).toEqual([]);
  });
});
