import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Finding } from '../findings/finding.js';
import { importComtrade } from '../trade/comtrade.js';
import { parseShipmentMap, SHIPMENT_FIELDS } from '../trade/fields.js';
import { type MirrorReport, mirrorFromStore } from '../trade/mirror.js';
import { type ScreenProgress, screenStore } from '../trade/screen.js';
import { importShipments } from '../trade/shipments.js';
import { addCapCommand } from './cargo.js';
import { type Progress, phase, printTable, withStore } from './context.js';

/** Commander collector for repeatable options. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function intOption(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UserError(`${name}: "${v}" is not an integer`);
    return n;
  };
}

function numberOption(name: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new UserError(`${name}: "${v}" is not a number ≥ ${min}`);
    return n;
  };
}

function json(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const usd = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/** `watchkeeper trade ...`: shipment records and mirror statistics. */
export function register(program: Command): void {
  const trade = program
    .command('trade')
    .description(
      'trade: import shipment records, screen them against lists, DPRK bans and AIS, mirror statistics, the petroleum cap',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper trade import test/fixtures/trade/shipments.csv\n' +
        '  watchkeeper trade screen --json\n' +
        '  watchkeeper trade mirror --import test/fixtures/trade/comtrade_mirror.csv\n' +
        '  watchkeeper trade cap --year 2024\n',
    );
  addCapCommand(trade);

  trade
    .command('import')
    .description('import shipment records (customs declarations, bills of lading, manifests) from CSV')
    .argument('<file>', 'CSV file with a header row')
    .option(
      '--map <column=field>',
      `map a column to a field (repeatable or comma-separated); fields: ${SHIPMENT_FIELDS.join(', ')}`,
      collect,
    )
    .option('--delimiter <char>', 'field delimiter (default ",")')
    .option('--skip-bad', 'import the good rows and list the bad ones (default: a bad row refuses the file)')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nThe default layout (and its synonyms, see docs/trade.md) needs no mapping.\n' +
        '\nExamples:\n' +
        '  watchkeeper trade import test/fixtures/trade/shipments.csv\n' +
        '  watchkeeper trade import manifest.csv --map "Receiver=consignee,Tariff=hs_code" --map "Made in=origin"\n' +
        '  watchkeeper trade import declarations.csv --delimiter ";" --skip-bad --json\n',
    )
    .action(async function (
      this: Command,
      file: string,
      o: { map?: string[]; delimiter?: string; skipBad?: boolean; json?: boolean },
    ) {
      const map = parseShipmentMap(o.map ?? []);
      await withStore(this, async (store) => {
        const r = await phase(
          `import ${file}`,
          (p) =>
            importShipments(store, file, {
              map,
              delimiter: o.delimiter,
              skipBad: o.skipBad,
              onProgress: (n) => p.tick(n),
            }),
          (r) => `${r.rows.toLocaleString('en-US')} records`,
        );
        if (o.json) return json(r);
        process.stdout.write(
          `${r.created ? 'imported' : 'already imported'} ${r.rows.toLocaleString('en-US')} shipment records from ${file} (${r.importId})\n`,
        );
        if (r.created)
          process.stderr.write(
            `columns: ${Object.entries(r.columns)
              .map(([f, c]) => (f === c ? f : `${c}→${f}`))
              .join(', ')}\n`,
          );
        for (const b of r.badRows.slice(0, 20)) process.stderr.write(`skipped ${b.where}: ${b.reason}\n`);
        if (r.badRows.length > 20) process.stderr.write(`... and ${r.badRows.length - 20} more bad rows\n`);
      });
    });

  trade
    .command('screen')
    .description('screen the imported shipments: listed parties, prohibited goods, declared origins against AIS')
    .option('--import <id>', 'only this import (default: every imported shipment file)')
    .option('--threshold <score>', 'party match threshold (default 0.7)', numberOption('--threshold'))
    .option(
      '--voyage-lead-days <n>',
      'days before departure a DPRK port call still counts (default 30)',
      numberOption('--voyage-lead-days'),
    )
    .option(
      '--voyage-days <n>',
      'voyage length when the record has no arrival date (default 45)',
      numberOption('--voyage-days'),
    )
    .option('--no-save', 'do not store the findings')
    .option('--json', 'print the findings as JSON')
    .addHelpText(
      'after',
      '\nParties are screened against the lists in the store (run `watchkeeper lists import` first); vessels against\n' +
        'the ais.port_visit findings of `watchkeeper detect`.\n' +
        '\nExamples:\n' +
        '  watchkeeper trade screen\n' +
        '  watchkeeper trade screen --json > trade-findings.json\n' +
        '  watchkeeper trade screen --import trade-shipments@56137b49e6dfd89b --threshold 0.8\n',
    )
    .action(async function (
      this: Command,
      o: {
        import?: string;
        threshold?: number;
        voyageLeadDays?: number;
        voyageDays?: number;
        save: boolean;
        json?: boolean;
      },
    ) {
      await withStore(this, async (store) => {
        const r = await phase(
          'trade screen',
          (p) =>
            screenStore(store, {
              importId: o.import,
              save: o.save,
              ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
              ...(o.voyageLeadDays !== undefined ? { voyageLeadDays: o.voyageLeadDays } : {}),
              ...(o.voyageDays !== undefined ? { voyageDays: o.voyageDays } : {}),
              onProgress: progressOfScreen(p),
            }),
          (r) => `${r.records.toLocaleString('en-US')} records, ${r.findings.length} findings`,
        );
        if (o.json) return json(r.findings);
        process.stderr.write(
          `screened ${r.records.toLocaleString('en-US')} shipment records (${r.partyLookups.toLocaleString('en-US')} distinct parties): ` +
            `${Object.entries(r.byKind)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ')}\n`,
        );
        printTable(
          r.findings.map((f: Finding) => ({
            kind: f.kind,
            record: f.evidence[0]?.record ?? '',
            score: f.score.toFixed(2),
            explanation: f.explanation,
          })),
          ['kind', 'record', 'score', 'explanation'],
        );
      });
    });

  trade
    .command('mirror')
    .description("the DPRK's trade as its partners report it (UN Comtrade format): by year, partner and HS chapter")
    .option('--import <file>', 'first import a Comtrade-format CSV (fields: data/trade/comtrade_fields.csv)')
    .option('--from <year>', 'first year', intOption('--from'))
    .option('--to <year>', 'last year', intOption('--to'))
    .option('--reporter <code>', 'only this partner (Comtrade reporter code, e.g. 156 China)', intOption('--reporter'))
    .option(
      '--barrels-per-tonne <n>',
      'refined petroleum conversion (default 7.33)',
      numberOption('--barrels-per-tonne', 0.1),
    )
    .option('--chapters', 'also print the table by HS chapter')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  watchkeeper trade mirror --import test/fixtures/trade/comtrade_mirror.csv\n' +
        '  watchkeeper trade mirror --from 2017 --reporter 156 --chapters\n' +
        '  watchkeeper trade mirror --json\n',
    )
    .action(async function (
      this: Command,
      o: {
        import?: string;
        from?: number;
        to?: number;
        reporter?: number;
        barrelsPerTonne?: number;
        chapters?: boolean;
        json?: boolean;
      },
    ) {
      await withStore(this, async (store) => {
        if (o.import) {
          const file = o.import;
          const r = await phase(`import ${file}`, (p) => importComtrade(store, file, { onProgress: (n) => p.tick(n) }));
          process.stderr.write(
            `${r.created ? 'imported' : 'already imported'} ${r.rows.toLocaleString('en-US')} Comtrade records ` +
              `(${r.dprkRows.toLocaleString('en-US')} with the DPRK as partner) from ${file} (${r.importId})\n`,
          );
        }
        const report = await mirrorFromStore(
          store,
          { fromYear: o.from, toYear: o.to, reporterCode: o.reporter },
          o.barrelsPerTonne !== undefined ? { barrelsPerTonne: o.barrelsPerTonne } : {},
        );
        if (o.json) return json(report);
        printMirror(report, o.chapters === true);
      });
    });
}

