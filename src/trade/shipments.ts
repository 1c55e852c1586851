import { createHash, hash } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { CsvParser, type CsvRecord, fileTextChunks } from '../ingest/csv.js';
import { countryCode } from '../screening/countries.js';
import type { ColumnBatch, ColumnSpec, Db, Row } from '../store/db.js';
import type { Store } from '../store/store.js';
import { sha256File } from '../util/hash.js';
import { printable } from '../util/printable.js';
import { resolveShipmentColumns, SHIPMENT_FIELDS, type ShipmentField } from './fields.js';

/**
 * `trade import`: shipment records (customs declarations, bills of lading, manifests) from CSV into
 * trade_shipments. Streamed in batches through the bulk loader inside one transaction, so a file lands whole or not
 * at all; a re-import of the same bytes is recognised by its sha256 in the imports log and writes nothing.
 */

export const SHIPMENT_IMPORT_KIND = 'trade.shipments';

/** One stored shipment record. Dates are ISO `YYYY-MM-DD`; countries ISO 3166 alpha-2 (upper case) when known. */
export interface Shipment {
  importId: string;
  /** The file's base name, as evidence names it. */
  file: string;
  line: number;
  /** sha256 of the row's fields re-encoded as one RFC 4180 line (see rowSha256). */
  rowSha256: string;
  reference: string | null;
  docType: string | null;
  docDate: string | null;
  shipper: string | null;
  shipperAddress: string | null;
  shipperCountry: string | null;
  consignee: string | null;
  consigneeAddress: string | null;
  consigneeCountry: string | null;
  notifyParty: string | null;
  notifyAddress: string | null;
  notifyCountry: string | null;
  hsCode: string | null;
  description: string | null;
  origin: string | null;
  originCode: string | null;
  destination: string | null;
  destinationCode: string | null;
  portLoading: string | null;
  portDischarge: string | null;
  vesselName: string | null;
  vesselImo: number | null;
  departureDate: string | null;
  arrivalDate: string | null;
  weightKg: number | null;
  /** Decimal string. */
  value: string | null;
  currency: string | null;
}

/** Stable entity id of a shipment record: its import and line. */
export function shipmentId(s: Pick<Shipment, 'importId' | 'line'>): string {
  return `shipment-${s.importId.slice(s.importId.indexOf('@') + 1)}-${s.line}`;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** sha256 (hex) of a string: Node's one-shot `crypto.hash` where it exists (20.12+), else a Hash object. */
const sha256Hex: (text: string) => string =
  typeof hash === 'function'
    ? (text) => hash('sha256', text, 'hex')
    : (text) => createHash('sha256').update(text).digest('hex');

/** sha256 of a row: its fields joined as one RFC 4180 CSV line (quotes only where needed), no line break. */
export function rowSha256(fields: string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
  }
  return sha256Hex(line);
}

const countryCache = new Map<string, string | null>();
/** ISO alpha-2 (upper case) of a country name or code, or null when unknown. */
export function countryIso2(raw: string | null): string | null {
  if (!raw) return null;
  let c = countryCache.get(raw);
  if (c === undefined) {
    c = countryCode(raw)?.toUpperCase() ?? null;
    countryCache.set(raw, c);
  }
  return c;
}

/** `YYYY-MM-DD` of a date written ISO (`2024-03-01`, `2024-03-01T10:00Z`) or `YYYY/MM/DD`; undefined if not a date. */
export function parseTradeDate(raw: string): string | undefined {
  let d = dateCache.get(raw);
  if (d === undefined) {
    d = parseDateUncached(raw) ?? null;
    if (dateCache.size >= 100_000) dateCache.clear();
    dateCache.set(raw, d);
  }
  return d ?? undefined;
}

/** Parsed dates by their raw text (a file holds a few thousand distinct dates over a million rows). */
const dateCache = new Map<string, string | null>();

