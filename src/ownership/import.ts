import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { importList, versionId } from '../lists/import.js';
import type { Store } from '../store/store.js';
import { registryStatements } from './registry-csv.js';

export interface OwnershipImportResult {
  versionId: string;
  created: boolean;
  format: 'registry-csv' | 'ftm';
  records: number;
  statements: number;
}

/**
 * `watchkeeper ownership import FILE`: a registry extract (.csv, layout in docs/ownership.md) or FtM JSON lines
 * (.json, .jsonl, .ftm.json, optionally .gz: OpenSanctions vessel and ownership data, through the same importer
 * as `entities import`). Each file is one version of its source, written atomically; identical bytes are not
 * imported twice.
 */
export async function importOwnershipFile(
  store: Store,
  file: string,
  opts: { source?: string; fetchedAt?: string } = {},
): Promise<OwnershipImportResult> {
  if (!existsSync(file)) throw new InputError(`${file}: no such file or directory`);
  const fetchedAt = opts.fetchedAt ?? new Date().toISOString();
  if (/\.csv$/i.test(file)) {
    const source = opts.source ?? 'ship_registry';
    if (!/^[a-z0-9_.-]+$/i.test(source)) throw new InputError(`--source "${source}": use letters, digits, _ . -`);
    const parsed = await registryStatements(file, source, fetchedAt);
    const { version, created } = await store.addListVersion(
      {
        id: versionId(source, parsed.sha256),
        source,
        format: 'registry-csv',
        url: null,
        fetchedAt,
        sha256: parsed.sha256,
        recordCount: parsed.rows,
      },
      parsed.statements,
    );
    return {
      versionId: version.id,
      created,
      format: 'registry-csv',
      records: parsed.rows,
      statements: version.statementCount,
    };
  }
  if (/\.(json|jsonl|ftm\.json)(\.gz)?$/i.test(file)) {
    const r = await importList(store, file, { format: 'ftm', source: opts.source ?? 'ownership_ftm', fetchedAt });
    return {
      versionId: r.version.id,
      created: r.created,
      format: 'ftm',
      records: r.version.recordCount,
      statements: r.version.statementCount,
    };
  }
  throw new InputError(
    `${path.basename(file)}: give a registry extract (.csv) or FtM JSON lines (.json, .jsonl, .ftm.json)`,
  );
}
