import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dataPath } from '../paths.js';

/**
 * The FollowTheMoney schema: the compiled model of FtM 4.10.2 as published by the FtM project
 * (data/sanctions/schema/ftm/defaultModel.json, identical to `js/src/defaultModel.json` of
 * opensanctions/followthemoney at the 4.10.2 commit; provenance in data/sanctions/PROVENANCE.md). So schema names,
 * property names, types, flags and inheritance are the real ones (Vessel → Vehicle → Asset → Thing, ...). Loading
 * is one JSON.parse and a pass over 71 schemata.
 */

/**
 * The compiled model's layout (what followthemoney's Python `Model.to_dict()` writes and the npm package ships as
 * `defaultModel.json`): per schema its own properties, its ancestry (`schemata`), and caption/featured/required/
 * temporalExtent as each schema declares them; per property the resolved type, matchable, maxLength, range, reverse
 * and `stub` (a reverse property generated on the range schema). Flags are written only when true.
 */

export interface CompiledProperty {
  name: string;
  qname: string;
  label: string;
  type: string;
  description?: string;
  matchable?: boolean;
  hidden?: boolean;
  deprecated?: boolean;
  stub?: boolean;
  range?: string;
  reverse?: string;
  format?: string;
  maxLength: number;
  /** Example values (FtM writes them from 4.6 on). */
  examples?: string[];
}

export interface CompiledEdge {
  source: string;
  target: string;
  label?: string;
  directed?: boolean;
  caption?: string[];
}

export interface CompiledSchema {
  label: string;
  plural: string;
  description?: string;
  extends: string[];
  schemata: string[];
  abstract?: boolean;
  matchable?: boolean;
  hidden?: boolean;
  generated?: boolean;
  deprecated?: boolean;
  featured?: string[];
  required?: string[];
  caption?: string[];
  edge?: CompiledEdge;
  temporalExtent?: { start: string[]; end: string[] };
  properties: Record<string, CompiledProperty>;
}

export interface CompiledType {
  label: string;
  plural: string;
  description?: string;
  group?: string;
  matchable?: boolean;
  pivot?: boolean;
  maxLength: number;
  values?: Record<string, string>;
}

export interface CompiledModel {
  schemata: Record<string, CompiledSchema>;
  types: Record<string, CompiledType>;
  /** The FtM release the model was compiled from (4.10.2 here). */
  version?: string;
}

export interface PropertySpec {
  name: string;
  label: string;
  /** FtM property type: name, identifier, country, date, entity, text, string, number, url, ... */
  type: string;
  /** Schema that declared the property (after inheritance). */
  schema: string;
  /** For entity-typed properties: the schema of the referenced entity. */
  range?: string;
  reverse?: string;
  matchable: boolean;
  hidden: boolean;
  /**
   * A reverse property FtM generates on the range schema (`LegalEntity.ownershipOwner` for `Ownership.owner`):
   * it names the link from the other side and never holds values of its own.
   */
  stub: boolean;
  format?: string;
  /** FtM marks a property deprecated when a better one replaces it; imports still accept its values. */
  deprecated: boolean;
  description?: string;
  /** Longest value FtM expects (the property's own limit or its type's); informational, values are not cut. */
  maxLength?: number;
  /** Example values upstream gives (`Thing.topics`: sanction, debarment, role.pep). */
  examples?: string[];
}

/** Properties whose values mark where an entity starts and ends in time (`Person`: birthDate … deathDate). */
export interface TemporalExtent {
  start: string[];
  end: string[];
}

export interface EdgeSpec {
  source: string;
  target: string;
  label?: string;
  directed?: boolean;
  caption?: string[];
}

/** An FtM property type (name, identifier, country, ...), with its matching and pivot flags. */
export interface TypeSpec {
  name: string;
  label: string;
  plural: string;
  group?: string;
  /** Values of this type can be compared to match entities. */
  matchable: boolean;
  /** Values of this type link entities that share them (cross-referencing). */
  pivot: boolean;
  maxLength: number;
  description?: string;
}

export class Schema {
  readonly properties = new Map<string, PropertySpec>();
  /** This schema and every ancestor, nearest first. */
  readonly ancestry: string[] = [];

  constructor(
    readonly name: string,
    readonly label: string,
    readonly parents: string[],
    readonly abstract: boolean,
    readonly matchable: boolean,
    readonly featured: string[],
    readonly required: string[],
    readonly caption: string[],
    readonly edge: EdgeSpec | undefined,
    /** Start and end properties, own and inherited (FtM merges them down the hierarchy). */
    public temporalExtent: TemporalExtent | undefined = undefined,
    readonly description: string | undefined = undefined,
    readonly deprecated = false,
    readonly generated = false,
    readonly plural = label,
    readonly hidden = false,
  ) {}

