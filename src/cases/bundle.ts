import { existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import type { Store } from '../store/store.js';
import { sha256File } from '../util/hash.js';
import { readTar, TarWriter } from '../util/tar.js';
import { attachmentPath, listAttachments } from './attachments.js';
import { getCase } from './cases.js';
import { buildEvidenceList, loadCaseMaterial } from './evidence.js';
import { type CaseLogEntry, GENESIS_HASH, readCaseLog, verifyChain } from './log.js';
import { htmlToPdf } from './pdf.js';
import { renderCaseHtml } from './report.js';
import { primeReproCache, type ReproResult, reproduceFinding } from './reproduce.js';

/**
 * A case bundle: one tar file a reader can check without Watchkeeper's store.
 *
 *   manifest.json              format, case, export time, the case log head, and the sha256 and size of every
 *                              other member (and of each raw source file, included or not)
 *   report/report.html|pdf     the report as rendered by src/cases/report.ts and pdf.ts
 *   case/case.json             the case and its items
 *   case/log.json              the case log (hash chain, src/cases/log.ts)
 *   evidence/findings.json     the findings as stored: kind, subjects, params, evidence refs (what verify re-runs)
 *   evidence/evidence.json     the evidence list: sources, records, content hashes, raw provenance
 *   evidence/excerpts.txt      the raw source lines behind the evidence (NMEA sentences with file, sha256, line;
 *                              crypto transfers with block, log index and source)
 *   sources/<sha256>-<name>    with --with-sources: the raw files the evidence was read from (else hashes only)
 *   attachments/<sha256>.<ext> the case's images, documents and web captures
 *
 * `verifyBundle` re-hashes every member against the manifest, re-computes the chain and compares its head, and,
 * with a store, re-runs each finding from its params and evidence (src/cases/reproduce.ts).
 */

export const BUNDLE_FORMAT = 'watchkeeper-case-bundle';
/** 2: the manifest's export time is the one in evidence/excerpts.txt (so verify can bind it to a hashed member). */
export const BUNDLE_VERSION = 2;

export interface ManifestMember {
  path: string;
  sha256: string;
  size: number;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: number;
  caseId: string;
  title: string;
  exportedAt: string;
  /** The case log head when exported, and how many entries it pins. */
  chain: { head: string; entries: number };
  members: ManifestMember[];
  /** The raw files behind the evidence: name, recorded path, sha256; `member` when the file is in the bundle. */
  sources: Array<{ file: string; path: string; sha256: string; member: string | null }>;
  findings: Array<{ id: string; kind: string; start: string }>;
}

export interface ExportOptions {
  /** Include the raw source files (NMEA, CSV) the evidence was read from, not only their hashes. */
  withSources?: boolean;
  /** Skip the PDF (no Chromium): the manifest says so. Default: render it. */
  pdf?: boolean;
  /** How to print the report to PDF (the server passes its shared Chromium); default a Chromium of its own. */
  renderPdf?: (html: string, opts: { title?: string }) => Promise<Buffer>;
  log?: (line: string) => void;
}

export interface ExportResult {
  file: string;
  sizeBytes: number;
  sha256: string;
  manifest: BundleManifest;
}

function json(v: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');
}

function safeName(name: string): string {
  return (
    path
      .basename(name)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 60) || 'file'
  );
}

const EXT: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/tiff': 'tif',
  'application/pdf': 'pdf',
  'text/html': 'html',
  'multipart/related': 'mhtml',
};

