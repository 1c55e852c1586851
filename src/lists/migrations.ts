import type { Migration } from '../store/db.js';
import { DATASET_RENAMES } from './dataset-names.js';

/**
 * Lists migrations (range 0100-0199).
 *
 * 0110 (with 0650 for the resolution tables): the bundled lists' datasets take their OpenSanctions names
 * (`un_sc` → `un_sc_sanctions`, `gb_ofsi` → `gb_hmt_sanctions`, src/lists/dataset-names.ts) in
 * `list_versions.source` and `statements.source`. Version ids
 * are not touched (`un_sc@<sha12>` stays the id of that file), so case evidence, the case log, findings and run
 * fingerprints that cite them stay valid, and the old names stay accepted as input. Derived data that carries the
 * names is made stale: the stored resolution re-runs at the next read (its fingerprint no longer matches), so the
 * automatic merges' reasons name the new datasets, the matcher's stored candidate pairs are scored again, and the
 * ownership step's kept network and findings are built again (their rows keep which findings they own, so the next
 * run still retires the ones it no longer finds).
 */
function renameSql(): string {
  const lines: string[] = [];
  for (const [from, to] of DATASET_RENAMES) {
    lines.push(`UPDATE list_versions SET source = '${to}' WHERE source = '${from}';`);
    lines.push(`UPDATE statements SET source = '${to}' WHERE source = '${from}';`);
  }
  return lines.join('\n');
}

export const listsMigrations: Migration[] = [
  {
    id: '0110_opensanctions_dataset_names',
    description: 'datasets take their OpenSanctions names (un_sc → un_sc_sanctions, gb_ofsi → gb_hmt_sanctions)',
    sql: renameSql(),
  },
  {
    // In the resolution range because it must run after 0600/0601 have made these tables (a fresh store runs
    // every migration in id order); it empties nothing a fresh store holds.
    id: '0650_resolve_after_dataset_names',
    description: 'resolution, candidate pairs and ownership runs are computed again after the dataset renames of 0110',
    sql: `UPDATE resolve_runs SET fingerprint = 'renamed-datasets ' || fingerprint;
DELETE FROM resolve_candidates;
DELETE FROM resolve_candidate_runs;
DELETE FROM ownership_runs WHERE fingerprint LIKE 'base:%';
UPDATE ownership_runs SET fingerprint = 'renamed-datasets ' || fingerprint;`,
  },
];
