import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dataPath } from '../paths.js';
import type { CompiledExtensions, CompiledModel, CompiledProperty, CompiledSchema } from './ftm-compile.js';

/**
 * The FollowTheMoney schema: the compiled model of FtM 4.5.2 as published by the FtM project
 * (data/sanctions/schema/ftm/defaultModel.json, byte-identical to `dist/defaultModel.json` of the npm package
 * `@opensanctions/followthemoney@4.5.2`), plus the upstream schema files newer than that release (the YAML in
 * extensions/, compiled to extensions.json by src/model/ftm-compile.ts): two new schemata (Control, Territory) and
 * 17 that replace 4.5.2's own (Person with `biography`, Occupancy with its election and term fields, ...; the
 * comparison is in data/sanctions/PROVENANCE.md). So schema names, property names, types, flags and inheritance
 * are the real ones (Vessel → Vehicle → Asset → Thing, ...). Loading is two JSON.parse calls and a pass over 71
 * schemata.
 */

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
  /** Example values upstream gives (only the newer schema files in extensions/ have them; 4.5.2's model has none). */
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

/**
 * Build the model from a compiled FtM model (defaultModel.json) and the compiled extensions next to it
 * (extensions.json, if present): their new schemata are added, and a schema the model already has is replaced.
 * A replaced schema keeps the model's stubs that other schemata's entity properties put on it; a stub anywhere
 * whose entity property sits on a replaced schema is dropped when the replacement no longer has that property
 * (or points it elsewhere), and the stubs the extensions' entity properties make are set on the schemata they name.
 */
export function loadSchemaModel(dir = dataPath('sanctions', 'schema', 'ftm')): SchemaModel {
  const compiled = JSON.parse(readFileSync(path.join(dir, 'defaultModel.json'), 'utf8')) as CompiledModel;
  let ext: CompiledExtensions = { schemata: {}, reverse: {} };
  try {
    ext = JSON.parse(readFileSync(path.join(dir, 'extensions.json'), 'utf8')) as CompiledExtensions;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return buildModel(compiled, ext);
}

export function buildModel(compiled: CompiledModel, ext: CompiledExtensions): SchemaModel {
  const raw = new Map<string, CompiledSchema>(Object.entries(compiled.schemata));
  const replaced = new Set<string>();
  for (const [name, spec] of Object.entries(ext.schemata)) {
    const base = raw.get(name);
    if (base) {
      replaced.add(name);
      const properties: Record<string, CompiledProperty> = {};
      for (const [prop, p] of Object.entries(base.properties)) if (p.stub === true) properties[prop] = p;
      raw.set(name, { ...spec, properties: { ...properties, ...spec.properties } });
    } else raw.set(name, spec);
  }
  const replacedNames = new Set(ext.replaces ?? []);
  if (replacedNames.size !== replaced.size || [...replaced].some((n) => !replacedNames.has(n)))
    throw new Error(
      `FtM extensions.json replaces ${[...replaced].join(', ')} but lists ${[...replacedNames].join(', ')}`,
    );
  if (replaced.size > 0) {
    // A stub mirrors an entity property on its range schema (`stub.range`); if that schema was replaced, the stub
    // lives only while the replacement still declares the property with this stub as its reverse.
    for (const [name, spec] of raw) {
      let properties: Record<string, CompiledProperty> | undefined;
      for (const [prop, p] of Object.entries(spec.properties)) {
        if (p.stub !== true || !p.range || !replaced.has(p.range) || !p.reverse) continue;
        const forward = raw.get(p.range)?.properties[p.reverse];
        if (forward && forward.stub !== true && forward.reverse === prop && forward.range === name) continue;
        properties ??= { ...spec.properties };
        delete properties[prop];
      }
      if (properties) raw.set(name, { ...spec, properties });
    }
  }
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
    const own = { ...raw.get(name)!.properties, ...ext.reverse[name] };
    for (const [prop, p] of Object.entries(own)) schema.properties.set(prop, propertySpec(name, p));
    resolved.add(name);
  };
  for (const name of model.schemata.keys()) resolve(name, []);
  for (const name of Object.keys(ext.reverse))
    if (!model.has(name)) throw new Error(`FtM extension reverse properties for unknown schema ${name}`);
  return model;
}

let shared: SchemaModel | undefined;

/** The bundled FtM schema, loaded once per process. */
export function schemaModel(): SchemaModel {
  shared ??= loadSchemaModel();
  return shared;
}