  isA(other: string): boolean {
    return this.ancestry.includes(other);
  }

  getProperty(prop: string): PropertySpec | undefined {
    return this.properties.get(prop);
  }
}

export class SchemaModel {
  readonly schemata = new Map<string, Schema>();
  readonly types = new Map<string, TypeSpec>();
  /** The FtM release of the compiled model ("4.10.2"). */
  version: string | undefined;

  get(name: string): Schema {
    const schema = this.schemata.get(name);
    if (!schema) throw new UnknownSchemaError(name);
    return schema;
  }

  has(name: string): boolean {
    return this.schemata.has(name);
  }

  /** The most specific schema both descend from, for merging entities ("Company" + "Organization" → "Company"). */
  common(a: string, b: string): string {
    if (a === b) return a;
    const sa = this.get(a);
    const sb = this.get(b);
    if (sa.isA(b)) return a;
    if (sb.isA(a)) return b;
    throw new Error(`schemata ${a} and ${b} cannot be merged: neither descends from the other`);
  }
}

export class UnknownSchemaError extends Error {
  constructor(readonly schemaName: string) {
    super(`unknown FtM schema "${schemaName}"`);
  }
}

function propertySpec(schema: string, p: CompiledProperty): PropertySpec {
  return {
    name: p.name,
    label: p.label ?? p.name,
    type: p.type,
    schema,
    range: p.range,
    reverse: p.reverse,
    matchable: p.matchable === true,
    hidden: p.hidden === true,
    stub: p.stub === true,
    format: p.format,
    deprecated: p.deprecated === true,
    description: p.description?.trim() || undefined,
    maxLength: p.maxLength || undefined,
    examples: p.examples,
  };
}

/** Build the model from a compiled FtM model (defaultModel.json). */
export function loadSchemaModel(dir = dataPath('sanctions', 'schema', 'ftm')): SchemaModel {
  return buildModel(JSON.parse(readFileSync(path.join(dir, 'defaultModel.json'), 'utf8')) as CompiledModel);
}

export function buildModel(compiled: CompiledModel): SchemaModel {
  const raw = new Map<string, CompiledSchema>(Object.entries(compiled.schemata));
  const model = new SchemaModel();
  for (const [name, t] of Object.entries(compiled.types)) {
    model.types.set(name, {
      name,
      label: t.label,
      plural: t.plural,
      group: t.group,
      matchable: t.matchable === true,
      pivot: t.pivot === true,
      maxLength: t.maxLength,
      description: t.description?.trim() || undefined,
    });
  }
  for (const [name, spec] of raw) {
    model.schemata.set(
      name,
      new Schema(
        name,
        spec.label ?? name,
        spec.extends ?? [],
        spec.abstract === true,
        spec.matchable === true,
        spec.featured ?? [],
        spec.required ?? [],
        spec.caption ?? [],
        spec.edge,
        spec.temporalExtent
          ? { start: spec.temporalExtent.start ?? [], end: spec.temporalExtent.end ?? [] }
          : undefined,
        spec.description?.trim() || undefined,
        spec.deprecated === true,
        spec.generated === true,
        spec.plural ?? spec.label ?? name,
        spec.hidden === true,
      ),
    );
  }
  const resolved = new Set<string>();
  const resolve = (name: string, stack: string[]): void => {
    if (resolved.has(name)) return;
    if (stack.includes(name)) throw new Error(`FtM schema cycle: ${[...stack, name].join(' → ')}`);
    const schema = model.get(name);
    schema.ancestry.push(name);
    for (const parent of schema.parents) {
      resolve(parent, [...stack, name]);
      const p = model.get(parent);
      for (const a of p.ancestry) if (!schema.ancestry.includes(a)) schema.ancestry.push(a);
      for (const [k, v] of p.properties) if (!schema.properties.has(k)) schema.properties.set(k, v);
    }
    for (const [prop, p] of Object.entries(raw.get(name)!.properties))
      schema.properties.set(prop, propertySpec(name, p));
    resolved.add(name);
  };
  for (const name of model.schemata.keys()) resolve(name, []);
  model.version = compiled.version;
  return model;
}

let shared: SchemaModel | undefined;

/** The bundled FtM schema, loaded once per process. */
export function schemaModel(): SchemaModel {
  shared ??= loadSchemaModel();
  return shared;
}
