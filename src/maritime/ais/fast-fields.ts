/**
 * The NMEA fast path's field extractors, generated from the message tables (tables/position.ts and the header in
 * tables/index.ts) when this module loads: each reads the fields of one position report straight from the six-bit
 * characters of its payload with constant shifts and masks, and hands them to a `PositionSink`. The offsets, widths
 * and signs come from the same declarations the full decoder walks, so a change to a table moves the fast path with
 * it (test/ais/fast-path.test.ts compares both paths on real files).
 */
import type { PositionSink } from './position-sink.js';
import type { BitField, CompiledTable } from './table.js';
import { HEADER, TABLES } from './tables/index.js';

/** Six-bit characters the fast path keeps per line (the fields read here must lie in them). */
export const MAX_FAST_CHARS = 40;

/**
 * Source of an expression for the field of `width` bits at bit `at`, over locals `c<k>` holding the six-bit value of
 * character k: each character's bits are masked and shifted into place (a signed field is then sign-extended from
 * its top bit). Widths up to 31 bits (int32 arithmetic).
 */
export function sixbitsCode(at: number, width: number, signed: boolean): string {
  if (width < 1 || width > 31) throw new Error(`fast path: field width ${width} outside 1..31`);
  const end = at + width;
  const parts: string[] = [];
  for (let c = Math.floor(at / 6); c * 6 < end; c++) {
    const lo = Math.max(at, 6 * c);
    const hi = Math.min(end, 6 * c + 6);
    let term = `c${c}`;
    if (hi < 6 * c + 6) term = `(${term} >> ${6 * c + 6 - hi})`;
    if (lo > 6 * c) term = `(${term} & ${2 ** (hi - lo) - 1})`;
    if (end > hi) term = `(${term} << ${end - hi})`;
    parts.push(term);
  }
  const u = parts.length === 1 ? parts[0]! : `(${parts.join(' | ')})`;
  return signed ? `((${u} << ${32 - width}) >> ${32 - width})` : u;
}

/**
 * The six-bit character that holds the message type, from the header table (tables/index.ts `messageHeader`): the
 * type is one whole character, so the fast path reads it as `six[TYPE_CHAR]` with no shifts.
 */
export const TYPE_CHAR = (() => {
  const i = HEADER.index.get('type');
  const f = i === undefined ? undefined : HEADER.fields[i];
  if (f?.kind !== 'u' || f.at === undefined || f.at % 6 !== 0 || f.bits !== 6)
    throw new Error('fast path: the header type is not one six-bit character');
  return f.at / 6;
})();

/** An argument of the sink call: a table field (by gpsd name), or a parameter of the extractor / a constant. */
type Arg = { field: string } | { code: string };
const F = (field: string): Arg => ({ field });
const C = (code: string | number): Arg => ({ code: String(code) });

/** Reads one kind of position report: `six` holds the payload's six-bit values (at least `minBits` of them). */
export type Extractor = (six: Uint8Array, sink: PositionSink, type: number, ts: number, line: number) => void;

function fieldOf(table: CompiledTable, name: string): BitField {
  const i = HEADER.index.get(name) ?? table.index.get(name);
  const f = i === undefined ? undefined : (HEADER.index.has(name) ? HEADER : table).fields[i];
  if (!f || !(f.kind === 'u' || f.kind === 'i' || f.kind === 'b') || f.at === undefined || f.at < 0)
    throw new Error(`fast path: table "${table.title}" has no fixed numeric field "${name}"`);
  return f;
}

/**
 * `sink.<method>(args)` for one table, as straight-line code. Every field read must end within the table's minimum
 * length (so a message the fast path accepts holds it) and within MAX_FAST_CHARS characters.
 */
export function compileExtractor(
  table: CompiledTable,
  method: 'positionFast' | 'longRange',
  args: readonly Arg[],
): Extractor {
  const used = new Set<number>();
  const exprs = args.map((a) => {
    if ('code' in a) return a.code;
    const f = fieldOf(table, a.field);
    const end = f.at! + f.bits;
    if (end > (table.minBits ?? 0) || Math.ceil(end / 6) > MAX_FAST_CHARS)
      throw new Error(`fast path: field "${f.name}" of "${table.title}" ends after the shortest message`);
    for (let c = Math.floor(f.at! / 6); c * 6 < end; c++) used.add(c);
    return sixbitsCode(f.at!, f.bits, f.kind === 'i');
  });
  const locals = [...used].sort((a, b) => a - b).map((c) => `const c${c} = six[${c}];`);
  const body = [
    ...locals,
    method === 'positionFast' ? 'sink.fastTs = ts;' : '',
    `sink.${method}(${exprs.join(', ')});`,
  ];
  return new Function(`return function ${method}Fields(six, sink, type, ts, line) {\n${body.join('\n')}\n};`)();
}

const table = (type: number): CompiledTable => {
  const t = TABLES[type];
  if (!t) throw new Error(`fast path: no table for type ${type}`);
  return t;
};

/** Navigation status "not defined" (ITU-R M.1371), for class B reports, which carry none. */
const NO_STATUS = 15;

/**
 * `positionFast(mmsi, lat, lon, speed, course, heading, status, type, class, line)` from a class A or B table (class
 * B reports carry no navigation status).
 */
const positionArgs = (status: Arg, cls: 1 | 2): Arg[] => [
  F('mmsi'),
  F('lat'),
  F('lon'),
  F('speed'),
  F('course'),
  F('heading'),
  status,
  C('type'),
  C(cls),
  C('line'),
];

/** Types 1, 2 and 3 (class A). */
export const CLASS_A_TABLE = table(1);
export const classAFields = compileExtractor(CLASS_A_TABLE, 'positionFast', positionArgs(F('status'), 1));

/** Type 18 (class B). */
export const CLASS_B_TABLE = table(18);
export const classBFields = compileExtractor(CLASS_B_TABLE, 'positionFast', positionArgs(C(NO_STATUS), 2));

/** Type 27 (long-range broadcast). */
export const LONG_RANGE_TABLE = table(27);
export const longRangeFields = compileExtractor(LONG_RANGE_TABLE, 'longRange', [
  F('mmsi'),
  C('ts'),
  F('lat'),
  F('lon'),
  F('speed'),
  F('course'),
  F('status'),
  C('line'),
]);
