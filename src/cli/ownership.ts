import type { Command } from 'commander';
import { NotFoundError, UserError } from '../errors.js';
import { assertFinding } from '../findings/finding.js';
import { ownershipFindings } from '../ownership/findings.js';
import { importOwnershipFile } from '../ownership/import.js';
import { loadNetwork } from '../ownership/load.js';
import { type ControlReport, controlOf } from '../ownership/network.js';
import { vesselView } from '../ownership/vessel-view.js';
import { printTable, withStore } from './context.js';

function asOfOption(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new UserError(`--as-of "${v}": give a date as YYYY-MM-DD`);
  return v;
}

function printControl(c: ControlReport): void {
  const verdict =
    c.blocked === true
      ? c.listed
        ? 'listed'
        : 'BLOCKED (50 % rule)'
      : c.blocked === 'possible'
        ? 'POSSIBLY blocked'
        : 'not blocked';
  process.stdout.write(
    `${c.name} (${c.node}): ${verdict}\n` +
      `aggregate share held by blocked persons: ${c.share} % (up to ${c.upperShare} % counting unknown shares), threshold ${c.threshold} %, as of ${c.asOf}\n`,
  );
  for (const [i, p] of c.paths.entries()) {
    process.stdout.write(`path ${i + 1}: `);
    process.stdout.write(
      `${p
        .map(
          (s, j) =>
            `${j === 0 ? `${s.ownerName}${s.ownerListed ? ' [listed]' : ''}` : ''} -${s.percentage === undefined ? '?' : s.percentage}%-> ${s.assetName}`,
        )
        .join(' ')}\n`,
    );
  }
}

/** `vessel show IMO`, added to the `vessel` group of cli/maritime.ts. */
export function registerVesselShow(vessel: Command): void {
  vessel
    .command('show')
    .description(
      'a hull by IMO: identity timeline with sources, owners and managers over time, the 50 % rule, exposure',
    )
    .argument('<imo>', '7-digit IMO number (check digit validated), "IMO8604917" or a vessel entity id')
    .option('--json', 'print the vessel as JSON')
    .option('--as-of <date>', 'ownership in force on this date (YYYY-MM-DD; default today)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper vessel show 8604917\n  watchkeeper vessel show IMO8604917 --json\n',
    )
    .action(async function (this: Command, ref: string, o: { json?: boolean; asOf?: string }) {
      await withStore(this, async (store) => {
        const view = vesselView(await loadNetwork(store, { asOf: asOfOption(o.asOf) }), ref);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
          return;
        }
        process.stdout.write(`IMO ${view.imo}  ${view.names.current.join(' / ')}\n`);
        if (view.names.former.length > 0) process.stdout.write(`former names: ${view.names.former.join(', ')}\n`);
        process.stdout.write(`listed: ${view.listed.map((l) => `${l.entityId} (${l.source})`).join(', ') || 'no'}\n\n`);
        printTable(
          view.identity.map((f) => ({
            prop: f.prop,
            value: f.value,
            source: f.source,
            first: f.firstSeen ?? '',
            last: f.lastSeen ?? '',
            record: f.sourceRecord,
          })),
        );
        for (const c of view.conflicts.succession) process.stdout.write(`MMSI ${c.from} -> ${c.to} from ${c.at}\n`);
        for (const c of view.conflicts.simultaneous)
          process.stdout.write(`two MMSIs claim this IMO at once: ${c.a} and ${c.b}, ${c.from} to ${c.to}\n`);
        process.stdout.write('\n');
        printTable(
          view.parties.map((p) => ({
            role: p.role,
            party: p.name,
            share: p.percentage === undefined ? '' : `${p.percentage} %`,
            from: p.startDate ?? '',
            to: p.endDate ?? '',
            current: p.current ? 'yes' : 'no',
            source: p.source,
          })),
        );
        if (view.chain.steps.length > 0) {
          process.stdout.write('\nownership chain (equity in force, up to the ultimate owners):\n');
          for (const st of view.chain.steps) {
            const status = st.ownerListed
              ? ' [listed]'
              : st.ownerBlocked === true
                ? ' [blocked]'
                : st.ownerBlocked === 'possible'
                  ? ' [possibly blocked]'
                  : '';
            process.stdout.write(
              `${'  '.repeat(st.depth)}${st.ownerName}${status} holds ${st.percentage === undefined ? 'an unknown share' : `${st.percentage} %`} of ${st.assetName} (${st.role}${st.startDate ? `, since ${st.startDate}` : ''}; ${st.sources.join(', ')})\n`,
            );
          }
          process.stdout.write(
            `ultimate owners: ${view.chain.ultimateOwners.map((u) => `${u.name}${u.listed ? ' [listed]' : u.blocked === true ? ' [blocked]' : ''}`).join(', ')}${view.chain.truncated ? ' (walk cut at its bound)' : ''}\n`,
          );
        }
        process.stdout.write('\n');
        printControl(view.control);
        for (const f of view.exposure) process.stdout.write(`exposure (${f.score}): ${f.explanation}\n`);
      });
    });
}

