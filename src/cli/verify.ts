import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { verifyBundle } from '../cases/bundle.js';
import { isPostgresUrl, openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { dbLocation, globalOptions } from './context.js';

/**
 * `watchkeeper verify BUNDLE`: re-check a case bundle (src/cases/bundle.ts). Exit 0: every hash and the chain
 * verify and every re-run finding reproduces; 1: a member or the chain fails (named); 3: the bundle is intact but a
 * finding does not reproduce from the store.
 */
export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'check a case bundle: every member against the manifest, the case log chain, and (with the store) re-run each finding',
    )
    .argument('<bundle>', 'a bundle written by `watchkeeper cases export ID --format bundle`')
    .option('--no-store', 'do not use the store (hashes and chain only)')
    .option('--json', 'print the full report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper verify case-1a2b3c4d5e.tar\n  watchkeeper --db var/watchkeeper.duckdb verify case.tar --json\n' +
        '  watchkeeper verify case.tar --no-store\n' +
        '\nEvery finding is re-run with its recorded params through the analyser that made it (maritime detectors,\n' +
        'sanctions screening, crypto trace/exposure/counterparties, cargo estimates, trade screening, ownership) and\n' +
        'reported as reproduces, differs (naming the field), not-reproducible (naming the evidence gone) or not-rerun.\n' +
        '\nExit status: 0 verified; 1 a member, the manifest or the chain fails (the file is named); 3 intact, but a\n' +
        'finding does not reproduce from the store (its evidence rows were deleted or changed, or a re-run differs).\n' +
        'The store is used when --db or WATCHKEEPER_DB names one, or ./var/watchkeeper.duckdb exists.\n',
    )
    .action(async function (this: Command, bundle: string, opts: { store?: boolean; json?: boolean }) {
      const url = dbLocation(this);
      const named = globalOptions(this).db !== undefined || process.env.WATCHKEEPER_DB !== undefined;
      const useStore = opts.store !== false && (named || isPostgresUrl(url) || existsSync(url));
      let store: Store | undefined;
      try {
        if (useStore) store = await openStore({ url });
        const r = await verifyBundle(bundle, store);
        if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else {
          const w = (s: string) => process.stdout.write(`${s}\n`);
          w(`bundle ${r.bundle}: case ${r.caseId ?? '?'}`);
          w(`${r.membersChecked} member(s), ${r.bytesChecked.toLocaleString('en-US')} bytes re-hashed`);
          for (const p of r.problems) w(`FAIL ${p.member}: ${p.message}`);
          if (r.ok) w(`OK every member matches the manifest; the case log chain verifies (head ${r.chainHead})`);
          if (r.store) {
            w(`store ${r.store.location}: ${r.store.chain}`);
            for (const s of r.store.sources) w(`source ${s.file}: ${s.status}`);
            for (const f of r.store.findings) w(`finding ${f.findingId} (${f.kind}): ${f.status}: ${f.message}`);
          } else w('no store: findings not re-run');
        }
        process.exitCode = !r.ok ? 1 : r.reproducible ? 0 : 3;
      } finally {
        await store?.close();
      }
    });
}
