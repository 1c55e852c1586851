import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { candidatePage } from '../resolve/candidates.js';
import { canonicalIdOf } from '../resolve/canonical.js';
import { applyJudgementsFile, exportJudgements, judgePair } from '../resolve/judge.js';
import { VERDICTS, type Verdict } from '../resolve/judgement.js';
import { resolveStore } from '../resolve/run.js';
import type { Store } from '../store/store.js';
import { printTable, withStore } from './context.js';

/** `watchkeeper dedupe ...`: entity resolution (canonical entities), candidate pairs and analyst judgements. */
export function register(program: Command): void {
  const dedupe = program
    .command('dedupe')
    .description('entity resolution: one canonical entity per real-world thing, candidate pairs, judgements')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper dedupe resolve\n  watchkeeper dedupe candidates --source eu_fsf --limit 20\n' +
        '  watchkeeper dedupe judge un-kpi-013 ofac-19498 positive --reason "same DOB 1954-10-12, SANS director"\n' +
        '  watchkeeper dedupe export --out judgements.jsonl\n  watchkeeper dedupe apply judgements.jsonl\n',
    );

  dedupe
    .command('resolve')
    .description(
      'merge entities that share a strong identifier (UN reference, IMO, crypto address, passport with country)',
    )
    .option('--force', 're-resolve even when nothing changed since the last run')
    .option('--clusters', 'print every canonical entity with its referents')
    .option('--json', 'print the summary (and clusters) as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper dedupe resolve\n  watchkeeper dedupe resolve --clusters\n  watchkeeper dedupe resolve --force --json\n',
    )
    .action(async function (this: Command, o: { force?: boolean; clusters?: boolean; json?: boolean }) {
      await withStore(this, async (store) => {
        const started = Date.now();
        const r = await resolveStore(store, { force: o.force });
        const clusters = o.clusters ? await storedClusters(store) : undefined;
        const { resolution: _r, ...summary } = r;
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...summary, ...(clusters ? { clusters } : {}) }, null, 2)}\n`);
        } else {
          process.stdout.write(
            `${r.ran ? 'resolved' : 'unchanged since the last run'}: ${r.clusters.toLocaleString('en-US')} canonical entities from ` +
              `${r.referents.toLocaleString('en-US')} source entities (${r.merges} merges, ${r.refused} refused; ` +
              `${r.keyed.toLocaleString('en-US')} entities carry a strong identifier)\n`,
          );
          if (clusters) printTable(clusters.map((c) => ({ canonical: c.id, referents: c.referents.join(',') })));
        }
        process.stderr.write(`dedupe resolve: ${r.id} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      });
    });

  dedupe
    .command('candidates')
    .description('likely pairs from the screening matcher among entities not already merged or judged')
    .option('--source <name...>', 'query with the entities of these sources (default every source)')
    .option('--threshold <score>', 'minimum matcher score, 0..1', '0.7')
    .option('--limit <n>', 'most pairs, best first', '50')
    .option('--offset <n>', 'pairs skipped first (paging)', '0')
    .option('--schema <name>', 'only pairs with an entity of this FtM schema (Person, Vessel, ...)')
    .option('--json', 'print the pairs with their features as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper dedupe candidates --source eu_fsf\n  watchkeeper dedupe candidates --schema Person --limit 20 --offset 20\n' +
        '  watchkeeper dedupe candidates --threshold 0.9 --limit 200 --json\n',
    )
    .action(async function (
      this: Command,
      o: { source?: string[]; threshold: string; limit: string; offset: string; schema?: string; json?: boolean },
    ) {
      const threshold = Number(o.threshold);
      if (!(threshold >= 0 && threshold <= 1))
        throw new UserError(`--threshold: a number from 0 to 1, got "${o.threshold}"`);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UserError(`--limit: a positive integer, got "${o.limit}"`);
      const offset = Number(o.offset);
      if (!Number.isInteger(offset) || offset < 0)
        throw new UserError(`--offset: an integer from 0, got "${o.offset}"`);
      await withStore(this, async (store) => {
        const started = Date.now();
        const { total, results: pairs } = await candidatePage(store, {
          sources: o.source,
          threshold,
          limit,
          offset,
          ...(o.schema ? { schema: o.schema } : {}),
        });
        process.stderr.write(
          `dedupe candidates: ${pairs.length} of ${total} pair(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
        if (o.json) {
          process.stdout.write(`${JSON.stringify(pairs, null, 2)}\n`);
          return;
        }
        printTable(
          pairs.map((p) => ({
            score: p.score.toFixed(3),
            left: p.left.id,
            leftName: p.left.caption,
            right: p.right.id,
            rightName: p.right.caption,
            features: Object.entries(p.features)
              .map(([k, v]) => `${k}=${Number(v).toFixed(2)}`)
              .join(','),
          })),
        );
      });
    });

  dedupe
    .command('judge')
    .description('say whether two entities are the same thing: positive, negative or unsure (then re-resolve)')
    .argument('<left>', 'entity id (a source id, or a canonical wk- id)')
    .argument('<right>', 'entity id')
    .argument('<judgement>', 'positive | negative | unsure')
    .option('--reason <text>', 'why (kept with the judgement)')
    .option('--author <name>', 'who judges (default $USER)')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper dedupe judge un-kpi-013 ofac-19498 positive --reason "same DOB, SANS director"\n' +
        '  watchkeeper dedupe judge un-kpi-013 gb-ofsi-dpr0205 negative --author alice\n',
    )
    .action(async function (
      this: Command,
      left: string,
      right: string,
      verdict: string,
      o: { reason?: string; author?: string },
    ) {
      if (!(VERDICTS as readonly string[]).includes(verdict))
        throw new UserError(`judgement: positive, negative or unsure, got "${verdict.slice(0, 40)}"`);
      await withStore(this, async (store) => {
        const author = o.author ?? process.env.USER ?? 'analyst';
        const j = await judgePair(store, left, right, verdict as Verdict, { reason: o.reason, author });
        const [cl, cr] = [await canonicalIdOf(store, j.left), await canonicalIdOf(store, j.right)];
        process.stdout.write(
          `${j.verdict}: ${j.left} / ${j.right} (${j.author}); now ${cl === cr ? `one entity ${cl}` : `${cl} and ${cr}`}\n`,
        );
      });
    });

  dedupe
    .command('export')
    .description('write the judgements as JSON lines (a file other teams can apply)')
    .option('-o, --out <file>', 'output file (default stdout)')
    .option('--automatic', "include the resolver's own merges (for review; apply skips them)")
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper dedupe export --out judgements.jsonl\n  watchkeeper dedupe export --automatic | head\n',
    )
    .action(async function (this: Command, o: { out?: string; automatic?: boolean }) {
      await withStore(this, async (store) => {
        const lines = await exportJudgements(store, { automatic: o.automatic });
        const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
        if (o.out) {
          writeFileSync(o.out, text);
          process.stderr.write(`dedupe export: ${lines.length} judgements to ${o.out}\n`);
        } else process.stdout.write(text);
      });
    });

  dedupe
    .command('apply')
    .description('apply a judgements file (JSON lines from dedupe export), then re-resolve')
    .argument('<file>', 'judgements file')
    .addHelpText('after', '\nExamples:\n  watchkeeper dedupe apply judgements.jsonl\n')
    .action(async function (this: Command, file: string) {
      await withStore(this, async (store) => {
        const r = await applyJudgementsFile(store, file);
        process.stdout.write(
          `applied ${r.added} judgements from ${file} (${r.known} already known` +
            `${r.automatic > 0 ? `, ${r.automatic} automatic skipped` : ''})\n`,
        );
      });
    });
}

async function storedClusters(store: Store): Promise<Array<{ id: string; referents: string[] }>> {
  const rows = await store.db.query(
    'SELECT DISTINCT canonical_id, entity_id FROM resolve_canonical ORDER BY canonical_id, entity_id',
  );
  const out: Array<{ id: string; referents: string[] }> = [];
  for (const r of rows) {
    const id = String(r.canonical_id);
    if (out[out.length - 1]?.id !== id) out.push({ id, referents: [] });
    out[out.length - 1]!.referents.push(String(r.entity_id));
  }
  return out;
}