export function register(program: Command): void {
  const ownership = program
    .command('ownership')
    .description('who is behind a ship: import registry extracts and ownership data, the OFAC 50 % rule')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ownership import registry.csv\n  watchkeeper ownership control un-kpe-066 --json\n',
    );
  ownership
    .command('import')
    .argument(
      '<file>',
      'registry extract (.csv, layout in docs/ownership.md) or FtM JSON lines (.json, .jsonl, .ftm.json)',
    )
    .description('import ownership and management data as one version of its source (atomic)')
    .option('--source <name>', 'dataset name (default ship_registry for CSV, ownership_ftm for FtM)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ownership import registry.csv\n  watchkeeper ownership import ownership.ftm.json --source opensanctions_ownership\n',
    )
    .action(async function (this: Command, file: string, o: { source?: string }) {
      await withStore(this, async (store) => {
        const r = await importOwnershipFile(store, file, { source: o.source });
        process.stderr.write(
          `${r.created ? 'imported' : 'already imported'} ${r.versionId} (${r.format}): ${r.records} records, ${r.statements} statements\n`,
        );
        process.stdout.write(`${r.versionId}\n`);
      });
    });
  ownership
    .command('findings')
    .description(
      'vessel.ownership_exposure, network.front_company and vessel.acquisition findings over the whole store',
    )
    .option('--save', 'write the findings to the store (replacing earlier ones with the same id)')
    .option('--json', 'print the findings as JSON')
    .option('--as-of <date>', 'ownership in force on this date (YYYY-MM-DD; default today)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ownership findings\n  watchkeeper ownership findings --save --as-of 2024-01-01\n',
    )
    .action(async function (this: Command, o: { save?: boolean; json?: boolean; asOf?: string }) {
      await withStore(this, async (store) => {
        const net = await loadNetwork(store, { asOf: asOfOption(o.asOf) });
        const findings = await ownershipFindings(store, net);
        for (const f of findings) assertFinding(f);
        if (o.save) {
          const n = await store.putFindings(findings);
          process.stderr.write(`saved ${n} finding(s)\n`);
        }
        if (o.json) process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
        else printTable(findings.map((f) => ({ kind: f.kind, score: f.score, id: f.id, explanation: f.explanation })));
      });
    });
  ownership
    .command('control')
    .argument('<entity>', 'entity id (any list entry of the party), vessel entity id or IMO number')
    .description('the OFAC 50 % rule for one entity: blocked true/false/"possible", the aggregate share, the paths')
    .option('--json', 'print the answer as JSON')
    .option('--as-of <date>', 'ownership in force on this date (YYYY-MM-DD; default today)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper ownership control reg-company-9900011\n  watchkeeper ownership control 9311000 --json --as-of 2024-01-01\n',
    )
    .action(async function (this: Command, ref: string, o: { json?: boolean; asOf?: string }) {
      await withStore(this, async (store) => {
        const c = controlOf(await loadNetwork(store, { asOf: asOfOption(o.asOf) }), ref);
        if (!c) throw new NotFoundError(`no entity "${ref}" in the store`);
        if (o.json) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
        else printControl(c);
      });
    });
}