export async function exportBundle(
  store: Store,
  caseId: string,
  out: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const log = opts.log ?? (() => {});
  const c = await getCase(store, caseId);
  const material = await loadCaseMaterial(store, c);
  const evidence = buildEvidenceList(c, material);
  const entries = await readCaseLog(store.db, c.id);
  const chain = verifyChain(entries);
  if (!chain.ok) {
    throw new UserError(
      `case ${c.id}: its log does not verify (entry ${chain.broken!.seq}: ${chain.broken!.reason}); not exported`,
    );
  }
  const attachments = await listAttachments(store.db, c.id);
  log('rendering the report');
  const html = await renderCaseHtml(store, c.id);
  const pdf = opts.pdf === false ? null : await (opts.renderPdf ?? htmlToPdf)(html, { title: c.title });

  // Raw excerpts: every quoted NMEA line with its file, sha256 and line; every crypto transfer with its source.
  const exportedAt = new Date().toISOString();
  const excerpt: string[] = [
    `# Raw source excerpts of case ${c.id}, exported ${exportedAt}`,
    '# AIS: <file> sha256 <sha256> line <n> [station, tag-block time]: the sentence(s) as read back from the file',
  ];
  const sources = new Map<string, { file: string; path: string; sha256: string }>();
  for (const [key, raw] of material.raw) {
    const [source, record] = key.split('\u0000');
    sources.set(raw.sha256, { file: raw.file, path: raw.path, sha256: raw.sha256 });
    excerpt.push(
      `\n${source} ${record}: ${raw.file} sha256 ${raw.sha256} line ${raw.line} (${raw.status}${raw.station ? `, station ${raw.station}` : ''}${raw.tagTime ? `, ${raw.tagTime}` : ''})`,
    );
    if (raw.lines.length) for (const l of raw.lines) excerpt.push(`  ${l}`);
    else excerpt.push(`  (not quoted: ${raw.message})`);
  }
  for (const [key, t] of material.transfers) {
    const [source, record] = key.split('\u0000');
    excerpt.push(`\n${source} ${record}: ${t.transfers.length} transfer(s), sha256 ${t.sha256}`);
    for (const l of t.transfers) excerpt.push(`  ${l}`);
    for (const imp of t.imports) {
      excerpt.push(`  from ${imp.location} (sha256 ${imp.sha256})`);
      sources.set(imp.sha256, { file: path.basename(imp.location), path: imp.location, sha256: imp.sha256 });
    }
  }

  const tmp = `${out}.${process.pid}.part`;
  await rm(tmp, { force: true });
  const tar = await TarWriter.create(tmp);
  const members: ManifestMember[] = [];
  const mtime = Date.now() / 1000;
  const add = async (p: string, data: Buffer) => {
    members.push({ path: p, sha256: await tar.add(p, data, mtime), size: data.byteLength });
  };
  const addFile = async (p: string, file: string) => {
    const size = (await stat(file)).size;
    members.push({ path: p, sha256: await tar.addFile(p, file, size, mtime), size });
  };
  const sourceList: BundleManifest['sources'] = [];
  try {
    await add('report/report.html', Buffer.from(html, 'utf8'));
    if (pdf) await add('report/report.pdf', pdf);
    await add('case/case.json', json(c));
    await add('case/log.json', json(entries));
    await add('evidence/findings.json', json(material.findings));
    await add('evidence/evidence.json', json(evidence));
    await add('evidence/excerpts.txt', Buffer.from(`${excerpt.join('\n')}\n`, 'utf8'));
    for (const s of sources.values()) {
      let member: string | null = null;
      if (opts.withSources && existsSync(s.path) && (await sha256File(s.path)) === s.sha256) {
        member = `sources/${s.sha256.slice(0, 16)}-${safeName(s.file)}`;
        await addFile(member, s.path);
      }
      sourceList.push({ ...s, member });
    }
    for (const a of attachments) {
      const p = attachmentPath(a.sha256, store.db);
      if (!p)
        throw new UserError(`attachment ${a.sha256} (${a.filename}): its file is missing from the data directory`);
      const member = `attachments/${a.sha256}.${EXT[a.mediaType] ?? 'bin'}`;
      await addFile(member, p);
      const got = members[members.length - 1]!;
      if (got.sha256 !== a.sha256) {
        throw new UserError(
          `attachment ${a.sha256} (${a.filename}): the stored file changed (sha256 now ${got.sha256})`,
        );
      }
    }
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      caseId: c.id,
      title: c.title,
      exportedAt,
      chain: { head: chain.head, entries: chain.entries },
      members,
      sources: sourceList,
      findings: material.findings.map((f) => ({ id: f.id, kind: f.kind, start: f.start })),
    };
    await tar.add('manifest.json', json(manifest), mtime);
    await tar.close();
    await rename(tmp, out);
    const st = await stat(out);
    return { file: out, sizeBytes: st.size, sha256: await sha256File(out), manifest };
  } catch (err) {
    await tar.abort();
    await rm(tmp, { force: true });
    throw err;
  }
}

