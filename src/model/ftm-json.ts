import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { printable, quoted } from '../util/printable.js';
import type { FtmEntity } from './entity.js';
import { type SchemaModel, schemaModel } from './schema.js';

/**
 * Streaming reader and writer for FollowTheMoney JSON lines (OpenSanctions `entities.ftm.json`, Aleph exports):
 * one `{id, schema, properties}` object per line. Every entity is checked against the schema, and a bad line is
 * reported with file:line rather than skipped.
 */

export interface FtmLine {
  entity: FtmEntity;
  line: number;
  /** Properties not defined on the entity's schema that were left out (`unknownProperties: 'skip'`). */
  skipped: string[];
}

/**
 * What to do with a property the entity's schema does not define: `skip` (the default for file imports, since
 * data written against a newer FtM release than the bundled schema is common) leaves the values out and reports
 * them with a count; `error` (`--strict-properties`, and always for `POST /entities`) refuses naming file:line.
 * There is no mode that stores them: a statement the schema cannot interpret would be exported by
 * `entities export` and then refused by `entities import --strict-properties`.
 */
export type UnknownProperties = 'error' | 'skip';

export interface FtmReadOptions {
  model?: SchemaModel;
  unknownProperties?: UnknownProperties;
  /**
   * Under `unknownProperties: 'skip'`, lines whose schema is not in the bundled model (`Assessment` and `Post`
   * from data written before FtM v4) are left out and counted here (schema → first line, lines). Without it
   * such a line is refused, naming file:line.
   */
  skippedSchemata?: SkippedSchemata;
}

/** Schema name → the first line that used it and how many lines were left out. */
export type SkippedSchemata = Map<string, { first: number; lines: number }>;

/** A line whose schema the model does not have. */
export class UnknownFtmSchemaError extends InputError {
  constructor(
    message: string,
    readonly schemaName: string,
  ) {
    super(message);
  }
}

/**
 * The one reader behind `entities import` and `lists import --format ftm` (both go through `importList`), so
 * both accept and refuse the same lines.
 */
export async function* readFtmLines(file: string, opts: FtmReadOptions = {}): AsyncGenerator<FtmLine> {
  const model = opts.model ?? schemaModel();
  const unknown = opts.unknownProperties ?? 'skip';
  const name = path.basename(file);
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      const skipped: string[] = [];
      let entity: FtmEntity;
      try {
        entity = parseFtmLine(text, name, line, model, unknown, skipped);
      } catch (err) {
        if (!(err instanceof UnknownFtmSchemaError && unknown === 'skip' && opts.skippedSchemata)) throw err;
        const s = opts.skippedSchemata.get(err.schemaName);
        if (s) s.lines++;
        else opts.skippedSchemata.set(err.schemaName, { first: line, lines: 1 });
        continue;
      }
      yield { entity, line, skipped };
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    // A gzip or read error mid-stream: name the file and the last line read.
    throw new InputError(`${name}:${line}: cannot read FtM JSON lines (${printable((err as Error).message, 120)})`);
  }
}

const kindOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

/**
 * Parse and check one line: a JSON object with a string `id`, a known `schema`, and `properties` mapping each of
 * that schema's properties to an array of strings (numbers and booleans are turned into strings; null, arrays and
 * objects are refused, which also keeps deeply nested values from ever being walked). Values from the file that
 * appear in a message are escaped and cut short.
 */
export function parseFtmLine(
  text: string,
  file: string,
  line: number,
  model: SchemaModel,
  unknownProperties: UnknownProperties = 'error',
  skipped: string[] = [],
): FtmEntity {
  const at = `${file}:${line}`;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${at}: not valid JSON (${printable((err as Error).message, 120)})`);
  }
  return parseFtmObject(obj, at, model, unknownProperties, skipped);
}

/**
 * Check one parsed FtM object (a line of a file, or a request body: POST /entities uses the same rules as
 * imports); `at` names where it came from in messages (`file:line`, `body`).
 */
export function parseFtmObject(
  obj: unknown,
  at: string,
  model: SchemaModel,
  unknownProperties: UnknownProperties = 'error',
  skipped: string[] = [],
): FtmEntity {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new InputError(`${at}: expected a JSON object with id, schema and properties, found ${kindOf(obj)}`);
  }
  const o = obj as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '') throw new InputError(`${at}: field "id" missing or not a string`);
  if (typeof o.schema !== 'string') throw new InputError(`${at}: field "schema" missing or not a string`);
  if (!model.has(o.schema)) throw new UnknownFtmSchemaError(`${at}: unknown FtM schema ${quoted(o.schema)}`, o.schema);
  const schema = model.get(o.schema);
  const props = o.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new InputError(`${at}: field "properties" must be an object of arrays`);
  }
  const properties: Record<string, string[]> = {};
  for (const [prop, values] of Object.entries(props as Record<string, unknown>)) {
    const spec = schema.getProperty(prop);
    // A stub is a reverse property (`ownershipOwner`): FtM keeps its values on the other entity, never here.
    if (!spec || spec.stub) {
      if (unknownProperties === 'skip') {
        skipped.push(prop);
        continue;
      }
      throw new InputError(
        spec
          ? `${at}: property ${quoted(prop)} of schema ${schema.name} is a reverse (stub) property; set ${spec.range}.${spec.reverse} instead`
          : `${at}: property ${quoted(prop)} is not defined on schema ${schema.name}`,
      );
    }
    if (!Array.isArray(values)) {
      throw new InputError(`${at}: properties.${printable(prop)} must be an array of strings, found ${kindOf(values)}`);
    }
    const out: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const v: unknown = values[i];
      if (typeof v === 'string') out.push(v);
      else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
      else throw new InputError(`${at}: properties.${printable(prop)}[${i}] must be a string, found ${kindOf(v)}`);
    }
    properties[prop] = out;
  }
  const entity: FtmEntity = { id: o.id, schema: o.schema, properties };
  for (const key of ['caption', 'first_seen', 'last_seen'] as const)
    if (typeof o[key] === 'string') entity[key] = o[key];
  const strings = (v: unknown[]): string[] => v.filter((x): x is string => typeof x === 'string');
  if (Array.isArray(o.datasets)) entity.datasets = strings(o.datasets);
  if (Array.isArray(o.referents)) entity.referents = strings(o.referents);
  if (typeof o.target === 'boolean') entity.target = o.target;
  return entity;
}

/** One FtM JSON line; properties sorted so exports are byte-stable. */
export function formatFtmLine(entity: FtmEntity): string {
  const properties: Record<string, string[]> = {};
  for (const k of Object.keys(entity.properties).sort()) properties[k] = entity.properties[k]!;
  return JSON.stringify({ ...entity, properties });
}
