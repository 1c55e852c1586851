import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { readCsvFile } from '../ingest/csv.js';
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

/** sha256 of a row: its fields joined as one RFC 4180 CSV line (quotes only where needed), no line break. */
export function rowSha256(fields: string[]): string {
  const line = fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
  return createHash('sha256').update(line).digest('hex');
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

/** Parse one row into a Shipment; throws a message (no location) when a field is malformed. */
function parseRow(
  fields: string[],
  cols: Partial<Record<ShipmentField, number>>,
): Omit<Shipment, 'importId' | 'file' | 'line' | 'rowSha256'> {
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
  const out = {
    reference: get('reference'),
    docType: get('doc_type'),
    docDate: date('doc_date'),
    shipper: get('shipper'),
    shipperAddress: get('shipper_address'),
    shipperCountry: countryIso2(get('shipper_country')),
    consignee: get('consignee'),
    consigneeAddress: get('consignee_address'),
    consigneeCountry: countryIso2(get('consignee_country')),
    notifyParty: get('notify_party'),
    notifyAddress: get('notify_address'),
    notifyCountry: countryIso2(get('notify_country')),
    hsCode: hs,
    description: get('description'),
    origin: get('origin'),
    originCode: countryIso2(get('origin')),
    destination: get('destination'),
    destinationCode: countryIso2(get('destination')),
    portLoading: get('port_loading'),
    portDischarge: get('port_discharge'),
    vesselName: get('vessel_name'),
    vesselImo: imo,
    departureDate: date('departure_date'),
    arrivalDate: date('arrival_date'),
    weightKg: weight,
    value,
    currency,
  };
  if (!out.shipper && !out.consignee && !out.notifyParty && !out.hsCode && !out.description && !out.vesselName && !imo)
    throw new Error('no party, goods or vessel in the row');
  return out;
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

function toBatch(rows: Shipment[]): ColumnBatch {
  return { length: rows.length, columns: COLUMNS.map((c) => rows.map((r) => r[c.key] as string | number | null)) };
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
  const records = readCsvFile(file, { delimiter: opts.delimiter });
  async function* batches(): AsyncGenerator<ColumnBatch> {
    let buf: Shipment[] = [];
    for await (const rec of records) {
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
        continue;
      }
      if (rec.fields.length === 1 && rec.fields[0]!.trim() === '') continue;
      const where = `${file}:${rec.line}`;
      let parsed: ReturnType<typeof parseRow>;
      try {
        parsed = parseRow(rec.fields, cols);
      } catch (err) {
        badRows.push({ where, reason: (err as Error).message });
        continue;
      }
      buf.push({ importId, file: base, line: rec.line, rowSha256: rowSha256(rec.fields), ...parsed });
      rows++;
      if (buf.length >= BATCH) {
        yield toBatch(buf);
        buf = [];
        opts.onProgress?.(rows);
      }
    }
    if (buf.length > 0) yield toBatch(buf);
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
