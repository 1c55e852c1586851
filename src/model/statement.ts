/**
 * A statement is one property value of one entity, with where it came from. Entities are never stored as
 * documents: they are rebuilt from their statements, so merging two records never loses a value's provenance.
 */
export interface Statement {
  /** Entity id (stable across re-imports: derived from the source's own record key). */
  entityId: string;
  /** FtM schema name of the entity, e.g. "Vessel". */
  schema: string;
  /** FtM property name, e.g. "imoNumber"; the pseudo-property "id" is never stored. */
  prop: string;
  value: string;
  /** Dataset / list the value came from, e.g. "un_sc", "us_ofac_sdn". */
  source: string;
  /** Where in the source: a record key or file:line, enough to find the original record again. */
  sourceRecord: string;
  /** When the source said it: ISO-8601 UTC (the list version's date or the import time). */
  seenAt: string;
  /** The list version (import) the statement belongs to, when it came from a versioned import. */
  versionId?: string;
}
