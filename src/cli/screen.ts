import { once } from 'node:events';
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError, UserError } from '../errors.js';
import { readCsvFile } from '../ingest/csv.js';
import { rowQuery, screenBatch, screenPairs } from '../screening/batch.js';
import type { MatchResult } from '../screening/index.js';
import { parseWeightOptions, validateLimit, validateQuery, validateThreshold } from '../screening/query.js';
import { DEFAULT_THRESHOLD } from '../screening/score.js';
import { screeningService } from '../screening/service.js';
import { printable } from '../util/printable.js';
import { phase, printTable, progress, withStore } from './context.js';

interface ScreenOptions {
  schema?: string;
  birthDate?: string;
  country?: string;
  imo?: string;
  mmsi?: string;
  address?: string;
  json?: boolean;
  limit?: string;
  threshold?: string;
  dataset?: string;
  weight?: string[];
}

/** Commander collector for the repeatable --weight option. */
function collectWeight(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function explain(r: MatchResult): string {
  return Object.entries(r.explanations)
    .map(([name, e]) => `${name}=${e.value}×${e.weight}: ${e.detail}`)
    .join('; ');
}

/** A writer to a file or stdout that respects back-pressure. */
function output(file?: string): { write(line: string): Promise<void>; close(): Promise<void> } {
  const out: WriteStream | NodeJS.WriteStream = file ? createWriteStream(file) : process.stdout;
  return {
    async write(line: string) {
      if (!out.write(line)) await once(out, 'drain');
    },
    async close() {
      if (file) {
        (out as WriteStream).end();
        await once(out, 'finish');
      }
    },
  };
}

/**
 * Read a `screen batch` input once before the screening index is built (seconds on full lists): an unreadable
 * file, a header without "name", an unknown schema or an empty row is reported at once, with file:line. Returns
 * the number of rows, the progress total.
 */
export async function checkBatchFile(file: string): Promise<number> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new InputError(`${file}: cannot read the file`);
  }
  let header: string[] | undefined;
  let rows = 0;
  for await (const record of readCsvFile(file)) {
    if (!header) {
      header = record.fields.map((h) => h.trim().toLowerCase());
      if (!header.includes('name'))
        throw new InputError(`${file}:1: no "name" column (columns: ${printable(header.join(', '), 80)})`);
      continue;
    }
    if (record.fields.length === 1 && record.fields[0]!.trim() === '') continue;
    rowQuery(header, record.fields, `${file}:${record.line}`);
    rows++;
  }
  if (!header) throw new InputError(`${file}: empty file (expected a header with a "name" column)`);
  return rows;
}

