import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { statementRows, statementsCsv, statementsCsvHeader } from '../api/yente/statements.js';
import { appendAudit } from '../auth/audit.js';
import { type AddedEntities, addUserEntities, checkUserEntity } from '../entities/user-entities.js';
import { InputError, NotFoundError } from '../errors.js';
import { importList } from '../lists/import.js';
import type { FtmEntity } from '../model/entity.js';
import { formatFtmLine, readFtmLines, type SkippedSchemata } from '../model/ftm-json.js';
import { canonicalEntity, canonicalJson, ensureResolvedOnce, mergeStatements } from '../resolve/canonical.js';
import type { Store } from '../store/store.js';
import { quoted } from '../util/printable.js';
import { progress, withStore } from './context.js';

/**
 * `entities import --as-user NAME`: the file's entities, checked as imports and POST /entities are, added to the
 * user dataset (src/entities) with NAME and the time as their source; the change goes to the audit trail.
 */
async function importAsUser(
  store: Store,
  file: string,
  name: string,
  unknownProperties: 'skip' | 'error',
): Promise<AddedEntities> {
  if (!/^[^\s@][^\s]{0,99}$/.test(name))
    throw new InputError(`--as-user "${name.slice(0, 40)}": one word, ≤ 100 characters`);
  const entities: FtmEntity[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  const skippedSchemata: SkippedSchemata = new Map();
  for await (const { entity, line, skipped: s } of readFtmLines(file, { unknownProperties, skippedSchemata })) {
    const at = `${path.basename(file)}:${line}`;
    const e = checkUserEntity(entity, at);
    if (seen.has(e.id)) throw new InputError(`${at}: id "${e.id}" appears twice in the file`);
    seen.add(e.id);
    entities.push(e);
    skipped += s.length;
  }
  if (entities.length === 0) throw new InputError(`${path.basename(file)}: no entities`);
  const author = { user: name, at: new Date().toISOString() };
  const r = await addUserEntities(store, entities, author);
  if (skipped > 0)
    process.stderr.write(`warning: left out ${skipped} values of properties the FtM schema does not define\n`);
  for (const [schema, s] of skippedSchemata)
    process.stderr.write(
      `warning: ${path.basename(file)}:${s.first}: schema ${quoted(schema)} is not in the bundled FtM model; left out ${s.lines} line(s)\n`,
    );
  if (r.unknownReferences.length > 0)
    process.stderr.write(
      `warning: ${r.unknownReferences.length} entity-typed values name no entity in the store or the file (first: ${r.unknownReferences[0]})\n`,
    );
  let cli = 'cli';
  try {
    cli = `cli:${userInfo().username}`;
  } catch {
    // no user name on this system
  }
  await appendAudit(store.db, {
    userId: null,
    username: cli,
    via: 'cli',
    method: 'CLI',
    route: 'entities import --as-user',
    path: file,
    operation: null,
    status: 0,
    ip: null,
    userAgent: null,
    before: null,
    after: { asUser: name, at: author.at, ids: entities.map((e) => e.id).slice(0, 1000), ...r },
  });
  return r;
}

/** Source id → canonical id for merged entities (after making sure the resolution is current). */
async function canonicalMapOf(store: Store): Promise<Map<string, string>> {
  await ensureResolvedOnce(store);
  const rows = await store.db.query('SELECT DISTINCT entity_id, canonical_id FROM resolve_canonical');
  return new Map(rows.map((r) => [String(r.entity_id), String(r.canonical_id)]));
}

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
    .description('print one canonical entity as FtM JSON with its referents and the source of every value')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper entities show un-kpi-1\n  watchkeeper entities show wk-7f29b77de313865b\n',
    )
    .action(async function (this: Command, id: string) {
      await withStore(this, async (store) => {
        // The canonical entity (src/resolve): every referent's statements, each with its entity id and source.
        const resolved = await canonicalEntity(store, id);
        if (!resolved) throw new NotFoundError(`no entity with id "${id}"`);
        if (resolved.redirectedFrom) process.stderr.write(`${id} is part of canonical entity ${resolved.entity.id}\n`);
        process.stdout.write(`${JSON.stringify(canonicalJson(resolved), null, 2)}\n`);
      });
    });
  entities
    .command('export')
    .description(
      'write the current entities, one canonical entity per real thing (merged ones with `referents`), as FtM JSON lines or as statements CSV',
    )
    .option('-o, --out <file>', 'output file (default stdout)')
    .option('--source <name...>', 'only these sources/datasets')
    .addOption(
      new Option('--format <format>', 'ftm (JSON lines) or statements (nomenklatura statements CSV)')
        .choices(['ftm', 'statements'])
        .default('ftm'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper entities export --out entities.ftm.json\n  watchkeeper entities export --source un_sc\n' +
        '  watchkeeper entities export --format statements --out statements.csv\n',
    )
    .action(async function (this: Command, opts: { out?: string; source?: string[]; format: string }) {
      await withStore(this, async (store) => {
        const statements = await store.currentStatements({ sources: opts.source });
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        let n = 0;
        // Canonical entities (src/resolve): referents' statements folded into one entity with the canonical id.
        const canonical = await canonicalMapOf(store);
        const groups = new Map<string, typeof statements>();
        for (const st of statements) {
          const c = canonical.get(st.entityId) ?? st.entityId;
          let g = groups.get(c);
          if (!g) groups.set(c, (g = []));
          g.push(st);
        }
        const ids = [...groups.keys()].sort();
        const p = progress('export');
        if (opts.format === 'statements' && !out.write(statementsCsvHeader())) await once(out, 'drain');
        for (const id of ids) {
          const sts = groups.get(id)!;
          const entity = mergeStatements(id, sts);
          let text: string;
          if (opts.format === 'statements') text = statementsCsv(statementRows(entity));
          else {
            const referents = [...new Set(sts.map((s) => s.entityId))].sort();
            const ftm = entity.toFtm();
            text = `${formatFtmLine(referents.length > 1 || referents[0] !== id ? { ...ftm, referents } : ftm)}\n`;
          }
          if (!out.write(text)) await once(out, 'drain');
          if (++n % 1024 === 0) p.tick(n, ids.length);
        }
        p.stop();
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
    .option('--allow-empty', 'import a file with no entities (refused by default: it would empty the dataset)')
    .option(
      '--strict-properties',
      'refuse a file with a property the FtM schema does not define (default: leave such values out, counted)',
    )
    .option('--skip-unknown-properties', 'leave out undefined properties, with a count (the default; kept for scripts)')
    .addOption(
      new Option(
        '--as-user <name>',
        'add the entities to the user dataset with NAME and the time as their source, beside what is there (not a list version that replaces the dataset); the checks of POST /entities apply',
      ).conflicts('source'),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper entities import entities.ftm.json --source opensanctions\n' +
        '  watchkeeper entities import my-notes.ftm.json --as-user alice\n',
    )
    .action(async function (
      this: Command,
      file: string,
      opts: { source: string; allowEmpty?: boolean; strictProperties?: boolean; asUser?: string },
    ) {
      await withStore(this, async (store) => {
        if (opts.asUser !== undefined) {
          const r = await importAsUser(store, file, opts.asUser, opts.strictProperties ? 'error' : 'skip');
          process.stdout.write(
            `added ${r.added} user entities, replaced ${r.replaced}, annotated ${r.annotated} existing ones ` +
              `(${r.statements} statements, source user:${opts.asUser})\n`,
          );
          return;
        }
        // The same import as `lists import --format ftm`: one validation, streamed, atomic.
        const { version, created, warnings, stats } = await importList(store, file, {
          format: 'ftm',
          source: opts.source,
          fetchedAt: new Date().toISOString(),
          allowEmpty: opts.allowEmpty,
          unknownProperties: opts.strictProperties ? 'error' : 'skip',
        });
        for (const w of [...warnings, ...stats.warnings.slice(0, 20)]) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(
          created
            ? `imported ${version.recordCount} entities (${version.statementCount} statements) as ${version.id}\n`
            : `already imported as ${version.id}; nothing written\n`,
        );
      });
    });
}
