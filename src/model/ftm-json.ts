import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
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
}

export async function* readFtmLines(
  file: string,
  opts: { model?: SchemaModel; strictProperties?: boolean } = {},
): AsyncGenerator<FtmLine> {
  const model = opts.model ?? schemaModel();
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    yield { entity: parseFtmLine(text, file, line, model, opts.strictProperties ?? true), line };
  }
}

export function parseFtmLine(text: string, file: string, line: number, model: SchemaModel, strict = true): FtmEntity {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}:${line}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new InputError(`${file}:${line}: expected a JSON object with id, schema and properties`);
  }
  const o = obj as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id === '')
    throw new InputError(`${file}:${line}: field "id" missing or not a string`);
  if (typeof o.schema !== 'string') throw new InputError(`${file}:${line}: field "schema" missing or not a string`);
  if (!model.has(o.schema)) throw new InputError(`${file}:${line}: unknown FtM schema "${o.schema}"`);
  const schema = model.get(o.schema);
  const props = o.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw new InputError(`${file}:${line}: field "properties" must be an object of arrays`);
  }
  const properties: Record<string, string[]> = {};
  for (const [prop, values] of Object.entries(props as Record<string, unknown>)) {
    if (strict && !schema.getProperty(prop)) {
      throw new InputError(`${file}:${line}: property "${prop}" is not defined on schema ${schema.name}`);
    }
    if (!Array.isArray(values)) throw new InputError(`${file}:${line}: properties.${prop} must be an array`);
    properties[prop] = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  }
  const entity: FtmEntity = { id: o.id, schema: o.schema, properties };
  for (const key of ['caption', 'first_seen', 'last_seen'] as const)
    if (typeof o[key] === 'string') entity[key] = o[key];
  if (Array.isArray(o.datasets)) entity.datasets = o.datasets.map(String);
  if (Array.isArray(o.referents)) entity.referents = o.referents.map(String);
  if (typeof o.target === 'boolean') entity.target = o.target;
  return entity;
}

/** One FtM JSON line; properties sorted so exports are byte-stable. */
export function formatFtmLine(entity: FtmEntity): string {
  const properties: Record<string, string[]> = {};
  for (const k of Object.keys(entity.properties).sort()) properties[k] = entity.properties[k]!;
  return JSON.stringify({ ...entity, properties });
}