/** `watchkeeper screen ...` commands. */
export function register(program: Command): void {
  const screen = program
    .command('screen')
    .argument('[name]', 'a name to screen (any script: Latin, Hangul, Cyrillic, ...)')
    .description('screen a name, vessel or wallet against the sanctions lists in the store')
    .option(
      '--schema <schema>',
      'FtM schema: Person, Organization, Company, LegalEntity, Vessel, CryptoWallet',
      'Thing',
    )
    .option('--birth-date <date>', 'birth date (YYYY, YYYY-MM or YYYY-MM-DD)')
    .option('--country <country>', 'nationality / country (name or ISO code)')
    .option('--imo <imo>', 'IMO number (check digit validated)')
    .option('--mmsi <mmsi>', 'MMSI')
    .option('--address <address>', 'crypto address (with --schema CryptoWallet)')
    .option('--dataset <name>', 'only this list (un_sc_sanctions, us_ofac_sdn, ...; old names un_sc, gb_ofsi too)')
    .option('--limit <n>', 'results to show', '5')
    .option('--threshold <x>', `score for match: true (default ${DEFAULT_THRESHOLD})`)
    .option('--json', 'print JSON (with per-feature explanations)')
    .option(
      '--weight <feature=weight>',
      'override a feature weight (repeatable, e.g. country_mismatch=-0.3)',
      collectWeight,
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper screen "Kim Jong Un"\n' +
        '  watchkeeper screen "최춘식" --schema Person --json\n' +
        '  watchkeeper screen --schema Vessel --imo 7937317\n' +
        '  watchkeeper screen batch customers.csv --out screened.csv\n' +
        '  watchkeeper screen pairs pairs.csv\n',
    )
    .action(async function (this: Command, name: string | undefined, opts: ScreenOptions) {
      const properties: Record<string, string[]> = {};
      if (name !== undefined) properties.name = [name];
      if (opts.birthDate) properties.birthDate = [opts.birthDate];
      if (opts.country) properties[opts.schema === 'Vessel' ? 'flag' : 'country'] = [opts.country];
      if (opts.imo) properties.imoNumber = [opts.imo];
      if (opts.mmsi) properties.mmsi = [opts.mmsi];
      if (opts.address) properties.publicKey = [opts.address];
      if (name === undefined && Object.keys(properties).length === 0) {
        throw new UserError('screen: give a name, or --imo/--mmsi/--address (see watchkeeper screen --help)');
      }
      const query = validateQuery({ schema: opts.schema ?? 'Thing', properties }, 'query');
      const limit = validateLimit(opts.limit, 5);
      const threshold = validateThreshold(opts.threshold, DEFAULT_THRESHOLD);
      const weights = parseWeightOptions(opts.weight);
      await withStore(this, async (store) => {
        const service = screeningService(store);
        await phase('screening index', () => service.index());
        const results = await service.match(query, { limit, threshold, dataset: opts.dataset, weights });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ query, threshold, results }, null, 2)}\n`);
          return;
        }
        printTable(
          results.map((r) => ({
            score: r.score.toFixed(3),
            match: r.match ? 'MATCH' : '',
            id: r.id,
            schema: r.schema,
            name: r.caption,
            datasets: r.datasets.join(','),
            why: explain(r),
          })),
        );
        if ((service.info()?.entities ?? 0) === 0) {
          process.stderr.write(
            'note: no list entities in the store; import lists first (watchkeeper lists import ...)\n',
          );
        }
      });
    });

  screen
    .command('batch')
    .argument(
      '<in.csv>',
      'CSV with a "name" column; optional schema, birth_date, nationality, country, imo, mmsi, address',
    )
    .description('screen every row of a CSV file; adds match_id, match_name, match_schema, score, match, datasets')
    .option('-o, --out <file>', 'output CSV (default stdout)')
    .option('--limit <n>', 'best matches per row (one output row each, with a rank column when > 1)', '1')
    .option('--threshold <x>', `score for match: true (default ${DEFAULT_THRESHOLD})`)
    .option('--dataset <name>', 'only this list')
    .option(
      '--weight <feature=weight>',
      'override a feature weight (repeatable, e.g. country_mismatch=-0.3)',
      collectWeight,
    )
    .addHelpText('after', '\nExamples:\n  watchkeeper screen batch customers.csv --out screened.csv --limit 3\n')
    .action(async function (
      this: Command,
      file: string,
      opts: { out?: string; limit?: string; threshold?: string; dataset?: string; weight?: string[] },
    ) {
      const limit = validateLimit(opts.limit, 1);
      const threshold = validateThreshold(opts.threshold, DEFAULT_THRESHOLD);
      const weights = parseWeightOptions(opts.weight);
      const total = await checkBatchFile(file);
      await withStore(this, async (store) => {
        const index = await phase('screening index', () => screeningService(store).index());
        const bar = progress('screen batch');
        const out = output(opts.out);
        const { rows, matched } = await screenBatch(index, file, (l) => out.write(l), {
          limit,
          threshold,
          dataset: opts.dataset,
          weights,
          onRow: (n) => bar.tick(n, total),
        });
        await out.close();
        bar.done(`${rows.toLocaleString('en-US')} rows, ${matched.toLocaleString('en-US')} matched at ${threshold}`);
      });
    });

  screen
    .command('pairs')
    .argument('<in.csv>', 'CSV with columns schema,name1,name2 (others passed through)')
    .description('score name pairs with the matcher: adds score and match (audit the matcher on your own cases)')
    .option('-o, --out <file>', 'output CSV (default stdout)')
    .option('--threshold <x>', `score for match: true (default ${DEFAULT_THRESHOLD})`)
    .option(
      '--weight <feature=weight>',
      'override a feature weight (repeatable, e.g. country_mismatch=-0.3)',
      collectWeight,
    )
    .addHelpText('after', '\nExamples:\n  watchkeeper screen pairs pairs.csv --out scored.csv\n')
    .action(async function (
      this: Command,
      file: string,
      opts: { out?: string; threshold?: string; weight?: string[] },
    ) {
      const threshold = validateThreshold(opts.threshold, DEFAULT_THRESHOLD);
      const weights = parseWeightOptions(opts.weight);
      await withStore(this, async (store) => {
        const index = await phase('screening index', () => screeningService(store).index());
        const bar = progress('screen pairs');
        const out = output(opts.out);
        const { rows, matched } = await screenPairs(file, (l) => out.write(l), {
          index: index.size > 0 ? index : undefined,
          threshold,
          weights,
          onRow: (n) => bar.tick(n),
        });
        await out.close();
        bar.done(`${rows.toLocaleString('en-US')} pairs, ${matched.toLocaleString('en-US')} matched at ${threshold}`);
      });
    });
}
