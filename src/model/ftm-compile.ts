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
 * Upstream schema files newer than the npm release (opensanctions/followthemoney commits after 4.5.2; which ones
 * and why is in data/sanctions/PROVENANCE.md) are kept as the upstream YAML in data/sanctions/schema/ftm/extensions/
 * and compiled here with followthemoney's own rules (schema.py / property.py: `to_dict`, `generate`,
 * `_add_reverse`) into extensions.json next to the model, so loading at start never parses YAML. A file names
 * either a new schema (Control, Territory) or one of the model's, which it then replaces (Person, Occupancy, ...).
 * `extensionsAreCurrent()` (a test) checks extensions.json against the YAML; `writeExtensions()` rewrites it:
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
  /** Example values (FtM writes them from 4.6 on; the 4.5.2 model has none). */
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
}

/**
 * Schemata compiled from YAML on top of a compiled model: new schemata and replacements for the model's own
 * (`replaces` names those), and the reverse (stub) properties their entity properties add to schemata that are not
 * in the extension (`reverse.LegalEntity.controlController`). A replacement lists only its own properties and the
 * stubs its own entity properties make on itself: the loader keeps the model's stubs that other schemata put on
 * the replaced one and drops the model's stubs whose entity property the replacement no longer has
 * (src/model/schema.ts `buildModel`).
 */
export interface CompiledExtensions {
  schemata: Record<string, CompiledSchema>;
  reverse: Record<string, Record<string, CompiledProperty>>;
  replaces?: string[];
}

export const FTM_DIR = (): string => dataPath('sanctions', 'schema', 'ftm');

interface RawReverse {
  name?: string;
  label?: string;
  hidden?: unknown;
}