export interface VerifyProblem {
  /** The bundle member (or "manifest.json", "case/log.json") the problem is in. */
  member: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  bundle: string;
  caseId: string | null;
  chainHead: string | null;
  membersChecked: number;
  bytesChecked: number;
  problems: VerifyProblem[];
  /** Against the store, when one was given. */
  store: {
    location: string;
    /** Whether the store's case log still starts with the bundle's chain. */
    chain: string;
    sources: Array<{ file: string; status: 'same' | 'changed' | 'missing' }>;
    findings: ReproResult[];
  } | null;
  /** True when every hash and the chain verify and every re-run finding reproduces (or was not re-run). */
  reproducible: boolean;
}

function parseJson<T>(data: Buffer | undefined, member: string, problems: VerifyProblem[]): T | null {
  if (!data) return null;
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch {
    problems.push({ member, message: 'not valid JSON' });
    return null;
  }
}

type TarMember = Awaited<ReturnType<typeof readTar>>[number];

/**
 * What the manifest says about the case, its findings, its sources and its export time, against the hashed members
 * that say it too. A member that already failed its own hash (`failed`) is not compared: that member is the problem.
 */
function manifestAgrees(
  manifest: BundleManifest,
  members: Map<string, TarMember>,
  failed: ReadonlySet<string>,
): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  const byPath = new Map([...members].filter(([p]) => !failed.has(p)));
  const differs = (what: string, member: string) =>
    out.push({ member: 'manifest.json', message: `its ${what} is not the one in ${member}: the manifest was changed` });
  const c = parseJson<{ id?: unknown; title?: unknown }>(byPath.get('case/case.json')?.data, 'case/case.json', out);
  if (c && (c.id !== manifest.caseId || c.title !== manifest.title)) differs('case id or title', 'case/case.json');
  const findings = parseJson<Finding[]>(byPath.get('evidence/findings.json')?.data, 'evidence/findings.json', out);
  if (findings) {
    const listed = JSON.stringify((manifest.findings ?? []).map((f) => [f.id, f.kind, f.start]));
    if (listed !== JSON.stringify(findings.map((f) => [f.id, f.kind, f.start])))
      differs('findings list', 'evidence/findings.json');
  }
  const evidence = byPath.get('evidence/evidence.json')?.data?.toString('utf8');
  const excerpts = byPath.get('evidence/excerpts.txt')?.data?.toString('utf8');
  if (evidence === undefined || excerpts === undefined) return out;
  for (const s of manifest.sources ?? []) {
    const shaCited = evidence.includes(s.sha256) || excerpts.includes(s.sha256);
    const pathCited = excerpts.includes(s.path) || evidence.includes(JSON.stringify(s.path).slice(1, -1));
    if (!shaCited || !pathCited) differs(`source ${s.file} (path or sha256)`, 'the evidence');
    if (s.member && byPath.get(s.member) && byPath.get(s.member)!.sha256 !== s.sha256)
      differs(`sha256 of source ${s.file}`, s.member);
  }
  if (manifest.version >= 2) {
    const m = /^# Raw source excerpts of case \S+, exported (\S+)$/m.exec(excerpts);
    if (m?.[1] !== manifest.exportedAt) differs('export time', 'evidence/excerpts.txt');
  }
  return out;
}

