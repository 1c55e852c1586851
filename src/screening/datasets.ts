/**
 * The dataset-name mapping for screening and the yente-compatible routes; the names themselves live in
 * src/lists/dataset-names.ts (the store keeps the OpenSanctions names, the old names are aliases).
 */
import { DATASET_TITLES, datasetAliases, datasetName } from '../lists/dataset-names.js';

export { DATASET_TITLES, datasetAliases };

/** The OpenSanctions name of a dataset given in either spelling (`un_sc` → `un_sc_sanctions`); others pass through. */
export function publicDataset(source: string): string {
  return datasetName(source);
}

/** The stored name of a dataset given in either spelling: the OpenSanctions name since migration 0110. */
export function storedDataset(name: string): string {
  return datasetName(name);
}
