import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAttachment } from '../../src/cases/attachments.js';
import { type BundleManifest, exportBundle, verifyBundle } from '../../src/cases/bundle.js';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import type { Finding } from '../../src/findings/finding.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { DEMO_SCENARIO } from '../../src/maritime/demo.js';
import { detectStore } from '../../src/maritime/detect.js';
import { nmeaLines, simulate } from '../../src/maritime/simulate/generate.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { readTar } from '../../src/util/tar.js';
import { runCli } from './run-cli.js';

/**
 * The case bundle end to end on the demo data: the Yellow Sea simulation written as NMEA and imported by the real
 * importer, the detectors run, a case with the Korea Bay encounter of YU JONG 2, the gap before it, a rename, a note
 * and a GeoTIFF. Exported with the PDF report; verified; one byte flipped in each member in turn; evidence rows
 * deleted from the store.
 */

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/cases');
let dir: string;
let dbFile: string;
let store: Store;
let bundle: string;
let manifest: BundleManifest;
let encounter: Finding;
let gap: Finding;
let rename: Finding;
let caseId: string;

/** Byte offset of a member's data in a tar file (the member's header is the 512 bytes before it). */
async function memberOffset(file: string, member: string): Promise<number> {
  const buf = await readFile(file);
  let pos = 0;
  while (pos + 512 <= buf.length && buf[pos] !== 0) {
    const h = buf.subarray(pos, pos + 512);
    const str = (a: number, n: number) => h.toString('utf8', a, a + n).replace(/\0.*$/s, '');
    const name = str(345, 155) ? `${str(345, 155)}/${str(0, 100)}` : str(0, 100);
    const size = Number.parseInt(str(124, 12).trim(), 8);
    if (name === member) return pos + 512;
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`no member ${member}`);
}

