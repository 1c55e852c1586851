import {
  type Static,
  type TBoolean,
  type TInteger,
  type TNumber,
  type TSchema,
  type TString,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';

/**
 * Schema pieces every route plugin shares. Route schemas are TypeBox values: the same object is the JSON schema
 * Fastify validates and serialises with (and @fastify/swagger publishes at /docs/json) and, through `Static`, the
 * TypeScript type of the request and reply that the handlers and the web client (web/src/api.ts) use.
 */

/** The body of every 4xx/5xx answer (see the error handler in server.ts). */
export const ErrorReply = Type.Object(
  {
    error: Type.String({ description: 'machine-readable code: bad_request, bad_input, not_found, conflict, ...' }),
    message: Type.String({ description: 'one sentence a person can act on' }),
  },
  { description: 'An error: `{error, message}`, never a stack trace' },
);

/** A string enum as `{type: 'string', enum: [...]}` (clearer in OpenAPI than TypeBox's union of consts). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  opts: { description?: string; default?: T[number] } = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}

/** `T | null` as `{type: [..., 'null']}`-style `anyOf` that both Ajv and OpenAPI 3.1 read. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An object whose fields the schema does not list; its TypeScript type is the domain type `T`. */
export const Opaque = <T>(description: string) =>
  Type.Unsafe<T>({ type: 'object', additionalProperties: true, description });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1 }) });

/** `{results: [...]}`, the envelope of every list reply. */
export const Results = <T extends TSchema>(item: T) => Type.Object({ results: Type.Array(item) });

/** The empty reply of a route that answers 204. */
export const NoContent = Type.Null({ description: 'No content' });

/**
 * `T | null` as `{type: [t, 'null']}` for a scalar: serialised without the per-value `anyOf` test of `Nullable`
 * (used on rows sent by the thousand, such as positions).
 */
export const OrNull = <T extends TInteger | TNumber | TString | TBoolean>(schema: T) => {
  // Through JSON: TypeBox's symbol keys (its Kind) stay behind, only the JSON schema is kept.
  const { type, ...rest } = JSON.parse(JSON.stringify(schema)) as { type: string } & Record<string, unknown>;
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
};

/**
 * Numbers in query strings and paths. Ajv coerces the text to a number and `1e400`, `Infinity` or `-Infinity` become
 * ±Infinity, which its integer check lets through on the coercion path and which `minimum`/`maximum` skip (they only
 * test finite numbers): the value reaches the handler, and the store fails with a 500. `allOf: [{type}]` checks the
 * type again on the coerced value, where ±Infinity is neither an integer nor a number: a 400. `NaN` is never
 * coerced, and a huge finite value fails `maximum`, which is why both bounds are required here.
 */
interface Bounds<T> {
  minimum: number;
  maximum: number;
  default?: T;
  description?: string;
}

/** A finite integer in [minimum, maximum] (query string and path parameters). */
export const Int = (opts: Bounds<number>) => Type.Integer({ ...opts, allOf: [{ type: 'integer' }] });

/** A finite number in [minimum, maximum] (query string and path parameters). */
export const Num = (opts: Bounds<number>) => Type.Number({ ...opts, allOf: [{ type: 'number' }] });

/**
 * The largest `offset` a list route accepts. Without a maximum a 30-digit offset passes as a float the store cannot
 * bind, and the request fails with a 500; past this it is a 400.
 */
export const MAX_OFFSET = 1_000_000_000;

/** `limit` of a list route: an integer from `minimum` (1) to `maximum`; NaN, ±Infinity and fractions are a 400. */
export const Limit = (opts: { maximum: number; default?: number; minimum?: number; description?: string }) =>
  Int({ minimum: 1, ...opts });

/** `offset` of a list route: rows to skip, 0 to MAX_OFFSET. */
export const Offset = (opts: { description?: string; maximum?: number } = {}) =>
  Int({ minimum: 0, maximum: MAX_OFFSET, default: 0, ...opts });

/** The paging parameters of a list route, for a query string object: `{...Paging({maximum: 1000, default: 100})}`. */
export const Paging = (limit: { maximum: number; default: number }) => ({
  limit: Type.Optional(Limit(limit)),
  offset: Type.Optional(Offset()),
});
