/**
 * Dataset names as OpenSanctions (and so yente, nomenklatura and their clients) spell them. The store keeps these
 * names (`un_sc_sanctions`, `gb_hmt_sanctions`); the importers' historical names (`un_sc`, `gb_ofsi`) are aliases,
 * accepted wherever a dataset is given (CLI `--source`/`--dataset`, API dataset filters, yente `include_dataset`)
 * and renamed in existing stores by migration 0110 (src/lists/migrations.ts).
 *
 * A list version's id keeps the historical name as its prefix (`un_sc@<sha12>`, see `versionIdPrefix`): case
 * evidence, the hash-chained case log, findings and stored run fingerprints cite those ids, and the same file must
 * stay the same version whichever spelling imported it. The prefix is a stable mapping of the dataset name, so a
 * version id never changes when a dataset is renamed.
 */

/** Historical name → OpenSanctions dataset name (names not listed are the same in both). */
const RENAMED: Record<string, string> = {
  un_sc: 'un_sc_sanctions',
  gb_ofsi: 'gb_hmt_sanctions',
};

/** OpenSanctions name → historical name. */
const HISTORICAL: Record<string, string> = Object.fromEntries(Object.entries(RENAMED).map(([old, now]) => [now, old]));

/** The renames, old → new (the migration applies them to stored rows). */
export const DATASET_RENAMES: ReadonlyArray<readonly [string, string]> = Object.entries(RENAMED);

/** Titles of the bundled lists (yente's catalog `title`). */
export const DATASET_TITLES: Record<string, string> = {
  un_sc_sanctions: 'UN Security Council Consolidated Sanctions',
  gb_hmt_sanctions: 'UK HM Treasury / OFSI Consolidated List of Targets',
  us_ofac_sdn: 'US OFAC Specially Designated Nationals (SDN) List',
  eu_fsf: 'EU Financial Sanctions Files (FSF)',
};

/** The dataset name, given in either spelling (`un_sc` or `un_sc_sanctions` → `un_sc_sanctions`). */
export function datasetName(name: string): string {
  return RENAMED[name] ?? name;
}

/**
 * The prefix of a version id of this dataset (`un_sc_sanctions` or `un_sc` → `un_sc`): the historical name, so
 * ids made before the rename stay the ids of the same files. Also the folder name of `lists update`'s cache and
 * mirror layout, which existing mirrors use.
 */
export function versionIdPrefix(name: string): string {
  const now = datasetName(name);
  return HISTORICAL[now] ?? now;
}

/** Both spellings of a dataset name (for filters that compare against either). */
export function datasetAliases(name: string): string[] {
  const now = datasetName(name);
  const old = HISTORICAL[now];
  return old ? [now, old] : [now];
}