async function flipped(member: string, at = 0.5): Promise<string> {
  const copy = path.join(dir, `flipped-${member.replace(/\W/g, '_')}.tar`);
  await copyFile(bundle, copy);
  const m = manifest.members.find((x) => x.path === member)!;
  const off = (await memberOffset(copy, member)) + Math.floor(m.size * at);
  const fh = await open(copy, 'r+');
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, off);
  b[0] = b[0]! ^ 0x01;
  await fh.write(b, 0, 1, off);
  await fh.close();
  return copy;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-bundle-'));
  dbFile = path.join(dir, 'wk.duckdb');
  store = await openStore({ url: dbFile });
  const sim = simulate(DEMO_SCENARIO.name, DEMO_SCENARIO.seed, {
    start: DEMO_SCENARIO.start,
    hours: DEMO_SCENARIO.hours,
  });
  const nmea = path.join(dir, 'demo-yellow-sea.nmea');
  await writeFile(nmea, `${[...nmeaLines(sim)].join('\n')}\n`);
  await importNmeaFile(store, nmea);
  await detectStore(store, {});
  const all = await store.queryFindings({ limit: 5000 });
  encounter = all.find((f) => f.kind === 'ais.encounter' && f.vessels?.some((v) => v.name === 'YU JONG 2'))!;
  const other = encounter.subjects.find((s) => s !== 'ais-445112674')!;
  gap = all.find((f) => f.kind === 'ais.gap' && f.subjects.includes(other) && f.end! <= encounter.start)!;
  rename = all.find(
    (f) =>
      f.kind === 'ais.identity_change' && f.details?.check === 'field_change' && f.subjects.includes('ais-445112674'),
  )!;
  const c = await createCase(store, { title: 'Korea Bay ship-to-ship transfer with YU JONG 2 (유정 2호)' });
  caseId = c.id;
  for (const f of [encounter, gap, rename]) await addCaseItem(store, c.id, { kind: 'finding', ref: f.id });
  await addCaseItem(store, c.id, { kind: 'note', ref: 'Compare with S/2024/215, para. 42' });
  await addAttachment(store.db, c.id, createReadStream(path.join(FIX, 'korea-bay-4326.tif')), {
    caption: 'Korea Bay west coast (Natural Earth land raster)',
    source: 'Natural Earth 1:10m',
    licence: 'public domain',
  });
  bundle = path.join(dir, 'case.tar');
  const r = await exportBundle(store, c.id, bundle, { withSources: true });
  manifest = r.manifest;
}, 300_000);

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('case bundle', () => {
  it('holds the report, the chained log, the findings, raw excerpts, sources and attachments, all hashed', async () => {
    expect(encounter && gap && rename).toBeTruthy();
    expect(manifest.members.map((m) => m.path).sort()).toEqual(
      [
        'attachments/79b0a9a6816d70f3695e04d891f1f7215ea2abae67037a1337959435d4e15bcb.tif',
        'case/case.json',
        'case/log.json',
        'evidence/evidence.json',
        'evidence/excerpts.txt',
        'evidence/findings.json',
        'report/report.html',
        'report/report.pdf',
        `sources/${manifest.sources[0]!.sha256.slice(0, 16)}-demo-yellow-sea.nmea`,
      ].sort(),
    );
    expect(manifest.chain.entries).toBe(6); // create, 3 findings, a note, an attachment
    expect(manifest.findings.map((f) => f.id)).toEqual([encounter.id, gap.id, rename.id]);
    for (const m of manifest.members) expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The raw excerpts quote the encounter's evidence sentences with file, sha256 and line.
    const [ex] = await readTar(bundle, (p) => p === 'evidence/excerpts.txt').then((ms) =>
      ms.filter((m) => m.data).map((m) => m.data!.toString('utf8')),
    );
    const src = manifest.sources[0]!;
    for (const r of encounter.evidence.filter((e) => e.record.startsWith('mmsi:'))) {
      expect(ex).toMatch(
        new RegExp(
          `${r.record}: demo-yellow-sea\\.nmea sha256 ${src.sha256} line \\d+ \\(verified[^)]*\\)\\n  \\\\[^\\n]*!AIVDM,`,
        ),
      );
    }
  });

  it('verifies, and every finding re-run from its params and the stored evidence reproduces', async () => {
    const r = await verifyBundle(bundle, store);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.store?.chain).toBe('the store holds the same chain');
    expect(r.store?.sources.map((s) => s.status)).toEqual(['same']);
    expect(r.store?.findings.map((f) => [f.findingId, f.status])).toEqual([
      [encounter.id, 'reproduces'],
      [gap.id, 'reproduces'],
      [rename.id, 'reproduces'],
    ]);
    expect(r.reproducible).toBe(true);
  });

  it('fails naming the member when one byte of any member changes', async () => {
    for (const m of manifest.members) {
      const r = await verifyBundle(await flipped(m.path));
      expect(r.ok).toBe(false);
      // Only that member is named (a changed log also breaks its chain: a second problem on the same member).
      expect([...new Set(r.problems.map((p) => p.member))]).toEqual([m.path]);
      expect(r.problems[0]!.message).toMatch(/is not the manifest's .*: the file was changed/);
    }
    // A hash in the manifest itself changed: the member it describes no longer matches it.
    const copy = path.join(dir, 'manifest-edited.tar');
    const buf = await readFile(bundle);
    const first = manifest.members[0]!;
    const at = buf.lastIndexOf(Buffer.from(first.sha256));
    buf[at] = buf[at] === 0x30 ? 0x31 : 0x30;
    await writeFile(copy, buf);
    const r = await verifyBundle(copy);
    expect(r.problems.map((p) => p.member)).toEqual([first.path]);
  });

  it('fails naming the manifest when what it says besides the hashes is edited', async () => {
    // The manifest is the one member not hashed inside the bundle: its case title, findings, sources and export time
    // must agree with the hashed members that say them too. Before, "Korea" -> "Jorea" in its title verified.
    const edits: Array<[string, string, string]> = [
      ['title', '"title": "Korea Bay', '"title": "Jorea Bay'],
      [
        'export time',
        `"exportedAt": "${manifest.exportedAt}"`,
        `"exportedAt": "${manifest.exportedAt.replace(/^2/, '3')}"`,
      ],
      ['findings', `"id": "${gap.id}"`, `"id": "${gap.id.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'))}"`],
      [
        'sources',
        `"path": "${manifest.sources[0]!.path}"`,
        `"path": "${manifest.sources[0]!.path.replace(/a$/, 'b')}"`,
      ],
    ];
    // All four edits in one copy, each in place (same length: the tar's sizes stay right); one verify names each.
    let buf = await readFile(bundle);
    for (const [what, from, to] of edits) {
      const at = buf.lastIndexOf(Buffer.from(from));
      expect(at, what).toBeGreaterThan(0);
      expect(to.length, what).toBe(from.length);
      buf = Buffer.concat([buf.subarray(0, at), Buffer.from(to), buf.subarray(at + from.length)]);
    }
    const copy = path.join(dir, 'manifest-said.tar');
    await writeFile(copy, buf);
    const r = await verifyBundle(copy);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => [p.member, p.message])).toEqual([
      ['manifest.json', 'its case id or title is not the one in case/case.json: the manifest was changed'],
      ['manifest.json', 'its findings list is not the one in evidence/findings.json: the manifest was changed'],
      [
        'manifest.json',
        `its source ${manifest.sources[0]!.file} (path or sha256) is not the one in the evidence: the manifest was changed`,
      ],
      ['manifest.json', 'its export time is not the one in evidence/excerpts.txt: the manifest was changed'],
    ]);
  });

  it('through the CLI: exit 0 when verified, 1 naming the changed report', async () => {
    await store.close();
    const ok = await runCli(['--db', dbFile, 'verify', bundle]);
    store = await openStore({ url: dbFile });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      `OK every member matches the manifest; the case log chain verifies (head ${manifest.chain.head})`,
    );
    expect(ok.stdout).toContain(`finding ${encounter.id} (ais.encounter): reproduces`);
    const bad = await runCli(['--db', dbFile, 'verify', await flipped('report/report.pdf')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL report\/report\.pdf: sha256 [0-9a-f]{64} .* the file was changed$/m);
  });

  it('reports a finding whose evidence rows were deleted from the store as not reproducible', async () => {
    const ev = encounter.evidence.filter((r) => /^mmsi:\d+@\d+$/.test(r.record));
    expect(ev.length).toBeGreaterThan(0);
    for (const r of ev) {
      const [, mmsi, ts] = /^mmsi:(\d+)@(\d+)$/.exec(r.record)!;
      await store.db.query('DELETE FROM positions WHERE mmsi = $1 AND ts = $2', [Number(mmsi), Number(ts)]);
    }
    const r = await verifyBundle(bundle, store);
    expect(r.ok).toBe(true); // the bundle itself is intact
    const enc = r.store?.findings.find((f) => f.findingId === encounter.id);
    expect(enc?.status).toBe('not-reproducible');
    expect(enc?.message).toMatch(
      new RegExp(`^${ev.length} of ${ev.length} evidence position\\(s\\) are no longer in the store`),
    );
    expect(r.reproducible).toBe(false);
    expect(r.store?.findings.find((f) => f.findingId === gap.id)?.status).toBe('reproduces');
    // The CLI opens the store file itself: close ours first (one DuckDB instance per file).
    await store.close();
    const cli = await runCli(['--db', dbFile, 'verify', bundle]);
    store = await openStore({ url: dbFile });
    expect(cli.code).toBe(3);
    expect(cli.stdout).toContain(`finding ${encounter.id} (ais.encounter): not-reproducible`);
    expect(caseId).toMatch(/^case-/);
  });
});