function printMirror(r: MirrorReport, chapters: boolean): void {
  if (r.rows === 0) {
    process.stderr.write('no Comtrade rows with the DPRK (408) as partner; import some with --import FILE\n');
    return;
  }
  process.stdout.write('DPRK trade as partners report it (USD; export/import from the DPRK side)\n');
  printTable(
    r.totals.map((t) => ({
      year: t.year,
      partner: t.reporter,
      flow: t.flow,
      value_usd: usd(t.valueUsd),
      from: t.from,
    })),
  );
  if (chapters) {
    process.stdout.write('\nBy HS chapter\n');
    printTable(
      r.chapters.map((c) => ({
        year: c.year,
        partner: c.reporter,
        flow: c.flow,
        chapter: c.chapter,
        description: c.chapterDesc ?? '',
        value_usd: usd(c.valueUsd),
      })),
    );
  }
  process.stdout.write('\nFlows in banned or capped codes\n');
  if (r.banned.length === 0) process.stdout.write('(none)\n');
  else
    printTable(
      r.banned.map((b) => ({
        year: b.year,
        partner: b.reporter,
        flow: b.flow,
        goods: `${b.label} (${b.codes.length > 2 ? `${b.codes[0]}-${b.codes[b.codes.length - 1]}` : b.codes.join(', ')})`,
        value_usd: usd(b.valueUsd),
        tonnes: b.netWgtKg === null ? '' : usd(b.netWgtKg / 1000),
        verdict: `${b.verdict}${b.partYear ? ' (adopted that year)' : ''}${b.aboveCap ? ', year above cap' : ''}`,
        resolutions: b.resolutions.join('; '),
      })),
    );
  if (r.petroleum.length > 0) {
    process.stdout.write(`\nRefined petroleum to the DPRK (${r.params.barrelsPerTonne} bbl/t) against the cap\n`);
    printTable(
      r.petroleum.map((p) => ({
        year: p.year,
        tonnes: usd(p.netWgtKg / 1000),
        barrels: usd(p.barrels),
        cap: usd(p.capBarrels),
        above_cap: p.aboveCap ? 'yes' : 'no',
      })),
    );
  }
  if (r.border.length > 0) {
    process.stdout.write('\nBy mode of transport (border trade where reported)\n');
    printTable(
      r.border.map((b) => ({
        year: b.year,
        partner: b.reporter,
        flow: b.flow,
        mode: b.mode,
        value_usd: usd(b.valueUsd),
      })),
    );
  }
  if (r.skipped > 0)
    process.stderr.write(
      `${r.skipped} rows left out (processing flows, other customs procedures, monthly beside annual)\n`,
    );
}

/**
 * `trade screen`'s steps on its progress line: `index` (the list index being built), `parties` (distinct parties
 * screened, the long step), `records` (the records that can give a finding), `saving` (findings stored), each with
 * its percentage and the time left.
 */
export function progressOfScreen(p: Progress): (s: ScreenProgress) => void {
  let step = '';
  return (s) => {
    if (s.step !== step) {
      step = s.step;
      p.step(s.step);
    }
    if (s.step !== 'index') p.tick(s.done, s.total);
  };
}
