import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { diffVersions, resolveVersion } from '../lists/diff.js';
import { detectFormat, LIST_FORMATS, parseFormat } from '../lists/formats.js';
import { type ImportProgress, importList, parseListFile } from '../lists/import.js';
import { updateLists } from '../lists/update.js';
import { dbLocation, type Progress, printTable, progress, withStore } from './context.js';

/** `watchkeeper lists ...` commands. */
export function register(program: Command): void {
  const lists = program
    .command('lists')
    .description('sanctions lists: import, show versions, diff, update')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper lists import data/sanctions/un/un_sc_consolidated_2026-02-27.xml\n' +
        '  watchkeeper lists show\n  watchkeeper lists diff us_ofac_sdn@702b us_ofac_sdn\n  watchkeeper lists update --source un_sc\n',
    );

  lists
    .command('import')
    .description('import a list file as a new list version (UN XML, OFAC CSV, FtM JSON lines, EU/UK YAML)')
    .argument(
      '<file>',
      'list file, or a directory holding an OFAC CSV set (sdn.csv, add.csv, alt.csv, sdn_comments.csv)',
    )
    .option('--format <format>', `one of ${LIST_FORMATS.join(', ')} (default: detected from the content)`)
    .option(
      '--source <name>',
      'dataset name for the version (default per format: un_sc_sanctions, us_ofac_sdn, opensanctions, eu_fsf, gb_hmt_sanctions; old names un_sc, gb_ofsi accepted)',
    )
    .option('--url <url>', 'where the file came from, recorded on the version')
    .option('--allow-empty', 'import a file with no records (refused by default: it would empty the list)')
    .option(
      '--strict-properties',
      'FtM: refuse a file with a property the schema does not define (default: leave such values out, counted)',
    )
    .option(
      '--skip-unknown-properties',
      'FtM: leave out undefined properties, with a count (the default; kept for scripts)',
    )
    .option('--dry-run', 'parse and report what would be imported, without opening the store')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper lists import data/sanctions/un/un_sc_consolidated_2026-02-27.xml\n' +
        '  watchkeeper lists import data/sanctions/ofac/sdn_csv_2024-05-03/sdn.csv --dry-run\n' +
        '  watchkeeper lists import data/sanctions/ofac/csv_set_2021-07-07\n' +
        '  watchkeeper lists import entities.ftm.json --format ftm --source opensanctions\n',
    )
    .action(async function (
      this: Command,
      file: string,
      opts: {
        format?: string;
        source?: string;
        url?: string;
        json?: boolean;
        dryRun?: boolean;
        allowEmpty?: boolean;
        strictProperties?: boolean;
      },
    ) {
      const format = opts.format ? parseFormat(opts.format) : undefined;
      const unknownProperties = opts.strictProperties ? 'error' : 'skip';
      if (opts.dryRun) {
        const f = format ?? detectFormat(file);
        const parsed = await parseListFile(file, f, { unknownProperties });
        const summary = {
          format: f,
          records: parsed.stats.records,
          entities: parsed.entities.length,
          publishedAt: parsed.publishedAt ?? null,
          counts: parsed.stats.counts,
          warnings: parsed.stats.warnings,
        };
        if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else {
          process.stdout.write(
            `${file}: ${f}, ${summary.records.toLocaleString('en-US')} records, ${summary.entities.toLocaleString('en-US')} entities (dry run: nothing imported)\n`,
          );
          const counts = Object.entries(summary.counts).sort(([a], [b]) => (a < b ? -1 : 1));
          process.stdout.write(`parsed: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
          for (const w of summary.warnings.slice(0, 20)) process.stderr.write(`warning: ${w}\n`);
          if (summary.records === 0 && !opts.allowEmpty)
            process.stderr.write('warning: no records: an import would be refused without --allow-empty\n');
        }
        return;
      }
      await withStore(this, async (store) => {
        const p = progress(`import ${path.basename(file)}`);
        const r = await importList(store, file, {
          format,
          source: opts.source,
          url: opts.url,
          allowEmpty: opts.allowEmpty,
          unknownProperties,
          onProgress: progressOfImport(p),
        });
        p.done(`${r.created ? 'imported' : 'already imported'} ${r.version.id}`);
        for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ created: r.created, version: r.version, entities: r.entityCount, counts: r.stats.counts, warnings: [...r.warnings, ...r.stats.warnings] }, null, 2)}\n`,
          );
          return;
        }
        const v = r.version;
        process.stdout.write(
          `${r.created ? 'imported' : 'already in the store:'} ${v.id} (${v.format}, ${v.recordCount.toLocaleString('en-US')} records, ` +
            `${r.entityCount.toLocaleString('en-US')} entities, ${v.statementCount.toLocaleString('en-US')} statements, fetched ${v.fetchedAt})\n`,
        );
        const counts = Object.entries(r.stats.counts).sort(([a], [b]) => (a < b ? -1 : 1));
        process.stdout.write(`parsed: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
        for (const w of r.stats.warnings.slice(0, 20)) process.stderr.write(`warning: ${w}\n`);
      });
    });

  lists
    .command('show')
    .description('list versions in the store, newest of each source marked current')
    .option('--source <name>', 'only this source')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper lists show\n  watchkeeper lists show --source us_ofac_sdn --json\n',
    )
    .action(async function (this: Command, opts: { source?: string; json?: boolean }) {
      await withStore(this, async (store) => {
        const versions = await store.listVersions(opts.source);
        const current = new Set((await store.currentVersions()).map((v) => v.id));
        const rows = versions.map((v) => ({ ...v, current: current.has(v.id) }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        printTable(
          rows.map((r) => ({ ...r, current: r.current ? '*' : '' })),
          ['current', 'id', 'format', 'fetchedAt', 'importedAt', 'recordCount', 'statementCount', 'url'],
        );
      });
    });

  lists
    .command('diff')
    .description('designations added, removed and changed between two list versions')
    .argument('<from>', 'version id, unique id prefix, or source name (its current version)')
    .argument('<to>', 'version id, unique id prefix, or source name (its current version)')
    .option(
      '--props <list>',
      'compare only these properties for "changed" (comma-separated, e.g. name,alias,programId)',
    )
    .option('--limit <n>', 'rows to print per section', '20')
    .option('--json', 'print the full diff as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper lists diff us_ofac_sdn@702bba4bfa9c us_ofac_sdn@210ca6b4a818\n' +
        '  watchkeeper lists diff us_ofac_sdn@702b us_ofac_sdn --props name,alias,programId --json\n',
    )
    .action(async function (
      this: Command,
      from: string,
      to: string,
      opts: { props?: string; limit: string; json?: boolean },
    ) {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 0)
        throw new UserError(`--limit must be a non-negative integer, got "${opts.limit}"`);
      const props = opts.props
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      await withStore(this, async (store) => {
        const d = await diffVersions(store, from, to, { props });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `${d.from.id} → ${d.to.id}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged\n`,
        );
        const section = (title: string, rows: Array<Record<string, unknown>>, cols: string[]): void => {
          process.stdout.write(`\n${title} (${rows.length}${rows.length > limit ? `, first ${limit}` : ''}):\n`);
          printTable(rows.slice(0, limit), cols);
        };
        section(
          'Added',
          d.added.map((x) => ({ ...x })),
          ['id', 'schema', 'name'],
        );
        section(
          'Removed',
          d.removed.map((x) => ({ ...x })),
          ['id', 'schema', 'name'],
        );
        section(
          'Changed',
          d.changed.map((c) => ({
            id: c.id,
            schema: c.schema,
            name: c.name,
            changes: c.changes.map((ch) => `${ch.prop} +${ch.added.length}/-${ch.removed.length}`).join(' '),
          })),
          ['id', 'schema', 'name', 'changes'],
        );
        const byProp = Object.entries(d.changedProps).sort((a, b) => b[1] - a[1]);
        if (byProp.length > 0)
          process.stdout.write(`\nChanged properties: ${byProp.map(([p, n]) => `${p} ${n}`).join(', ')}\n`);
      });
    });

  lists
    .command('remove')
    .description('delete a list version and its statements (the previous version of that source becomes current)')
    .argument('<version>', 'version id or unique id prefix')
    .addHelpText('after', '\nExamples:\n  watchkeeper lists remove us_ofac_sdn@702bba4bfa9c\n')
    .action(async function (this: Command, spec: string) {
      await withStore(this, async (store) => {
        const v = await resolveVersion(store, spec.includes('@') ? spec : `${spec}@`);
        await store.deleteListVersion(v.id);
        process.stdout.write(`removed ${v.id} (${v.statementCount.toLocaleString('en-US')} statements)\n`);
      });
    });

  lists
    .command('update')
    .description(
      'download the official lists (conditional GET, sha256) and import new versions; failures keep the previous version',
    )
    .option(
      '--source <name...>',
      'only these sources: un_sc_sanctions (or un_sc), us_ofac_sdn, opensanctions (opt-in; large)',
    )
    .option('--url <source=url...>', 'override a URL: un_sc_sanctions=URL, or us_ofac_sdn/sdn.csv=URL')
    .option(
      '--base-url <url>',
      'fetch every file from <base-url>/<source>/<file> (a mirror); env WATCHKEEPER_LISTS_BASE_URL',
    )
    .option(
      '--dir <path>',
      'where downloaded files and their ETags are kept (default: lists/ beside the DuckDB file, or var/lists)',
    )
    .option('--timeout <seconds>', 'per-file download timeout', '120')
    .option('--allow-empty', 'import a download with no records (by default it fails and the previous version stays)')
    .option(
      '--strict-properties',
      'FtM: refuse a file with a property the schema does not define (default: leave such values out, counted)',
    )
    .option(
      '--skip-unknown-properties',
      'FtM: leave out undefined properties, with a count (the default; kept for scripts)',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper lists update\n  watchkeeper lists update --source un_sc\n' +
        '  watchkeeper lists update --url un_sc=https://mirror.example.org/consolidated.xml\n' +
        '  watchkeeper lists update --base-url http://localhost:8000/lists\n',
    )
    .action(async function (
      this: Command,
      opts: {
        source?: string[];
        url?: string[];
        baseUrl?: string;
        dir?: string;
        timeout: string;
        json?: boolean;
        allowEmpty?: boolean;
        strictProperties?: boolean;
      },
    ) {
      const urls: Record<string, string> = {};
      for (const pair of opts.url ?? []) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UserError(`--url "${pair}": expected source=URL or source/file=URL`);
        urls[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const timeoutS = Number(opts.timeout);
      if (!(timeoutS > 0)) throw new UserError(`--timeout must be a positive number of seconds, got "${opts.timeout}"`);
      const db = dbLocation(this);
      const dir =
        opts.dir ?? (/^postgres/i.test(db) ? path.join('var', 'lists') : path.join(path.dirname(db), 'lists'));
      await withStore(this, async (store) => {
        const outcomes = await updateLists(store, {
          sources: opts.source,
          urls,
          baseUrl: opts.baseUrl ?? process.env.WATCHKEEPER_LISTS_BASE_URL,
          dir,
          timeoutMs: timeoutS * 1000,
          allowEmpty: opts.allowEmpty,
          unknownProperties: opts.strictProperties ? 'error' : 'skip',
          log: opts.json ? undefined : (line) => process.stderr.write(`${line}\n`),
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
        else
          printTable(
            outcomes.map((o) => ({ ...o })),
            ['source', 'status', 'version', 'bytes', 'message'],
          );
        if (outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
      });
    });
}

/**
 * An import's steps on its progress line: `reading`, `hashing`, `counting` in bytes of the file, `writing` in
 * entities (or records), each with its percentage and the time left.
 */
export function progressOfImport(p: Progress): (s: ImportProgress) => void {
  let step = '';
  return (s) => {
    if (s.step !== step) {
      step = s.step;
      p.step(s.step, s.unit === 'bytes' ? 'bytes' : 'items');
    }
    p.tick(s.done, s.total);
  };
}
