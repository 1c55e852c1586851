import { type SchemaModel, schemaModel } from './schema.js';
import type { Statement } from './statement.js';

/** The FollowTheMoney JSON shape used by OpenSanctions and Aleph: `{id, schema, properties: {prop: [values]}}`. */
export interface FtmEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
  /** OpenSanctions extras we keep when present. */
  caption?: string;
  datasets?: string[];
  referents?: string[];
  first_seen?: string;
  last_seen?: string;
  target?: boolean;
}

/**
 * An entity rebuilt from its statements. Values are de-duplicated per property but keep insertion order, and
 * the statements stay attached so every value can still say where it came from.
 */
export class Entity {
  readonly properties = new Map<string, string[]>();
  readonly statements: Statement[] = [];
  readonly datasets = new Set<string>();

  constructor(
    readonly id: string,
    public schema: string,
  ) {}

  add(prop: string, value: string): void {
    const values = this.properties.get(prop);
    if (!values) this.properties.set(prop, [value]);
    else if (!values.includes(value)) values.push(value);
  }

  get(prop: string): string[] {
    return this.properties.get(prop) ?? [];
  }

  first(prop: string): string | undefined {
    return this.properties.get(prop)?.[0];
  }

  /** The display name: the first caption property with a value, as FtM does. */
  caption(model: SchemaModel = schemaModel()): string {
    const schema = model.has(this.schema) ? model.get(this.schema) : undefined;
    for (const prop of schema?.caption ?? ['name']) {
      const v = this.first(prop);
      if (v) return v;
    }
    return this.first('name') ?? this.id;
  }

  toFtm(): FtmEntity {
    const properties: Record<string, string[]> = {};
    for (const [k, v] of [...this.properties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) properties[k] = [...v];
    const out: FtmEntity = { id: this.id, schema: this.schema, properties };
    if (this.datasets.size > 0) out.datasets = [...this.datasets].sort();
    return out;
  }

  /** Statements for this entity, one per value, attributed to `source`. */
  static statementsFromFtm(
    ftm: FtmEntity,
    source: string,
    sourceRecord: string,
    seenAt: string,
    versionId?: string,
  ): Statement[] {
    const out: Statement[] = [];
    for (const [prop, values] of Object.entries(ftm.properties ?? {})) {
      for (const value of values) {
        out.push({
          entityId: ftm.id,
          schema: ftm.schema,
          prop,
          value: String(value),
          source,
          sourceRecord,
          seenAt,
          versionId,
        });
      }
    }
    return out;
  }
}

/**
 * Fold statements into entities. Statements for one entity may come from several sources; the schema becomes the
 * most specific one they agree on (a list that says "LegalEntity" and one that says "Company" give a Company).
 */
export function entitiesFromStatements(statements: Iterable<Statement>, model: SchemaModel = schemaModel()): Entity[] {
  const byId = new Map<string, Entity>();
  for (const st of statements) {
    let entity = byId.get(st.entityId);
    if (!entity) {
      entity = new Entity(st.entityId, st.schema);
      byId.set(st.entityId, entity);
    } else if (entity.schema !== st.schema) {
      try {
        entity.schema = model.common(entity.schema, st.schema);
      } catch {
        // Conflicting schemata from different sources: keep the first and let the statements show the conflict.
      }
    }
    entity.statements.push(st);
    entity.datasets.add(st.source);
    entity.add(st.prop, st.value);
  }
  return [...byId.values()];
}
