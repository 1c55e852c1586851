import { createHash } from 'node:crypto';
import type { Dialect } from './db.js';

/**
 * The findings table's distribution key (issue 19: findings by their first subject). `findings.subject_key` is an
 * INTEGER derived from the finding's first subject, so that on Citus the table is distributed by it and colocated
 * with `positions` (distributed by `mmsi INTEGER`): a vessel's findings sit on the shard holding its positions.
 *
 * - first subject `ais-<mmsi>` (a vessel seen in AIS, 1 to 9 digits): the MMSI itself;
 * - any other first subject (a listed entity, a wallet, a company, ...): the first 32 bits of the md5 of the id,
 *   as a signed 32-bit integer (Citus hashes the value again to pick the shard);
 * - no subject: 0.
 *
 * The store computes it on every write (SqlStore.putFindings, with this function) and the migration that added the
 * column computed it in SQL for the rows already stored (`subjectKeySql`, the same value on both engines).
 * Nothing reads it back: lookups stay by id, and a finding whose subjects changed order (another first subject) is
 * still replaced by id, whichever shard the older row sits on.
 */
const VESSEL = /^ais-(\d{1,9})$/;

export function findingSubjectKey(subjects: readonly string[]): number {
  const first = subjects[0];
  if (first === undefined) return 0;
  const m = VESSEL.exec(first);
  if (m) return Number(m[1]);
  return createHash('md5').update(first, 'utf8').digest().readInt32BE(0);
}

/** The same key in SQL, over a JSON array text column of subjects (`subjects`), for the migration's backfill. */
export function subjectKeySql(dialect: Dialect, subjectsCol: string): string {
  if (dialect === 'postgres') {
    const first = `(${subjectsCol}::json->>0)`;
    return `CASE WHEN ${first} IS NULL THEN 0
      WHEN ${first} ~ '^ais-[0-9]{1,9}$' THEN CAST(substr(${first}, 5) AS INTEGER)
      ELSE CAST(CAST(('x' || substr(md5(${first}), 1, 8)) AS bit(32)) AS INTEGER) END`;
  }
  const first = `json_extract_string(${subjectsCol}, '$[0]')`;
  const h = `CAST('0x' || substr(md5(${first}), 1, 8) AS BIGINT)`;
  return `CASE WHEN ${first} IS NULL THEN 0
    WHEN regexp_full_match(${first}, 'ais-[0-9]{1,9}') THEN CAST(substr(${first}, 5) AS INTEGER)
    ELSE CAST(CASE WHEN ${h} >= 2147483648 THEN ${h} - 4294967296 ELSE ${h} END AS INTEGER) END`;
}