export async function verifyBundle(file: string, store?: Store): Promise<VerifyReport> {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const problems: VerifyProblem[] = [];
  const keep = (p: string, size: number) =>
    (p === 'manifest.json' ||
      p === 'case/log.json' ||
      p === 'evidence/findings.json' ||
      p === 'case/case.json' ||
      p === 'evidence/evidence.json' ||
      p === 'evidence/excerpts.txt') &&
    size < 256 * 1024 * 1024;
  let members: Awaited<ReturnType<typeof readTar>>;
  try {
    members = await readTar(file, keep);
  } catch (err) {
    throw new UserError(`${file}: not a readable bundle (${(err as Error).message})`);
  }
  const byPath = new Map(members.map((m) => [m.path, m]));
  const report: VerifyReport = {
    ok: false,
    bundle: file,
    caseId: null,
    chainHead: null,
    membersChecked: 0,
    bytesChecked: members.reduce((s, m) => s + m.size, 0),
    problems,
    store: null,
    reproducible: false,
  };
  const manifest = parseJson<BundleManifest>(byPath.get('manifest.json')?.data, 'manifest.json', problems);
  if (!manifest || manifest.format !== BUNDLE_FORMAT) {
    problems.push({ member: 'manifest.json', message: 'missing, or not a Watchkeeper case bundle manifest' });
    return report;
  }
  report.caseId = manifest.caseId;
  report.chainHead = manifest.chain.head;
  for (const m of manifest.members) {
    const got = byPath.get(m.path);
    report.membersChecked++;
    if (!got) {
      problems.push({ member: m.path, message: 'listed in the manifest but not in the bundle' });
      continue;
    }
    if (got.sha256 !== m.sha256 || got.size !== m.size) {
      problems.push({
        member: m.path,
        message: `sha256 ${got.sha256} (${got.size} bytes) is not the manifest's ${m.sha256} (${m.size} bytes): the file was changed`,
      });
    }
    if (m.path.startsWith('attachments/') && !m.path.startsWith(`attachments/${got.sha256}.`)) {
      problems.push({ member: m.path, message: `its content hash ${got.sha256} is not the one in its name` });
    }
  }
  const listed = new Set(manifest.members.map((m) => m.path));
  for (const m of members) {
    if (m.path !== 'manifest.json' && !listed.has(m.path)) {
      problems.push({ member: m.path, message: 'in the bundle but not in the manifest' });
    }
  }
  const entries = parseJson<CaseLogEntry[]>(byPath.get('case/log.json')?.data, 'case/log.json', problems) ?? [];
  const chain = verifyChain(entries);
  if (!chain.ok) {
    problems.push({
      member: 'case/log.json',
      message: `the chain breaks at entry ${chain.broken!.seq}: ${chain.broken!.reason}`,
    });
  } else if (chain.head !== manifest.chain.head || chain.entries !== manifest.chain.entries) {
    problems.push({
      member: 'case/log.json',
      message: `its head ${chain.head} (${chain.entries} entries) is not the manifest's ${manifest.chain.head} (${manifest.chain.entries})`,
    });
  }
  if (entries.some((e) => e.caseId !== manifest.caseId)) {
    problems.push({ member: 'case/log.json', message: `holds entries of another case than ${manifest.caseId}` });
  }
  // The manifest is not hashed inside the bundle: what it says besides the member hashes must agree with members
  // that are (the case, the findings, the evidence and its excerpts), so an edited manifest fails too.
  problems.push(...manifestAgrees(manifest, byPath, new Set(problems.map((p) => p.member))));
  const integrityOk = problems.length === 0;

  if (store) {
    const findings =
      parseJson<Finding[]>(byPath.get('evidence/findings.json')?.data, 'evidence/findings.json', problems) ?? [];
    const storeLog = await readCaseLog(store.db, manifest.caseId);
    const head = manifest.chain.head;
    let chainState: string;
    if (head === GENESIS_HASH) chainState = 'the bundle has an empty log';
    else if (storeLog.length === 0) chainState = 'the store has no log for this case';
    else if (storeLog[manifest.chain.entries - 1]?.hash === head) {
      const later = storeLog.length - manifest.chain.entries;
      chainState = verifyChain(storeLog).ok
        ? later === 0
          ? 'the store holds the same chain'
          : `the store's chain continues it (${later} later entr${later === 1 ? 'y' : 'ies'})`
        : 'the store holds this head, but its own chain does not verify';
    } else chainState = 'the store holds another history for this case (the chain head is not in it)';
    const sources: NonNullable<VerifyReport['store']>['sources'] = [];
    for (const s of manifest.sources) {
      if (!existsSync(s.path)) sources.push({ file: s.path, status: 'missing' });
      else sources.push({ file: s.path, status: (await sha256File(s.path)) === s.sha256 ? 'same' : 'changed' });
    }
    const results: ReproResult[] = [];
    const cache = {};
    await primeReproCache(store, findings, cache);
    for (const f of findings) results.push(await reproduceFinding(store, f, cache));
    report.store = { location: store.location, chain: chainState, sources, findings: results };
  }
  report.ok = integrityOk;
  report.reproducible =
    integrityOk && (report.store?.findings.every((r) => r.status === 'reproduces' || r.status === 'not-rerun') ?? true);
  return report;
}
