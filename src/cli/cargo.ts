import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { type CapYear, capFindings } from '../maritime/cargo/cap.js';
import { capChart } from '../maritime/cargo/chart.js';
import type { CargoEstimateDetails } from '../maritime/cargo/events.js';
import { type OfficialDelivery, parseOfficialDeliveries } from '../maritime/cargo/official.js';
import { capByYear, estimateFinding } from '../maritime/cargo/store.js';
import { printTable, withStore } from './context.js';

/**
 * Cargo commands: `cargo estimate FINDING` (tonnes/barrels moved in a port call, encounter or gap, from the
 * draught change) and `cargo cap` (the refined-petroleum cap tracker by year). The tracker is also `trade cap`,
 * where the trade commands are (issue 15 names it there): one command, registered under both groups.
 */

function parseYear(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const y = Number(s);
  if (!Number.isInteger(y) || y < 1990 || y > 2100) throw new UserError(`--year: "${s}" is not a year like 2024`);
  return y;
}

function printCap(years: CapYear[]): void {
  if (years.length === 0) {
    process.stdout.write('(no deliveries found: run `watchkeeper detect` over AIS data, or pass --official)\n');
    return;
  }
  for (const y of years) {
    process.stdout.write(`${capChart(y)}\n\n`);
    printTable(
      y.deliveries.map((d, k) => ({
        date: d.date.slice(0, 16),
        source: d.source,
        vessel: d.mmsi !== null ? `${d.mmsi}${d.name ? ` ${d.name}` : ''}` : (d.name ?? ''),
        barrels: `${d.barrels.mid.toLocaleString('en-US')} (${d.barrels.low.toLocaleString('en-US')}–${d.barrels.high.toLocaleString('en-US')})`,
        'load 33/50/90 %': d.loadBarrels ? d.loadBarrels.map((x) => x.toLocaleString('en-US')).join(' / ') : '',
        running: y.running[k]![1]!.toLocaleString('en-US'),
        confirmed: d.confirmedBy.map((c) => `${c.port} ${c.start.slice(0, 10)}`).join(', '),
        note: d.note,
      })),
    );
    for (const f of capFindings([y])) process.stdout.write(`\n${f.kind} (${f.score}): ${f.explanation}\n`);
    process.stdout.write('\n');
  }
}

export function register(program: Command): void {
  const cargo = program
    .command('cargo')
    .description('cargo estimates from AIS draught, and the refined-petroleum cap tracker')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cargo estimate f-0123abcd\n  watchkeeper cargo cap --year 2024\n',
    );

  cargo
    .command('estimate')
    .description('estimate the cargo loaded or discharged in a port call, encounter or gap finding (draught change)')
    .argument('<finding>', 'finding id (ais.port_visit, ais.encounter, ais.gap or cargo.estimate)')
    .option('--json', 'print the estimate findings as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper cargo estimate f-0123456789abcdef01234567\n  watchkeeper cargo estimate f-0123456789abcdef01234567 --json\n',
    )
    .action(async function (this: Command, id: string, o: { json?: boolean }) {
      await withStore(this, async (store) => {
        const found = await estimateFinding(store, id);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
          return;
        }
        if (found.length === 0) {
          process.stdout.write(
            `no estimate: no vessel in ${id} reported its draught before and after with a change of at least 0.3 m, and its dimensions\n`,
          );
          return;
        }
        for (const f of found) {
          const d = f.details as unknown as CargoEstimateDetails;
          const e = d.estimate;
          process.stdout.write(`${f.explanation}\n`);
          process.stdout.write(
            `  method ${e.method}; tonnes ${e.tonnes.low}..${e.tonnes.mid}..${e.tonnes.high}` +
              `${e.barrels ? `; barrels ${e.barrels.low}..${e.barrels.mid}..${e.barrels.high} (${e.product}, ${e.barrelsPerTonne} bbl/t)` : ''}\n` +
              `  inputs ${JSON.stringify(e.inputs)}\n`,
          );
        }
      });
    });

  addCapCommand(cargo);
}

/** `cap` under a command group (`cargo` and `trade`): the refined-petroleum tracker by year. */
export function addCapCommand(group: Command): void {
  group
    .command('cap')
    .description(
      'refined petroleum delivered to the DPRK per year (STS, DPRK port calls, official reports) against the 500,000-barrel cap',
    )
    .option('--year <y>', 'one calendar year')
    .option('--official <file>', 'CSV of official deliveries reported to the 1718 Committee (format in docs/cargo.md)')
    .option('--json', 'print the tracker as JSON')
    .option(
      '--save',
      'store the trade.petroleum_cap finding of each year over the cap (official deliveries included), replacing the one `detect` wrote for that year',
    )
    .addHelpText(
      'after',
      `\nExamples:\n  watchkeeper ${group.name()} cap\n  watchkeeper ${group.name()} cap --year 2024 --official 1718-deliveries.csv --json\n  watchkeeper ${group.name()} cap --official 1718-deliveries.csv --save\n`,
    )
    .action(async function (this: Command, o: { year?: string; official?: string; json?: boolean; save?: boolean }) {
      const year = parseYear(o.year);
      let official: OfficialDelivery[] | undefined;
      if (o.official) {
        let text: string;
        try {
          text = readFileSync(o.official, 'utf8');
        } catch (e) {
          throw new UserError(`--official: cannot read ${o.official}: ${(e as Error).message}`);
        }
        official = parseOfficialDeliveries(text, o.official);
      }
      await withStore(this, async (store) => {
        const years = await capByYear(store, { year, official });
        if (o.json) process.stdout.write(`${JSON.stringify(years, null, 2)}\n`);
        else printCap(years);
        if (o.save) {
          const found = capFindings(years);
          if (found.length > 0) await store.putFindings(found);
          process.stderr.write(
            `saved ${found.length} trade.petroleum_cap finding(s)${found.length ? `: ${found.map((f) => f.details?.year).join(', ')}` : ' (no year over the cap)'}\n`,
          );
        }
      });
    });
}
