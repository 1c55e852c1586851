import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { addAttachment, listAttachments } from '../cases/attachments.js';
import { exportBundle } from '../cases/bundle.js';
import { addCaseItem, createCase, getCase, listCases } from '../cases/cases.js';
import { buildEvidenceList, loadCaseMaterial } from '../cases/evidence.js';
import { type CaseActor, readCaseLog, verifyChain } from '../cases/log.js';
import { htmlToPdf } from '../cases/pdf.js';
import { renderCaseHtml } from '../cases/report.js';
import { CASE_ITEM_KINDS, WATCH_KINDS } from '../cases/types.js';
import { addWatch, listAlerts, listWatches } from '../cases/watch.js';
import { UserError } from '../errors.js';
import { phase, printTable, withStore } from './context.js';

/** Changes made from the command line are logged as `cli:<os user>`. */
export function cliActor(): CaseActor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return { name: `cli:${user}` };
}

/**
 * `watchkeeper cases ...`, `watchkeeper watch ...` and `watchkeeper alerts`. Documented in docs/web.md; attachments,
 * the case log, bundles and verify in docs/evidence.md.
 */
export function register(program: Command): void {
  const cases = program
    .command('cases')
    .description('investigation cases: create, add evidence, export reports')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cases create "CHON MA SAN ship-to-ship transfers"\n' +
        '  watchkeeper cases add case-1a2b3c4d5e entity ofac-23729\n' +
        '  watchkeeper cases export case-1a2b3c4d5e --format pdf -o report.pdf\n',
    );

  cases
    .command('create')
    .description('create a case; prints its id')
    .argument('<title>', 'case title')
    .option('--summary <text>', 'summary shown at the top of the report')
    .option('--json', 'print the case as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cases create "CHON MA SAN STS transfers, March 2024" --summary "..."\n  watchkeeper cases create "Lazarus / Ronin" --json\n',
    )
    .action(async function (this: Command, title: string, opts: { summary?: string; json?: boolean }) {
      await withStore(this, async (store) => {
        const c = await createCase(store, { title, summary: opts.summary }, cliActor());
        process.stdout.write(opts.json ? `${JSON.stringify(c, null, 2)}\n` : `${c.id}\n`);
      });
    });

  cases
    .command('list')
    .description('list cases, most recently changed first')
    .addHelpText('after', '\nExamples:\n  watchkeeper cases list\n  watchkeeper cases list --json\n')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        const rows = await listCases(store);
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else
          printTable(rows as unknown as Array<Record<string, unknown>>, [
            'id',
            'status',
            'itemCount',
            'updatedAt',
            'title',
          ]);
      });
    });

  cases
    .command('show')
    .description('show a case: its items and evidence list (sources, records, hashes)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cases show case-1a2b3c4d5e\n  watchkeeper cases show case-1a2b3c4d5e --json\n',
    )
    .argument('<id>', 'case id')
    .option('--json', 'print JSON')
    .action(async function (this: Command, id: string, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        const c = await getCase(store, id);
        const evidence = buildEvidenceList(c, await loadCaseMaterial(store, c));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...c, evidence }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${c.title}\n${c.id} · ${c.status} · updated ${c.updatedAt}\n`);
        if (c.summary) process.stdout.write(`\n${c.summary}\n`);
        process.stdout.write('\nItems\n');
        printTable(c.items as unknown as Array<Record<string, unknown>>, ['id', 'kind', 'ref', 'note', 'addedAt']);
        process.stdout.write('\nEvidence\n');
        printTable(evidence as unknown as Array<Record<string, unknown>>, [
          'ref',
          'citedBy',
          'source',
          'record',
          'contentHash',
        ]);
        const attachments = await listAttachments(store.db, c.id);
        if (attachments.length > 0) {
          process.stdout.write('\nAttachments\n');
          printTable(attachments as unknown as Array<Record<string, unknown>>, [
            'sha256',
            'mediaType',
            'sizeBytes',
            'caption',
          ]);
        }
        const check = verifyChain(await readCaseLog(store.db, c.id));
        process.stdout.write(
          `\nCase log: ${check.entries} entries, ${check.ok ? `chain verifies, head ${check.head}` : `chain does NOT verify at entry ${check.broken!.seq}`} (watchkeeper cases log ${c.id})\n`,
        );
      });
    });

  cases
    .command('add')
    .description(`add an item to a case (${CASE_ITEM_KINDS.join(', ')})`)
    .argument('<id>', 'case id')
    .argument('<kind>', CASE_ITEM_KINDS.join(' | '))
    .argument('<ref>', 'finding id, entity id, address, or the note text')
    .option('--note <text>', 'why the item matters')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cases add case-1a2b3c4d5e finding f-0123456789abcdef01234567\n' +
        '  watchkeeper cases add case-1a2b3c4d5e entity ofac-23729\n' +
        '  watchkeeper cases add case-1a2b3c4d5e address 0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n' +
        '  watchkeeper cases add case-1a2b3c4d5e note "Seen at Nampo two days before"\n',
    )
    .action(async function (this: Command, id: string, kind: string, ref: string, opts: { note?: string }) {
      await withStore(this, async (store) => {
        const item = await addCaseItem(store, id, { kind, ref, note: opts.note }, cliActor());
        process.stdout.write(`${item.id}\n`);
      });
    });

  cases
    .command('attach')
    .description('attach an image (PNG, JPEG, GeoTIFF), a PDF or a web capture (HTML, MHTML) to a case')
    .argument('<id>', 'case id')
    .argument('<file>', 'the file; its type is read from its first bytes, not its name')
    .requiredOption('--caption <text>', 'what it shows (printed under it in the report)')
    .requiredOption('--source <text>', 'who made it: satellite and product, photographer, publisher, URL')
    .option('--date <date>', 'when it was taken or dated: YYYY-MM-DD or ISO-8601 UTC (2024-03-15T02:10Z)')
    .option('--licence <text>', 'licence or terms of use (e.g. "CC BY 4.0", "Copernicus Sentinel data 2024")')
    .option('--bounds <w,s,e,n>', "imagery footprint in degrees (a GeoTIFF's own tags are read when not given)")
    .option('--footprint <geojson>', 'imagery footprint as a GeoJSON Polygon (text)')
    .option('--json', 'print the attachment as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cases attach case-1a2b3c4d5e scene.tif --caption "Sentinel-2 L1C, Korea Bay" \\\n' +
        '      --source "Copernicus Sentinel-2" --date 2024-03-15 --licence "Copernicus open licence"\n' +
        '  watchkeeper cases attach case-1a2b3c4d5e photo.jpg --caption "CHON MA SAN alongside" --source "Coast guard" \\\n' +
        '      --bounds 123.90,38.40,123.95,38.43\n' +
        '  watchkeeper cases attach case-1a2b3c4d5e registry.pdf --caption "Registry extract" --source "Panama Maritime Authority"\n',
    )
    .action(async function (
      this: Command,
      id: string,
      file: string,
      opts: {
        caption: string;
        source: string;
        date?: string;
        licence?: string;
        bounds?: string;
        footprint?: string;
        json?: boolean;
      },
    ) {
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) throw new UserError(`${file}: no such file`);
      await withStore(this, async (store) => {
        const a = await addAttachment(
          store.db,
          id,
          createReadStream(file),
          {
            caption: opts.caption,
            source: opts.source,
            date: opts.date,
            licence: opts.licence,
            bounds: opts.bounds,
            footprint: opts.footprint,
            filename: path.basename(file),
          },
          { actor: cliActor(), declaredBytes: st.size },
        );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
          return;
        }
        const where = a.bbox ? ` footprint ${a.bbox.join(',')} (${a.footprintFrom})` : '';
        process.stdout.write(`${a.sha256} ${a.mediaType} ${a.sizeBytes} bytes${where}\n`);
      });
    });

  cases
    .command('attachments')
    .description("list a case's attachments (sha256, type, size, caption, footprint)")
    .argument('<id>', 'case id')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  watchkeeper cases attachments case-1a2b3c4d5e\n')
    .action(async function (this: Command, id: string, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        await getCase(store, id);
        const rows = await listAttachments(store.db, id);
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else
          printTable(
            rows.map((a) => ({ ...a, bbox: a.bbox?.join(',') ?? '' })) as unknown as Array<Record<string, unknown>>,
            ['sha256', 'mediaType', 'sizeBytes', 'date', 'bbox', 'caption'],
          );
      });
    });

  cases
    .command('log')
    .description("a case's log (every change, by whom and when) as a hash chain, and whether the chain verifies")
    .argument('<id>', 'case id (a deleted case keeps its log)')
    .option('--json', 'print {verified, head, broken, entries} as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cases log case-1a2b3c4d5e\n  watchkeeper cases log case-1a2b3c4d5e --json\n' +
        '\nExit status 1 when the chain does not verify (an entry changed, removed or reordered in the store).\n',
    )
    .action(async function (this: Command, id: string, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        const entries = await readCaseLog(store.db, id);
        if (entries.length === 0) await getCase(store, id);
        const check = verifyChain(entries);
        if (opts.json) {
          const doc = { caseId: id, verified: check.ok, head: check.head, broken: check.broken, entries };
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        } else {
          printTable(
            entries.map((e) => ({
              seq: e.seq,
              ts: e.ts,
              actor: e.actor,
              action: e.action,
              target: e.target ?? '',
              hash: e.hash,
            })),
            ['seq', 'ts', 'actor', 'action', 'target', 'hash'],
          );
          process.stdout.write(
            check.ok
              ? `chain verifies: ${check.entries} entries, head ${check.head}\n`
              : `chain does NOT verify at entry ${check.broken!.seq}: ${check.broken!.reason}\n`,
          );
        }
        if (!check.ok) process.exitCode = 1;
      });
    });

  cases
    .command('export')
    .description('export a case: a report (UN Panel of Experts structure) in HTML or PDF, or a verifiable bundle')
    .argument('<id>', 'case id')
    .option('--format <format>', 'html | pdf | bundle', 'html')
    .option('-o, --out <file>', 'output file (default: <case id>.<format>, bundles .tar)')
    .option('--with-sources', 'bundle: include the raw source files the evidence was read from (default: their hashes)')
    .option('--no-pdf', 'bundle: leave out the PDF report (no Chromium needed)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cases export case-1a2b3c4d5e --format pdf -o report.pdf\n' +
        '  watchkeeper cases export case-1a2b3c4d5e --format bundle --out case.tar\n' +
        '  watchkeeper verify case.tar\n' +
        '\nA bundle is a tar file: the report (PDF and HTML), the case and its hash-chained log, the findings with\n' +
        'their parameters and evidence, raw source excerpts, attachments and a manifest.json with the sha256 of every\n' +
        'member and the chain head (docs/evidence.md).\n',
    )
    .action(async function (
      this: Command,
      id: string,
      opts: { format: string; out?: string; withSources?: boolean; pdf?: boolean },
    ) {
      const format = opts.format.toLowerCase();
      if (format !== 'html' && format !== 'pdf' && format !== 'bundle') {
        throw new UserError(`--format: html, pdf or bundle, got "${opts.format}"`);
      }
      await withStore(this, async (store) => {
        const c = await getCase(store, id);
        if (format === 'bundle') {
          const out = opts.out ?? `${c.id}.tar`;
          const r = await phase(`export ${c.id}`, () =>
            exportBundle(store, c.id, out, { withSources: opts.withSources, pdf: opts.pdf }),
          );
          process.stdout.write(
            `wrote ${r.file} (${r.sizeBytes.toLocaleString('en-US')} bytes, ${r.manifest.members.length + 1} members)\n` +
              `bundle sha256 ${r.sha256}\ncase log head ${r.manifest.chain.head} (${r.manifest.chain.entries} entries)\n`,
          );
          return;
        }
        const out = opts.out ?? `${c.id}.${format}`;
        // Loading the case material and (for PDF) starting Chromium take seconds: show they are under way.
        const data = await phase(`export ${c.id}`, async () => {
          const html = await renderCaseHtml(store, c.id);
          return format === 'pdf' ? await htmlToPdf(html, { title: c.title }) : Buffer.from(html, 'utf8');
        });
        await writeFile(out, data);
        process.stdout.write(`wrote ${out} (${data.length.toLocaleString('en-US')} bytes)\n`);
      });
    });

  const watch = program
    .command('watch')
    .description('watchlist: new findings on a watched vessel, entity or address raise alerts')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper watch add vessel 445123000 --label "SEA STAR 7"\n  watchkeeper watch list\n  watchkeeper alerts --unread\n',
    );
  watch
    .command('add')
    .description('watch a vessel (MMSI or entity id), an entity or an address')
    .argument('<kind>', WATCH_KINDS.join(' | '))
    .argument('<ref>', 'MMSI, entity id or address')
    .option('--label <text>', 'a name for the watch')
    .option('--include-existing', 'raise alerts for findings already in the store too')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper watch add vessel 445123000 --label "CHON MA SAN"\n  watchkeeper watch add entity ofac-23707\n',
    )
    .action(async function (
      this: Command,
      kind: string,
      ref: string,
      opts: { label?: string; includeExisting?: boolean },
    ) {
      await withStore(this, async (store) => {
        const w = await addWatch(store, { kind, ref, label: opts.label, includeExisting: opts.includeExisting });
        process.stdout.write(`${w.id} watching ${w.kind} ${w.ref} (subjects: ${w.subjects.join(', ')})\n`);
      });
    });
  watch
    .command('list')
    .description('list watches with their alert counts')
    .addHelpText('after', '\nExamples:\n  watchkeeper watch list\n  watchkeeper watch list --json\n')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: { json?: boolean }) {
      await withStore(this, async (store) => {
        await listAlerts(store, { limit: 1 });
        const rows = await listWatches(store);
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else
          printTable(rows as unknown as Array<Record<string, unknown>>, [
            'id',
            'kind',
            'ref',
            'label',
            'alertCount',
            'unreadCount',
            'createdAt',
          ]);
      });
    });

  program
    .command('alerts')
    .description('alerts raised by new findings on watched subjects (checks for new findings first)')
    .addHelpText('after', '\nExamples:\n  watchkeeper alerts\n  watchkeeper alerts --unread --limit 10 --json\n')
    .option('--unread', 'only unread alerts')
    .option('--limit <n>', 'at most n alerts', '50')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: { unread?: boolean; limit: string; json?: boolean }) {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UserError(`--limit: a positive integer, got "${opts.limit}"`);
      await withStore(this, async (store) => {
        const rows = await listAlerts(store, { unread: opts.unread, limit });
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else
          printTable(rows as unknown as Array<Record<string, unknown>>, [
            'raisedAt',
            'watchRef',
            'findingKind',
            'score',
            'findingId',
            'explanation',
          ]);
      });
    });
}
