import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError } from '../errors.js';
import { Entity, entitiesFromStatements } from '../model/entity.js';
import { formatFtmLine, readFtmLines } from '../model/ftm-json.js';
import type { Statement } from '../model/statement.js';
import { sha256File } from '../util/hash.js';
import { withStore } from './context.js';

export function register(program: Command): void {
  const entities = program
    .command('entities')
    .description('import, export and show FollowTheMoney entities')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper entities import entities.ftm.json --source opensanctions\n' +
        '  watchkeeper entities show un-kpi-1\n  watchkeeper entities export --out entities.ftm.json\n',
    );
  entities
    .command('show')
    .argument('<id>', 'entity id')
    .description('print one entity as FtM JSON with the source of every value')
    .addHelpText('after', '\nExamples:\n  watchkeeper entities show un-kpi-1\n')
    .action(async function (this: Command, id: string) {
      await withStore(this, async (store) => {
        const entity = await store.getEntity(id);
        if (!entity) throw new NotFoundError(`no entity with id "${id}"`);
        const out = {
          ...entity.toFtm(),
          statements: entity.statements.map((s) => ({
            prop: s.prop,
            value: s.value,
            source: s.source,
            record: s.sourceRecord,
          })),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      });
    });
  entities
    .command('export')
    .description('write the current entities as FtM JSON lines (to stdout or --out)')
    .option('-o, --out <file>', 'output file (default stdout)')
    .option('--source <name...>', 'only these sources/datasets')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper entities export --out entities.ftm.json\n  watchkeeper entities export --source un_sc\n',
    )
    .action(async function (this: Command, opts: { out?: string; source?: string[] }) {
      await withStore(this, async (store) => {
        const statements = await store.currentStatements({ sources: opts.source });
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        let n = 0;
        for (const entity of entitiesFromStatements(statements).sort((a, b) => (a.id < b.id ? -1 : 1))) {
          if (!out.write(`${formatFtmLine(entity.toFtm())}\n`)) await once(out, 'drain');
          n++;
        }
        if (opts.out) {
          out.end();
          await once(out, 'finish');
        }
        process.stderr.write(`exported ${n} entities\n`);
      });
    });
  entities
    .command('import')
    .argument('<file>', 'FtM JSON lines file (.json, .ftm.json, optionally .gz)')
    .description('import FtM JSON lines as one list version (atomic: all or nothing)')
    .option('--source <name>', 'dataset name to record', 'ftm')
    .addHelpText('after', '\nExamples:\n  watchkeeper entities import entities.ftm.json --source opensanctions\n')
    .action(async function (this: Command, file: string, opts: { source: string }) {
      await withStore(this, async (store) => {
        const hash = await sha256File(file);
        const now = new Date().toISOString();
        const versionId = `${opts.source}@${hash.slice(0, 12)}`;
        let records = 0;
        const statements: Statement[] = [];
        for await (const { entity, line } of readFtmLines(file)) {
          records++;
          statements.push(...Entity.statementsFromFtm(entity, opts.source, `${file}:${line}`, now, versionId));
        }
        const { version, created } = await store.addListVersion(
          {
            id: versionId,
            source: opts.source,
            format: 'ftm',
            url: null,
            fetchedAt: now,
            sha256: hash,
            recordCount: records,
          },
          statements,
        );
        process.stdout.write(
          created
            ? `imported ${version.recordCount} entities (${version.statementCount} statements) as ${version.id}\n`
            : `already imported as ${version.id}; nothing written\n`,
        );
      });
    });
}