function parseDateUncached(raw: string): string | undefined {
  const m = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw.trim());
  if (!m) return undefined;
  const d = `${m[1]}-${m[2]}-${m[3]}`;
  const t = Date.parse(`${d}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== d) return undefined;
  return d;
}

/** A row that could not be imported, named by file:line. */
export interface BadRow {
  where: string;
  reason: string;
}

/**
 * Parse one row into row `k` of a batch's columns (`COLUMNS` order, from `reference` on); throws a message (no
 * location) when a field is malformed, leaving row `k` to be overwritten by the next row. No object is built per
 * record: a million-row file is parsed straight into the bulk loader's column arrays.
 */
function parseRowInto(
  fields: string[],
  cols: Partial<Record<ShipmentField, number>>,
  out: BatchColumns,
  k: number,
): void {
  const get = (f: ShipmentField): string | null => {
    const i = cols[f];
    if (i === undefined) return null;
    const v = fields[i]?.trim();
    return v ? v : null;
  };
  const date = (f: ShipmentField): string | null => {
    const v = get(f);
    if (v === null) return null;
    const d = parseTradeDate(v);
    if (!d) throw new Error(`${f} "${printable(v, 30)}" is not a date (YYYY-MM-DD)`);
    return d;
  };
  let hs = get('hs_code');
  if (hs !== null) {
    hs = hs.replace(/[.\s]/g, '');
    if (!/^\d{2,10}$/.test(hs)) throw new Error(`hs_code "${printable(get('hs_code')!, 20)}" is not 2-10 digits`);
  }
  const imoRaw = get('vessel_imo');
  let imo: number | null = null;
  if (imoRaw !== null) {
    const m = /^(?:imo[\s:]*)?(\d{7})$/i.exec(imoRaw);
    if (!m) throw new Error(`vessel_imo "${printable(imoRaw, 20)}" is not a 7-digit IMO number`);
    imo = Number(m[1]);
  }
  const weightRaw = get('weight_kg');
  let weight: number | null = null;
  if (weightRaw !== null) {
    weight = Number(weightRaw.replace(/[,\s]/g, ''));
    if (!Number.isFinite(weight) || weight < 0)
      throw new Error(`weight_kg "${printable(weightRaw, 20)}" is not a number`);
  }
  let value = get('value');
  if (value !== null) {
    const v = value.replace(/[,\s]/g, '');
    if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`value "${printable(value, 20)}" is not a decimal amount`);
    value = v;
  }
  const currency = get('currency')?.toUpperCase() ?? null;
  if (currency !== null && !/^[A-Z]{3}$/.test(currency))
    throw new Error(`currency "${printable(currency, 10)}" is not an ISO 4217 code`);
  const shipper = get('shipper');
  const consignee = get('consignee');
  const notifyParty = get('notify_party');
  const description = get('description');
  const vesselName = get('vessel_name');
  if (!shipper && !consignee && !notifyParty && !hs && !description && !vesselName && !imo)
    throw new Error('no party, goods or vessel in the row');
  const origin = get('origin');
  const destination = get('destination');
  const t = out.text;
  t.reference[k] = get('reference');
  t.docType[k] = get('doc_type');
  t.docDate[k] = date('doc_date');
  t.shipper[k] = shipper;
  t.shipperAddress[k] = get('shipper_address');
  t.shipperCountry[k] = countryIso2(get('shipper_country'));
  t.consignee[k] = consignee;
  t.consigneeAddress[k] = get('consignee_address');
  t.consigneeCountry[k] = countryIso2(get('consignee_country'));
  t.notifyParty[k] = notifyParty;
  t.notifyAddress[k] = get('notify_address');
  t.notifyCountry[k] = countryIso2(get('notify_country'));
  t.hsCode[k] = hs;
  t.description[k] = description;
  t.origin[k] = origin;
  t.originCode[k] = countryIso2(origin);
  t.destination[k] = destination;
  t.destinationCode[k] = countryIso2(destination);
  t.portLoading[k] = get('port_loading');
  t.portDischarge[k] = get('port_discharge');
  t.vesselName[k] = vesselName;
  out.vesselImo[k] = imo ?? Number.NaN;
  t.departureDate[k] = date('departure_date');
  t.arrivalDate[k] = date('arrival_date');
  out.weightKg[k] = weight ?? Number.NaN;
  t.value[k] = value;
  t.currency[k] = currency;
}

/** Table columns in Shipment order (the bulk loader's layout). */
const COLUMNS: Array<ColumnSpec & { key: keyof Shipment }> = [
  { name: 'import_id', type: 'text', key: 'importId' },
  { name: 'file', type: 'text', key: 'file' },
  { name: 'line', type: 'int', key: 'line' },
  { name: 'row_sha256', type: 'text', key: 'rowSha256' },
  { name: 'reference', type: 'text', key: 'reference' },
  { name: 'doc_type', type: 'text', key: 'docType' },
  { name: 'doc_date', type: 'text', key: 'docDate' },
  { name: 'shipper', type: 'text', key: 'shipper' },
  { name: 'shipper_address', type: 'text', key: 'shipperAddress' },
  { name: 'shipper_country', type: 'text', key: 'shipperCountry' },
  { name: 'consignee', type: 'text', key: 'consignee' },
  { name: 'consignee_address', type: 'text', key: 'consigneeAddress' },
  { name: 'consignee_country', type: 'text', key: 'consigneeCountry' },
  { name: 'notify_party', type: 'text', key: 'notifyParty' },
  { name: 'notify_address', type: 'text', key: 'notifyAddress' },
  { name: 'notify_country', type: 'text', key: 'notifyCountry' },
  { name: 'hs_code', type: 'text', key: 'hsCode' },
  { name: 'description', type: 'text', key: 'description' },
  { name: 'origin', type: 'text', key: 'origin' },
  { name: 'origin_code', type: 'text', key: 'originCode' },
  { name: 'destination', type: 'text', key: 'destination' },
  { name: 'destination_code', type: 'text', key: 'destinationCode' },
  { name: 'port_loading', type: 'text', key: 'portLoading' },
  { name: 'port_discharge', type: 'text', key: 'portDischarge' },
  { name: 'vessel_name', type: 'text', key: 'vesselName' },
  { name: 'vessel_imo', type: 'int', key: 'vesselImo' },
  { name: 'departure_date', type: 'text', key: 'departureDate' },
  { name: 'arrival_date', type: 'text', key: 'arrivalDate' },
  { name: 'weight_kg', type: 'double', key: 'weightKg' },
  { name: 'value', type: 'text', key: 'value' },
  { name: 'currency', type: 'text', key: 'currency' },
];

const BATCH = 5000;

type TextKey = Exclude<keyof Shipment, 'line' | 'vesselImo' | 'weightKg'>;

/** One batch of rows as the bulk loader's columns: text columns as arrays, numbers as typed arrays (NaN = NULL). */
interface BatchColumns {
  text: Record<TextKey, Array<string | null>>;
  line: Int32Array;
  vesselImo: Float64Array;
  weightKg: Float64Array;
}

function newBatch(importId: string, file: string): BatchColumns {
  const text = {} as Record<TextKey, Array<string | null>>;
  for (const c of COLUMNS) if (c.type === 'text') text[c.key as TextKey] = new Array<string | null>(BATCH).fill(null);
  text.importId.fill(importId);
  text.file.fill(file);
  return {
    text,
    line: new Int32Array(BATCH),
    vesselImo: new Float64Array(BATCH),
    weightKg: new Float64Array(BATCH),
  };
}

/** The first `n` rows of a batch, in `COLUMNS` order. */
function toBatch(b: BatchColumns, n: number): ColumnBatch {
  return {
    length: n,
    columns: COLUMNS.map((c) => {
      if (c.key === 'line') return b.line.subarray(0, n);
      if (c.key === 'vesselImo') return b.vesselImo.subarray(0, n);
      if (c.key === 'weightKg') return b.weightKg.subarray(0, n);
      const col = b.text[c.key as TextKey];
      if (n < col.length) col.length = n;
      return col;
    }),
  };
}

export interface ShipmentImportOptions {
  /** CSV column → field (`--map`); unmapped columns are recognised by the default layout and synonyms. */
  map?: Record<string, ShipmentField>;
  /** Skip malformed rows (listed in the summary) instead of refusing the whole file. */
  skipBad?: boolean;
  delimiter?: string;
  onProgress?: (rows: number) => void;
}

export interface ShipmentImportSummary {
  created: boolean;
  importId: string;
  file: string;
  sha256: string;
  rows: number;
  /** Fields found in the header (field → column name). */
  columns: Record<string, string>;
  badRows: BadRow[];
}

/** How many bad rows a refusal names (the rest are counted). */
const BAD_SHOWN = 5;

export async function importShipments(
  store: Store,
  file: string,
  opts: ShipmentImportOptions = {},
): Promise<ShipmentImportSummary> {
  await assertReadable(file);
  const sha = await sha256File(file);
  const importId = `trade-shipments@${sha.slice(0, 16)}`;
  const prior = await store.findImport(SHIPMENT_IMPORT_KIND, sha);
  if (prior) {
    return {
      created: false,
      importId: prior.id,
      file,
      sha256: sha,
      rows: prior.rowCount,
      columns: (prior.details?.columns as Record<string, string>) ?? {},
      badRows: [],
    };
  }
  const base = path.basename(file);
  const badRows: BadRow[] = [];
  let header: string[] | undefined;
  let cols: Partial<Record<ShipmentField, number>> = {};
  let rows = 0;
  // The CSV is parsed chunk by chunk (1 MiB of text) straight into column batches: one await per chunk, not
  // per record.
  const parser = new CsvParser({ name: file, delimiter: opts.delimiter });
  async function* batches(): AsyncGenerator<ColumnBatch> {
    let buf = newBatch(importId, base);
    let k = 0;
    const take = (rec: CsvRecord): void => {
      if (!header) {
        header = rec.fields;
        cols = resolveShipmentColumns(header, opts.map);
        const known = Object.keys(cols);
        const parties = ['shipper', 'consignee', 'notify_party'].filter((f) => known.includes(f));
        const goods = ['hs_code', 'description'].filter((f) => known.includes(f));
        if (parties.length === 0 && goods.length === 0)
          throw new InputError(
            `${file}:1: no shipper, consignee, notify_party, hs_code or description column (columns: ${printable(
              header.join(', '),
              100,
            )}); map them with --map column=field`,
          );
        return;
      }
      if (rec.fields.length === 1 && rec.fields[0]!.trim() === '') return;
      try {
        parseRowInto(rec.fields, cols, buf, k);
      } catch (err) {
        badRows.push({ where: `${file}:${rec.line}`, reason: (err as Error).message });
        return;
      }
      buf.line[k] = rec.line;
      buf.text.rowSha256[k] = rowSha256(rec.fields);
      k++;
      rows++;
    };
    const full = function* (records: CsvRecord[]): Generator<ColumnBatch> {
      for (const rec of records) {
        take(rec);
        if (k === BATCH) {
          yield toBatch(buf, k);
          buf = newBatch(importId, base);
          k = 0;
          opts.onProgress?.(rows);
        }
      }
    };
    for await (const chunk of fileTextChunks(file)) yield* full(parser.push(chunk));
    yield* full(parser.end());
    if (k > 0) yield toBatch(buf, k);
    opts.onProgress?.(rows);
  }
  await store.db.transaction(async (tx) => {
    await tx.bulkInsert('trade_shipments', COLUMNS, batches());
    if (!header) throw new InputError(`${file}: empty file (expected a header row)`);
    if (badRows.length > 0 && !opts.skipBad) {
      const shown = badRows
        .slice(0, BAD_SHOWN)
        .map((b) => `${b.where}: ${b.reason}`)
        .join('; ');
      const more = badRows.length > BAD_SHOWN ? ` (and ${badRows.length - BAD_SHOWN} more)` : '';
      throw new InputError(`${shown}${more}; nothing imported (fix the rows or use --skip-bad)`);
    }
    if (rows === 0) throw new InputError(`${file}: no shipment rows`);
    await store.recordImport({
      id: importId,
      kind: SHIPMENT_IMPORT_KIND,
      location: path.resolve(file),
      sha256: sha,
      importedAt: new Date().toISOString(),
      rowCount: rows,
      details: { columns: columnNames(header, cols), badRows: badRows.length },
    });
  });
  return { created: true, importId, file, sha256: sha, rows, columns: columnNames(header!, cols), badRows };
}

function columnNames(header: string[], cols: Partial<Record<ShipmentField, number>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of SHIPMENT_FIELDS) if (cols[f] !== undefined) out[f] = header[cols[f]!]!;
  return out;
}

/** Row of trade_shipments → Shipment. */
export function shipmentFromRow(r: Row): Shipment {
  const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    importId: String(r.import_id),
    file: String(r.file),
    line: Number(r.line),
    rowSha256: String(r.row_sha256),
    reference: s(r.reference),
    docType: s(r.doc_type),
    docDate: s(r.doc_date),
    shipper: s(r.shipper),
    shipperAddress: s(r.shipper_address),
    shipperCountry: s(r.shipper_country),
    consignee: s(r.consignee),
    consigneeAddress: s(r.consignee_address),
    consigneeCountry: s(r.consignee_country),
    notifyParty: s(r.notify_party),
    notifyAddress: s(r.notify_address),
    notifyCountry: s(r.notify_country),
    hsCode: s(r.hs_code),
    description: s(r.description),
    origin: s(r.origin),
    originCode: s(r.origin_code),
    destination: s(r.destination),
    destinationCode: s(r.destination_code),
    portLoading: s(r.port_loading),
    portDischarge: s(r.port_discharge),
    vesselName: s(r.vessel_name),
    vesselImo: n(r.vessel_imo),
    departureDate: s(r.departure_date),
    arrivalDate: s(r.arrival_date),
    weightKg: n(r.weight_kg),
    value: s(r.value),
    currency: s(r.currency),
  };
}

/**
 * Stream the stored shipments (all imports, or one), in pages, in import and line order. Pages are line ranges of
 * one import: rows are written in line order, so DuckDB's zone maps skip every row group outside the range and a
 * page costs its own rows, not a sort of the table (PostgreSQL uses the (import_id, line) index).
 */
export async function* storedShipments(db: Db, importId?: string, pageSize = 20_000): AsyncGenerator<Shipment[]> {
  const ids = importId
    ? [importId]
    : (await db.query('SELECT DISTINCT import_id FROM trade_shipments ORDER BY import_id')).map((r) =>
        String(r.import_id),
      );
  for (const id of ids) {
    const range = await db.query('SELECT min(line) AS lo, max(line) AS hi FROM trade_shipments WHERE import_id = $1', [
      id,
    ]);
    if (range[0]?.lo === null || range[0]?.lo === undefined) continue;
    const hi = Number(range[0].hi);
    for (let from = Number(range[0].lo); from <= hi; from += pageSize) {
      const rows = await db.query(
        'SELECT * FROM trade_shipments WHERE import_id = $1 AND line >= $2 AND line < $3 ORDER BY line',
        [id, from, from + pageSize],
      );
      if (rows.length > 0) yield rows.map(shipmentFromRow);
    }
  }
}

/** An unreadable input is the user's to fix: say so with the path, not with a raw ENOENT. */
export async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new InputError(`${file}: cannot read the file`);
  }
}
