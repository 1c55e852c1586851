import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAttachment,
  listAttachments,
  readAttachment,
  removeAttachment,
  storeDataDir,
  updateAttachment,
} from '../../src/cases/attachments.js';
import { createCase } from '../../src/cases/cases.js';
import { utmToLonLat } from '../../src/cases/geotiff.js';
import { readCaseLog, verifyChain } from '../../src/cases/log.js';
import { openDb, openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { postgresAvailable, startTestPostgres, type TestPostgres } from '../support/postgres.js';

/**
 * Attachments on both stores: type sniffed from the bytes, GeoTIFF footprints from the tags, content-addressed
 * files, nothing half-written, and a case log entry per change. Fixtures: test/fixtures/cases (PROVENANCE.md).
 */

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/cases');
const fx = (name: string) => path.join(FIX, name);
const sha = (file: string) =>
  createHash('sha256')
    .update(readFileSync(fx(file)))
    .digest('hex');
const meta = {
  caption: 'Korea Bay, west coast',
  source: 'Natural Earth 1:10m land, rasterised',
  licence: 'public domain',
};

/** The Korea Bay raster: 70 × 50 pixels of 0.01°, top-left 124.5 E 38.9 N (make-attachments.ts). */
const WEST = 124.5;
const EAST = 125.2;
const NORTH = 38.9;
const SOUTH = 38.4;

function suite(name: string, open: () => Promise<{ store: Store; dataDir: string }>) {
  describe(`attachments on ${name}`, () => {
    let store: Store;
    let dataDir: string;
    let caseId: string;

    beforeAll(async () => {
      ({ store, dataDir } = await open());
      caseId = (await createCase(store, { title: 'Korea Bay imagery' })).id;
    }, 120_000);
    afterAll(async () => {
      await store?.close();
    });

    it('reads the type from the bytes and the GeoTIFF footprint from its tags', async () => {
      const tif = await addAttachment(store.db, caseId, createReadStream(fx('korea-bay-4326.tif')), {
        ...meta,
        date: '2024-03-15',
        filename: 'scene.png', // the name lies; the bytes decide
      });
      expect(tif).toMatchObject({
        sha256: sha('korea-bay-4326.tif'),
        mediaType: 'image/tiff',
        kind: 'image',
        filename: 'scene.png',
        sizeBytes: readFileSync(fx('korea-bay-4326.tif')).length,
        widthPx: 70,
        heightPx: 50,
        date: '2024-03-15',
        footprintFrom: 'geotiff',
        bbox: [WEST, SOUTH, EAST, NORTH],
      });
      expect(tif.footprint?.coordinates[0]).toEqual([
        [WEST, NORTH],
        [EAST, NORTH],
        [EAST, SOUTH],
        [WEST, SOUTH],
        [WEST, NORTH],
      ]);
      // Web mercator, big-endian: the same raster's corners back in degrees.
      const merc = await addAttachment(store.db, caseId, createReadStream(fx('korea-bay-3857.tif')), meta);
      const r = 6378137;
      const yNorth = r * Math.log(Math.tan(Math.PI / 4 + (NORTH * Math.PI) / 360));
      const pixelM = (0.01 * Math.PI * r) / 180;
      const south = (Math.atan(Math.sinh((yNorth - 50 * pixelM) / r)) * 180) / Math.PI;
      const [w, s, e, n] = merc.bbox!;
      expect(w).toBeCloseTo(WEST, 9);
      expect(e).toBeCloseTo(EAST, 9);
      expect(n).toBeCloseTo(NORTH, 9);
      expect(s).toBeCloseTo(south, 9);
      expect(merc.footprintFrom).toBe('geotiff');
    });

    it('reads a UTM GeoTIFF footprint (EPSG:32651) through the inverse transverse Mercator', async () => {
      // The inverse itself on a published point: the CN Tower, UTM 17N 630084 E 4833438 N, is 43.642567 N 79.387139 W.
      const [lon, lat] = utmToLonLat(630084, 4833438, 17, false);
      expect(lon).toBeCloseTo(-79.387139, 4);
      expect(lat).toBeCloseTo(43.642567, 4);
      const utm = await addAttachment(store.db, caseId, createReadStream(fx('korea-bay-32651.tif')), meta);
      expect(utm).toMatchObject({ footprintFrom: 'geotiff', widthPx: 70, heightPx: 50 });
      const ring = utm.footprint!.coordinates[0]!;
      // Corners: the tiepoint (630000 E, 4306000 N) and 70 × 50 pixels of 1 km.
      const corners: Array<[number, number]> = [
        [630000, 4306000],
        [700000, 4306000],
        [700000, 4256000],
        [630000, 4256000],
      ];
      corners.forEach(([e, n], i) => {
        const [x, y] = utmToLonLat(e, n, 51, false);
        expect(ring[i]![0]).toBeCloseTo(x, 9);
        expect(ring[i]![1]).toBeCloseTo(y, 9);
      });
      // 130 km east of zone 51's central meridian (123 E) at 38.9 N is about 124.5 E.
      expect(ring[0]![0]).toBeCloseTo(124.5, 1);
      expect(ring[0]![1]).toBeCloseTo(38.88, 1);
      await removeAttachment(store.db, caseId, utm.sha256);
    });

    it('stores PNG, JPEG, PDF, HTML and MHTML by content, with their sizes', async () => {
      const cases: Array<[string, string, string, number | null, number | null]> = [
        ['korea-bay.png', 'image/png', 'image', 70, 50],
        ['korea-bay.jpg', 'image/jpeg', 'image', 280, 200],
        ['sdn-extract.pdf', 'application/pdf', 'document', null, null],
        ['sdn-extract.html', 'text/html', 'web-capture', null, null],
        ['sdn-extract.mhtml', 'multipart/related', 'web-capture', null, null],
      ];
      for (const [file, mediaType, kind, widthPx, heightPx] of cases) {
        const a = await addAttachment(store.db, caseId, createReadStream(fx(file)), {
          ...meta,
          filename: file,
          bounds: kind === 'image' ? '124.5,38.4,125.2,38.9' : undefined,
        });
        expect({ mediaType: a.mediaType, kind: a.kind, widthPx: a.widthPx, heightPx: a.heightPx }).toEqual({
          mediaType,
          kind,
          widthPx,
          heightPx,
        });
        expect(a.sha256).toBe(sha(file));
        const stored = path.join(dataDir, 'attachments', a.sha256.slice(0, 2), a.sha256);
        expect(readFileSync(stored).equals(readFileSync(fx(file)))).toBe(true);
        expect((await readAttachment(a.sha256, store.db)).equals(readFileSync(fx(file)))).toBe(true);
      }
      const png = (await listAttachments(store.db, caseId)).find((a) => a.mediaType === 'image/png')!;
      expect(png).toMatchObject({ footprintFrom: 'given', bbox: [124.5, 38.4, 125.2, 38.9] });
      // Same bytes again: the existing attachment, no second row.
      const again = await addAttachment(store.db, caseId, createReadStream(fx('korea-bay.png')), {
        caption: 'other caption',
        source: 'x',
      });
      expect(again.caption).toBe(meta.caption);
      expect(await listAttachments(store.db, caseId)).toHaveLength(7);
    });

    it('refuses other types, empty files and files over the cap, leaving no row and no file', async () => {
      const before = await listAttachments(store.db, caseId);
      const bad = Buffer.from('MZ\x90\x00 this is not an image', 'latin1');
      await expect(addAttachment(store.db, caseId, [bad], meta)).rejects.toThrow(
        /not a PNG, JPEG, TIFF\/GeoTIFF, PDF, HTML or MHTML file \(first bytes 4d 5a 90 00/,
      );
      await expect(addAttachment(store.db, caseId, [], meta)).rejects.toThrow(/empty/);
      await expect(
        addAttachment(store.db, caseId, createReadStream(fx('korea-bay-4326.tif')), meta, { maxBytes: 4096 }),
      ).rejects.toMatchObject({ status: 413 });
      await expect(
        addAttachment(store.db, caseId, createReadStream(fx('sdn-extract.pdf')), { ...meta, bounds: '1,2,3,4' }),
      ).rejects.toThrow(/only images have a footprint/);
      await expect(addAttachment(store.db, caseId, [bad], { ...meta, caption: ' ' })).rejects.toThrow(/caption/);
      await expect(addAttachment(store.db, 'case-nope', [bad], meta)).rejects.toMatchObject({ status: 404 });
      expect(await listAttachments(store.db, caseId)).toEqual(before);
      const badSha = createHash('sha256').update(bad).digest('hex');
      expect(existsSync(path.join(dataDir, 'attachments', badSha.slice(0, 2), badSha))).toBe(false);
      expect(await readdir(path.join(dataDir, 'attachments', 'tmp'))).toEqual([]);
    });

    it('logs every attachment change in the case hash chain', async () => {
      const png = sha('korea-bay.png');
      const jpg = sha('korea-bay.jpg');
      const edited = await updateAttachment(
        store.db,
        caseId,
        jpg,
        { caption: 'Korea Bay, Chromium JPEG', date: '2024-03-16', bounds: '124.6,38.5,125.1,38.8' },
        { name: 'bob' },
      );
      expect(edited).toMatchObject({ caption: 'Korea Bay, Chromium JPEG', bbox: [124.6, 38.5, 125.1, 38.8] });
      expect((await listAttachments(store.db, caseId)).find((a) => a.sha256 === jpg)?.date).toBe('2024-03-16');
      await removeAttachment(store.db, caseId, png, { name: 'alice' });
      const log = await readCaseLog(store.db, caseId);
      expect(log.map((e) => e.action)).toEqual([
        'case.create',
        'attachment.add',
        'attachment.add',
        'attachment.add',
        'attachment.remove',
        ...Array(5).fill('attachment.add'),
        'attachment.update',
        'attachment.remove',
      ]);
      expect(log[10]).toMatchObject({ actor: 'bob', target: jpg });
      expect((log[10]!.detail as { before: Record<string, unknown> }).before).toMatchObject({
        caption: meta.caption,
        date: null,
      });
      expect(log.at(-1)).toMatchObject({ actor: 'alice', target: png, seq: 12 });
      expect(verifyChain(log)).toMatchObject({ ok: true, entries: 12, head: log.at(-1)!.hash });
      expect((await listAttachments(store.db, caseId)).map((a) => a.sha256)).not.toContain(png);
    });
  });
}

let duckDir: string;
suite('DuckDB', async () => {
  duckDir = await mkdtemp(path.join(os.tmpdir(), 'wk-attach-'));
  const store = await openStore({ url: path.join(duckDir, 'wk.duckdb') });
  expect(storeDataDir(store.db, {})).toBe(duckDir);
  return { store, dataDir: duckDir };
});
afterAll(async () => {
  if (duckDir) await rm(duckDir, { recursive: true, force: true });
});

let pg: TestPostgres | undefined;
let pgDir: string;
describe.runIf(postgresAvailable())('PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startTestPostgres('attachments');
  }, 120_000);
  afterAll(async () => {
    delete process.env.WATCHKEEPER_DATA_DIR;
    await pg?.stop();
    if (pgDir) await rm(pgDir, { recursive: true, force: true });
  });
  suite('PostgreSQL', async () => {
    if (!pg) throw new Error('no PostgreSQL');
    const db = await openDb(pg.url);
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await db.close();
    pgDir = await mkdtemp(path.join(os.tmpdir(), 'wk-attach-pg-'));
    process.env.WATCHKEEPER_DATA_DIR = pgDir;
    const store = await openStore({ url: pg.url });
    return { store, dataDir: pgDir };
  });
});
