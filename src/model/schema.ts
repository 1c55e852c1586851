import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataPath } from '../paths.js';

/**
 * The FollowTheMoney schema, loaded from the FtM project's own YAML (data/sanctions/schema/ftm), so schema names,
 * property names, types and inheritance are the real ones (Vessel → Vehicle → Asset → Thing, ...).
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
  format?: string;
  /** FtM marks a property deprecated when a better one replaces it; imports still accept its values. */
  deprecated: boolean;
  description?: string;
  /** Longest value FtM expects (identifiers, phones, codes); informational, values are not cut. */
  maxLength?: number;
  /** Example values from the FtM schema (documentation only). */
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

interface RawProperty {
  label?: string;
  type?: string;
  range?: string;
  reverse?: { name?: string } | string;
  matchable?: unknown;
  hidden?: unknown;
  deprecated?: unknown;
  format?: string;
  description?: string;
  maxLength?: number;
  examples?: unknown[];
}

interface RawSchema {
  label?: string;
  plural?: string;
  description?: string;
  extends?: string[] | string;
  abstract?: unknown;
  matchable?: unknown;
  generated?: unknown;
  hidden?: unknown;
  deprecated?: unknown;
  featured?: string[];
  required?: string[];
  caption?: string[];
  edge?: EdgeSpec;
  temporalExtent?: { start?: string[]; end?: string[] };
  properties?: Record<string, RawProperty | null>;
}

/**
 * A YAML flag as a boolean. The upstream files are not always clean (Person.yaml in FtM v4 has
 * `matchable: fals` on `position`), so only a real boolean or a yes-like string counts; anything else is the
 * default.
 */
function flag(v: unknown, dflt: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    if (/^(true|yes|on)$/i.test(v.trim())) return true;
    if (/^(false|fals|no|off)$/i.test(v.trim())) return false;
  }
  return dflt;
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
    /** Own temporal extent, or the nearest ancestor's (FtM inherits it). */
    public temporalExtent: TemporalExtent | undefined = undefined,
    readonly description: string | undefined = undefined,
    readonly deprecated = false,
    readonly generated = false,
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

export function loadSchemaModel(dir = dataPath('sanctions', 'schema', 'ftm')): SchemaModel {
  const raw = new Map<string, RawSchema>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const doc = parseYaml(readFileSync(path.join(dir, file), 'utf8')) as Record<string, RawSchema>;
    for (const [name, spec] of Object.entries(doc)) raw.set(name, spec ?? {});
  }
  const model = new SchemaModel();
  for (const [name, spec] of raw) {
    model.schemata.set(
      name,
      new Schema(
        name,
        spec.label ?? name,
        typeof spec.extends === 'string' ? [spec.extends] : (spec.extends ?? []),
        flag(spec.abstract, false),
        flag(spec.matchable, false),
        spec.featured ?? [],
        spec.required ?? [],
        spec.caption ?? [],
        spec.edge,
        spec.temporalExtent
          ? { start: spec.temporalExtent.start ?? [], end: spec.temporalExtent.end ?? [] }
          : undefined,
        spec.description?.trim(),
        flag(spec.deprecated, false),
        flag(spec.generated, false),
      ),
    );
  }
  const resolved = new Set<string>();
  const resolve = (name: string, stack: string[]): void => {
    if (resolved.has(name)) return;
    if (stack.includes(name)) throw new Error(`FtM schema cycle: ${[...stack, name].join(' → ')}`);
    const schema = model.get(name);
    const spec = raw.get(name)!;
    schema.ancestry.push(name);
    for (const parent of schema.parents) {
      resolve(parent, [...stack, name]);
      const p = model.get(parent);
      for (const a of p.ancestry) if (!schema.ancestry.includes(a)) schema.ancestry.push(a);
      for (const [k, v] of p.properties) if (!schema.properties.has(k)) schema.properties.set(k, v);
      schema.temporalExtent ??= p.temporalExtent;
    }
    for (const [prop, rawProp] of Object.entries(spec.properties ?? {})) {
      const rp = rawProp ?? {};
      const inherited = schema.properties.get(prop);
      schema.properties.set(prop, {
        name: prop,
        label: rp.label ?? inherited?.label ?? prop,
        type: rp.type ?? inherited?.type ?? 'string',
        schema: name,
        range: rp.range ?? inherited?.range,
        reverse: typeof rp.reverse === 'object' ? rp.reverse?.name : rp.reverse,
        matchable: flag(rp.matchable, inherited?.matchable ?? !['text', 'url', 'html', 'json'].includes(rp.type ?? '')),
        hidden: flag(rp.hidden, false),
        format: rp.format ?? inherited?.format,
        deprecated: flag(rp.deprecated, false),
        description: rp.description?.trim() ?? inherited?.description,
        maxLength: typeof rp.maxLength === 'number' ? rp.maxLength : inherited?.maxLength,
        examples: Array.isArray(rp.examples) ? rp.examples.map(String) : inherited?.examples,
      });
    }
    resolved.add(name);
  };
  for (const name of model.schemata.keys()) resolve(name, []);
  return model;
}

let shared: SchemaModel | undefined;

/** The bundled FtM schema, loaded once per process. */
export function schemaModel(): SchemaModel {
  shared ??= loadSchemaModel();
  return shared;
}
