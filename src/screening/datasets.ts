/**
 * Dataset names as OpenSanctions (and so yente, nomenklatura and their clients) spell them. The importers store
 * statements under their historical source names (`un_sc`, `gb_ofsi`); the yente-compatible routes answer with the
 * OpenSanctions name and accept both, so `/match/un_sc_sanctions` and `/match/un_sc` are the same list.
 */

/** Stored source name → OpenSanctions dataset name (names not listed are the same in both). */
const PUBLIC_NAMES: Record<string, string> = {
  un_sc: 'un_sc_sanctions',
  gb_ofsi: 'gb_hmt_sanctions',
  us_ofac_sdn: 'us_ofac_sdn',
  eu_fsf: 'eu_fsf',
};

const STORED_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(PUBLIC_NAMES).map(([stored, pub]) => [pub, stored]),
);

/** Titles of the bundled lists (yente's catalog `title`). */
export const DATASET_TITLES: Record<string, string> = {
  un_sc_sanctions: 'UN Security Council Consolidated Sanctions',
  gb_hmt_sanctions: 'UK HM Treasury / OFSI Consolidated List of Targets',
  us_ofac_sdn: 'US OFAC Specially Designated Nationals (SDN) List',
  eu_fsf: 'EU Financial Sanctions Files (FSF)',
};

/** The OpenSanctions name of a stored source (`un_sc` → `un_sc_sanctions`); unknown names pass through. */
export function publicDataset(source: string): string {
  return PUBLIC_NAMES[source] ?? source;
}

/** The stored source name of a dataset given in either spelling (`un_sc_sanctions` or `un_sc` → `un_sc`). */
export function storedDataset(name: string): string {
  return STORED_NAMES[name] ?? name;
}

/** Both spellings of a dataset name (for filters that compare against either). */
export function datasetAliases(name: string): string[] {
  const stored = storedDataset(name);
  const pub = publicDataset(stored);
  return stored === pub ? [stored] : [stored, pub];
}