interface RawProperty {
  label?: string;
  examples?: unknown[];
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

const TRUEISH = new Set(['1', 'yes', 'y', 't', 'true', 'on', 'enabled']);

/** banal's `as_bool`, which followthemoney uses for every flag (so `matchable: fals` is false). */
function asBool(v: unknown, dflt = false): boolean {
  if (typeof v === 'boolean') return v;
  if (v === undefined || v === null) return dflt;
  const text = String(v).trim().toLowerCase();
  return text.length === 0 ? dflt : TRUEISH.has(text);
}

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
  const type = rp.type || 'string';
  const t = model.types[type];
  if (!t) throw new Error(`FtM schema ${schema}.${name}: unknown property type "${type}"`);
  const examples = rp.examples?.filter((e) => e !== null && e !== undefined).map(String);
  return sortKeys({
    name,
    qname: `${schema}:${name}`,
    label: rp.label ?? name,
    type,
    description: rp.description || undefined,
    matchable: rp.matchable === undefined || rp.matchable === null ? t.matchable === true : asBool(rp.matchable),
    hidden: asBool(rp.hidden),
    deprecated: asBool(rp.deprecated),
    range: rp.range,
    reverse: rp.reverse?.name,
    format: rp.format,
    maxLength: typeof rp.maxLength === 'number' && rp.maxLength > 0 ? rp.maxLength : t.maxLength,
    examples: examples?.length ? examples : undefined,
  });
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Compile YAML schema documents (name → spec) against `model`, following followthemoney's Schema rules: flags
 * through `as_bool` (schema `matchable` defaults to true, `hidden` is false on abstract schemata), `extends` sorted,
 * an edge with its caption, label (default: the schema label) and `directed` (default true), the temporal extent
 * the schema's own or else its first parent's with one (not merged), featured/caption/required as declared, and a
 * stub on the range schema for each entity property with a `reverse` (`_add_reverse`: its label, hidden as the
 * reverse says or as the property is, none if the range schema already has a property of that name).
 */
export function compileSchemata(docs: Record<string, RawSchema>, model: CompiledModel): CompiledExtensions {
  const out: CompiledExtensions = { schemata: {}, reverse: {} };
  const lookup = (name: string): CompiledSchema | undefined => out.schemata[name] ?? model.schemata[name];
  const pending = new Set(Object.keys(docs));
  const compile = (name: string): void => {
    if (!pending.delete(name)) return;
    const spec = docs[name]!;
    const parents = typeof spec.extends === 'string' ? [spec.extends] : (spec.extends ?? []);
    const ancestry = new Set([name]);
    let start = [...(spec.temporalExtent?.start ?? [])];
    let end = [...(spec.temporalExtent?.end ?? [])];
    const ownStart = start.length > 0;
    const ownEnd = end.length > 0;
    for (const p of parents) {
      if (docs[p]) compile(p);
      const parent = lookup(p);
      if (!parent) throw new Error(`FtM schema ${name}: extends unknown schema "${p}"`);
      for (const a of parent.schemata) ancestry.add(a);
      const pStart = parent.temporalExtent?.start ?? [];
      const pEnd = parent.temporalExtent?.end ?? [];
      if (!ownStart && pStart.length > 0) {
        if (start.length > 0 && !sameJson(start, pStart))
          throw new Error(`FtM schema ${name}: conflicting temporal start properties`);
        start = [...pStart];
      }
      if (!ownEnd && pEnd.length > 0) {
        if (end.length > 0 && !sameJson(end, pEnd))
          throw new Error(`FtM schema ${name}: conflicting temporal end properties`);
        end = [...pEnd];
      }
    }
    const properties: Record<string, CompiledProperty> = {};
    for (const [prop, raw] of Object.entries(spec.properties ?? {}))
      properties[prop] = compileProperty(name, prop, raw ?? {}, model);
    const label = spec.label ?? name;
    const abstract = asBool(spec.abstract);
    // Written in followthemoney's key order, with `directed: false` kept.
    const edge: CompiledEdge | undefined =
      spec.edge?.source && spec.edge.target
        ? {
            caption: spec.edge.caption ?? [],
            directed: asBool(spec.edge.directed, true),
            label: spec.edge.label ?? label,
            source: spec.edge.source,
            target: spec.edge.target,
          }
        : undefined;
    out.schemata[name] = sortKeys({
      label,
      plural: spec.plural ?? label,
      description: spec.description || undefined,
      extends: [...parents].sort(),
      schemata: [...ancestry].sort(),
      abstract,
      matchable: asBool(spec.matchable, true),
      hidden: asBool(spec.hidden) && !abstract,
      generated: asBool(spec.generated),
      deprecated: asBool(spec.deprecated),
      featured: spec.featured?.length ? spec.featured : undefined,
      required: spec.required?.length ? spec.required : undefined,
      caption: spec.caption?.length ? spec.caption : undefined,
      edge,
      temporalExtent: start.length + end.length > 0 ? { end, start } : undefined,
      properties,
    });
  };
  for (const name of Object.keys(docs)) compile(name);
  // A property of that name on the range schema or an ancestor (followthemoney's `self.get(name)`).
  const hasProperty = (schema: string, prop: string): boolean =>
    (lookup(schema)?.schemata ?? []).some((s) => {
      const p = lookup(s)?.properties[prop];
      return p !== undefined && p.stub !== true;
    });
  // Reverse properties: a stub on the range schema pointing back (followthemoney's Property.generate).
  for (const [name, spec] of Object.entries(docs)) {
    for (const [prop, raw] of Object.entries(spec.properties ?? {})) {
      const rev = raw?.reverse;
      if (!rev?.name || !raw?.range) continue;
      if (!lookup(raw.range)) throw new Error(`FtM schema ${name}.${prop}: range "${raw.range}" is not a schema`);
      if (hasProperty(raw.range, rev.name)) continue;
      const stub = compileProperty(
        raw.range,
        rev.name,
        { label: rev.label ?? undefined, type: 'entity', range: name },
        model,
      );
      const full = sortKeys({ ...stub, reverse: prop, stub: true, hidden: asBool(rev.hidden ?? raw.hidden) });
      const own = out.schemata[raw.range];
      if (own) own.properties[rev.name] = full;
      else if (!sameJson(model.schemata[raw.range]?.properties[rev.name], full))
        (out.reverse[raw.range] ??= {})[rev.name] = full;
    }
  }
  for (const s of Object.values(out.schemata)) s.properties = sortKeys(s.properties);
  const replaces = Object.keys(out.schemata)
    .filter((n) => model.schemata[n])
    .sort();
  // The model's schemata hold their temporal extent resolved; one inherited from a replaced parent must not change.
  for (const [name, schema] of Object.entries(model.schemata)) {
    if (out.schemata[name]) continue;
    for (const p of schema.extends) {
      const before = model.schemata[p]?.temporalExtent;
      const after = out.schemata[p]?.temporalExtent;
      if (out.schemata[p] && sameJson(schema.temporalExtent, before) && !sameJson(before, after))
        throw new Error(`FtM schema ${name} inherits the temporal extent of ${p}, which an extension changes`);
    }
  }
  if (replaces.length > 0) out.replaces = replaces;
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
