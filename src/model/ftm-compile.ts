import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dataPath } from '../paths.js';

/**
 * The compiled FollowTheMoney model, in the layout of `dist/defaultModel.json` of the npm package
 * `@opensanctions/followthemoney` (what followthemoney's Python `Model.to_dict()` writes): per schema its own
 * properties, its ancestry (`schemata`), and caption/featured/required/temporalExtent already resolved through
 * inheritance; per property the resolved type, matchable, maxLength, range, reverse and `stub` (a reverse
 * property generated on the range schema). Flags are written only when true.
 *
 * Two schemata newer than the npm release (Control, Territory: opensanctions/followthemoney commits after 4.5.2)
 * are kept as the upstream YAML in data/sanctions/schema/ftm/extensions/ and compiled here, with the same rules,
 * into extensions.json next to the model, so loading at start never parses YAML. `extensionsAreCurrent()` (a test)
 * checks extensions.json against the YAML; `writeExtensions()` rewrites it:
 * `npx tsx -e "import('./src/model/ftm-compile.ts').then((m) => m.writeExtensions())"`.
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
}

/**
 * Schemata compiled from YAML on top of a compiled model: the new schemata, and the reverse (stub) properties
 * their entity properties add to existing schemata (`reverse.LegalEntity.controlController`).
 */
export interface CompiledExtensions {
  schemata: Record<string, CompiledSchema>;
  reverse: Record<string, Record<string, CompiledProperty>>;
}

export const FTM_DIR = (): string => dataPath('sanctions', 'schema', 'ftm');

interface RawReverse {
  name?: string;
  label?: string;
  hidden?: unknown;
}

interface RawProperty {
  label?: string;
  type?: string;
  range?: string;
  reverse?: RawReverse;
  matchable?: unknown;
  hidden?: unknown;
  deprecated?: unknown;
  format?: string;
  description?: string;
  maxLength?: number;
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
  edge?: CompiledEdge;
  temporalExtent?: { start?: string[]; end?: string[] };
  properties?: Record<string, RawProperty | null>;
}

const truthy = (v: unknown): boolean => v === true || (typeof v === 'string' && /^(true|yes|on)$/i.test(v.trim()));

/** Keys sorted, and flags only when set, as in defaultModel.json. */
function sortKeys<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    const v = (o as Record<string, unknown>)[k];
    if (v === undefined || v === false) continue;
    out[k] = v;
  }
  return out as T;
}

function compileProperty(schema: string, name: string, rp: RawProperty, model: CompiledModel): CompiledProperty {
  const type = rp.type ?? 'string';
  const t = model.types[type];
  if (!t) throw new Error(`FtM schema ${schema}.${name}: unknown property type "${type}"`);
  return sortKeys({
    name,
    qname: `${schema}:${name}`,
    label: rp.label ?? name,
    type,
    description: rp.description,
    matchable: rp.matchable === undefined ? t.matchable === true : truthy(rp.matchable),
    hidden: truthy(rp.hidden),
    deprecated: truthy(rp.deprecated),
    range: rp.range,
    reverse: rp.reverse?.name,
    format: rp.format,
    maxLength: typeof rp.maxLength === 'number' ? rp.maxLength : t.maxLength,
  });
}

/** Compile YAML schema documents (name → spec) against `model`, following followthemoney's Schema rules. */
export function compileSchemata(docs: Record<string, RawSchema>, model: CompiledModel): CompiledExtensions {
  const out: CompiledExtensions = { schemata: {}, reverse: {} };
  const lookup = (name: string): CompiledSchema | undefined => out.schemata[name] ?? model.schemata[name];
  const pending = new Set(Object.keys(docs));
  const compile = (name: string): void => {
    if (!pending.delete(name)) return;
    const spec = docs[name]!;
    const parents = typeof spec.extends === 'string' ? [spec.extends] : (spec.extends ?? []);
    const ancestry = new Set([name]);
    const temporal = { start: [...(spec.temporalExtent?.start ?? [])], end: [...(spec.temporalExtent?.end ?? [])] };
    for (const p of parents) {
      if (docs[p]) compile(p);
      const parent = lookup(p);
      if (!parent) throw new Error(`FtM schema ${name}: extends unknown schema "${p}"`);
      for (const a of parent.schemata) ancestry.add(a);
      for (const s of parent.temporalExtent?.start ?? []) if (!temporal.start.includes(s)) temporal.start.push(s);
      for (const e of parent.temporalExtent?.end ?? []) if (!temporal.end.includes(e)) temporal.end.push(e);
    }
    const properties: Record<string, CompiledProperty> = {};
    for (const [prop, raw] of Object.entries(spec.properties ?? {}))
      properties[prop] = compileProperty(name, prop, raw ?? {}, model);
    const label = spec.label ?? name;
    out.schemata[name] = sortKeys({
      label,
      plural: spec.plural ?? label,
      description: spec.description,
      extends: parents,
      schemata: [...ancestry].sort(),
      abstract: truthy(spec.abstract),
      matchable: truthy(spec.matchable),
      hidden: truthy(spec.hidden),
      generated: truthy(spec.generated),
      deprecated: truthy(spec.deprecated),
      featured: spec.featured,
      required: spec.required,
      caption: spec.caption,
      edge: spec.edge ? sortKeys({ ...spec.edge }) : undefined,
      temporalExtent: temporal.start.length + temporal.end.length > 0 ? sortKeys(temporal) : undefined,
      properties,
    });
  };
  for (const name of Object.keys(docs)) compile(name);
  // Reverse properties: a stub on the range schema pointing back (followthemoney's Property.generate).
  for (const [name, spec] of Object.entries(docs)) {
    for (const [prop, raw] of Object.entries(spec.properties ?? {})) {
      const rev = raw?.reverse;
      if (!rev?.name || !raw?.range) continue;
      if (!lookup(raw.range)) throw new Error(`FtM schema ${name}.${prop}: range "${raw.range}" is not a schema`);
      const stub = compileProperty(raw.range, rev.name, { label: rev.label, type: 'entity', range: name }, model);
      const full = sortKeys({ ...stub, reverse: prop, stub: true, hidden: truthy(rev.hidden) });
      const own = out.schemata[raw.range];
      if (own) own.properties[rev.name] = full;
      else (out.reverse[raw.range] ??= {})[rev.name] = full;
    }
  }
  for (const s of Object.values(out.schemata)) s.properties = sortKeys(s.properties);
  return out;
}

/** The YAML schema documents in `dir` (one or more schemata per file), files in name order. */
export function readSchemaYaml(dir: string): Record<string, RawSchema> {
  const docs: Record<string, RawSchema> = {};
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const doc = parseYaml(readFileSync(path.join(dir, file), 'utf8')) as Record<string, RawSchema | null>;
    for (const [name, spec] of Object.entries(doc)) docs[name] = spec ?? {};
  }
  return docs;
}

/** extensions.json as it should be: the YAML in extensions/ compiled against defaultModel.json. */
export function compileExtensionsText(dir = FTM_DIR()): string {
  const model = JSON.parse(readFileSync(path.join(dir, 'defaultModel.json'), 'utf8')) as CompiledModel;
  return `${JSON.stringify(compileSchemata(readSchemaYaml(path.join(dir, 'extensions')), model), null, 1)}\n`;
}

export function extensionsAreCurrent(dir = FTM_DIR()): boolean {
  return readFileSync(path.join(dir, 'extensions.json'), 'utf8') === compileExtensionsText(dir);
}

export function writeExtensions(dir = FTM_DIR()): void {
  writeFileSync(path.join(dir, 'extensions.json'), compileExtensionsText(dir));
}
