import type { Command } from 'commander';
import { seedDemo } from '../demo/seed.js';
import { citusInfo, citusLayoutAfterMigrate, isCitus } from '../store/postgres/citus.js';
import { columnarAfter } from '../store/postgres/partitions.js';
import { printTable, withStore } from './context.js';

export function register(program: Command): void {
  const store = program
    .command('store')
    .description('inspect and prepare the store (DuckDB file or PostgreSQL)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper store info\n  watchkeeper --db postgres://wk@localhost/watchkeeper store migrate\n  watchkeeper store seed\n',
    );
  store
    .command('info')
    .description('show the store location, applied migrations, list versions and imports')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper store info\n  watchkeeper --db postgres://localhost/wk store info --json\n',
    )
    .action(async function (this: Command, opts: { json?: boolean }) {
      await withStore(this, async (s) => {
        const info = {
          kind: s.kind,
          location: s.location,
          migrations: await s.appliedMigrations(),
          listVersions: await s.listVersions(),
          imports: await s.listImports(),
          findings: await s.countFindings(),
          // Nodes, shards and sizes when the store is a Citus coordinator (docs/cluster.md).
          citus: (await isCitus(s.db)) ? await citusInfo(s.db) : undefined,
        };
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${info.kind} store at ${info.location}\n`);
        process.stdout.write(
          `${info.migrations.length} migrations applied, ${info.findings} findings\n\nList versions:\n`,
        );
        printTable(
          info.listVersions.map((v) => ({ ...v })),
          ['id', 'source', 'format', 'fetchedAt', 'recordCount'],
        );
        process.stdout.write('\nImports:\n');
        printTable(
          info.imports.map((i) => ({ ...i })),
          ['kind', 'location', 'importedAt', 'rowCount'],
        );
        if (info.citus) {
          process.stdout.write('\nCitus nodes:\n');
          printTable(
            info.citus.nodes.map((n) => ({ ...n })),
            ['host', 'port', 'role', 'active', 'shards', 'bytes'],
          );
          process.stdout.write('\nCitus tables:\n');
          printTable(
            info.citus.tables.map((t) => ({ ...t })),
            ['table', 'type', 'column', 'shards', 'bytes'],
          );
        }
      });
    });
  store
    .command('migrate')
    .description('create or upgrade the store schema (also done automatically whenever the store opens)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper store migrate\n  watchkeeper --db postgres://localhost/wk store migrate\n  watchkeeper --db postgres://coordinator/wk store migrate --distributed\n',
    )
    .option('--distributed', 'PostgreSQL: install the citus extension and lay the tables out over the cluster')
    .action(async function (this: Command, opts: { distributed?: boolean }) {
      await withStore(this, async (s) => {
        if (opts.distributed) {
          const r = await citusLayoutAfterMigrate(s.db, true);
          process.stderr.write(
            `citus: ${r?.distributed.length ?? 0} tables distributed, ${r?.reference.length ?? 0} made reference tables\n`,
          );
        }
        process.stdout.write(
          `${s.kind} store at ${s.location}: ${(await s.appliedMigrations()).length} migrations applied\n`,
        );
      });
    });
  store
    .command('retain')
    .description('retention of positions on PostgreSQL/Citus: old day partitions to Citus columnar storage')
    .requiredOption('--columnar-after <days>', 'convert day partitions that ended more than this many days ago')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper --db postgres://coordinator/wk store retain --columnar-after 30\n  watchkeeper --db postgres://coordinator/wk store retain --columnar-after 7 --json\n',
    )
    .action(async function (this: Command, opts: { columnarAfter: string; json?: boolean }) {
      await withStore(this, async (s) => {
        const r = await columnarAfter(s.db, Number(opts.columnarAfter));
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else
          process.stdout.write(
            `${r.converted.length} partitions converted to columnar, ${r.alreadyColumnar} already columnar, ${r.kept} kept as heap${r.converted.length ? `: ${r.converted.join(', ')}` : ''}\n`,
          );
      });
    });
  store
    .command('seed')
    .description('load the bundled demo data (sanctions lists, AIS scenario, crypto sample) into the store')
    .addHelpText('after', '\nExamples:\n  watchkeeper store seed\n')
    .action(async function (this: Command) {
      await withStore(this, async (s) => {
        await seedDemo(s, (line) => process.stdout.write(`${line}\n`));
      });
    });
}
