import { createHash } from 'node:crypto';
import type { Entity } from '../../model/entity.js';
import { schemaModel } from '../../model/schema.js';
import { publicDataset } from '../../screening/datasets.js';
import { yenteTime } from './entities.js';

/**
 * Statements in nomenklatura's layout (`Statement.to_dict()`, the statements CSV columns): id, entity_id,
 * canonical_id, prop, prop_type, schema, value, dataset, lang, original_value, first_seen, last_seen.
 */

export const STATEMENT_COLUMNS = [
  'id',
  'entity_id',
  'canonical_id',
  'prop',
  'prop_type',
  'schema',
  'value',
  'dataset',
  'lang',
  'original_value',
  'first_seen',
  'last_seen',
] as const;

export type StatementRow = Record<(typeof STATEMENT_COLUMNS)[number], string | null>;

/** A stable statement id: SHA-1 of dataset, entity id, property and value (as nomenklatura keys them). */
export function statementId(dataset: string, entityId: string, prop: string, value: string): string {
  return createHash('sha1').update(`${dataset}.${entityId}.${prop}.${value}`).digest('hex');
}

/** Every statement of a (canonical) entity, one row each, plus the `id` pseudo-statement per referent. */
export function statementRows(entity: Entity): StatementRow[] {
  const model = schemaModel();
  const rows: StatementRow[] = [];
  const idRows = new Map<string, StatementRow>();
  for (const s of entity.statements) {
    const dataset = publicDataset(s.source);
    const schema = model.has(s.schema) ? model.get(s.schema) : undefined;
    const seen = yenteTime(s.seenAt);
    const key = `${dataset}\u0000${s.entityId}`;
    if (!idRows.has(key)) {
      idRows.set(key, {
        id: statementId(dataset, s.entityId, 'id', s.entityId),
        entity_id: s.entityId,
        canonical_id: entity.id,
        prop: 'id',
        prop_type: 'id',
        schema: s.schema,
        value: s.entityId,
        dataset,
        lang: null,
        original_value: null,
        first_seen: seen,
        last_seen: seen,
      });
    }
    rows.push({
      id: statementId(dataset, s.entityId, s.prop, s.value),
      entity_id: s.entityId,
      canonical_id: entity.id,
      prop: s.prop,
      prop_type: schema?.getProperty(s.prop)?.type ?? 'string',
      schema: s.schema,
      value: s.value,
      dataset,
      lang: null,
      original_value: null,
      first_seen: seen,
      last_seen: seen,
    });
  }
  return [...idRows.values(), ...rows];
}

function csvCell(v: string | null): string {
  if (v === null) return '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function statementsCsvHeader(): string {
  return `${STATEMENT_COLUMNS.join(',')}\n`;
}

export function statementsCsv(rows: StatementRow[]): string {
  return rows.map((r) => `${STATEMENT_COLUMNS.map((c) => csvCell(r[c])).join(',')}\n`).join('');
}
