import { InputError } from '../errors.js';

/**
 * The column mapping of shipment files. A file whose header uses the default layout (the field names below) or one
 * of the recognised synonyms needs no mapping; any other header is mapped with `--map column=field` (repeatable or
 * comma-separated). docs/trade.md lists the fields and synonyms.
 */
export const SHIPMENT_FIELDS = [
  'reference',
  'doc_type',
  'doc_date',
  'shipper',
  'shipper_address',
  'shipper_country',
  'consignee',
  'consignee_address',
  'consignee_country',
  'notify_party',
  'notify_address',
  'notify_country',
  'hs_code',
  'description',
  'origin',
  'destination',
  'port_loading',
  'port_discharge',
  'vessel_name',
  'vessel_imo',
  'departure_date',
  'arrival_date',
  'weight_kg',
  'value',
  'currency',
] as const;
export type ShipmentField = (typeof SHIPMENT_FIELDS)[number];

/** Header names recognised without a mapping (compared lower case, spaces and dashes as "_"). */
export const SHIPMENT_SYNONYMS: Record<ShipmentField, string[]> = {
  reference: [
    'reference',
    'bl',
    'bl_no',
    'bl_number',
    'bill_of_lading',
    'b_l_no',
    'bol',
    'declaration_no',
    'declaration_number',
    'manifest_no',
    'ref',
  ],
  doc_type: ['doc_type', 'document_type', 'record_type', 'type'],
  doc_date: ['doc_date', 'date', 'declaration_date', 'bl_date', 'issue_date'],
  shipper: ['shipper', 'shipper_name', 'exporter', 'consignor', 'seller'],
  shipper_address: ['shipper_address', 'exporter_address', 'consignor_address'],
  shipper_country: ['shipper_country', 'exporter_country', 'consignor_country'],
  consignee: ['consignee', 'consignee_name', 'importer', 'buyer'],
  consignee_address: ['consignee_address', 'importer_address'],
  consignee_country: ['consignee_country', 'importer_country'],
  notify_party: ['notify_party', 'notify', 'notify_name'],
  notify_address: ['notify_address', 'notify_party_address'],
  notify_country: ['notify_country', 'notify_party_country'],
  hs_code: ['hs_code', 'hs', 'hscode', 'commodity_code', 'tariff_code', 'hts'],
  description: ['description', 'goods_description', 'goods', 'commodity', 'cargo', 'cargo_description'],
  origin: ['origin', 'country_of_origin', 'origin_country'],
  destination: ['destination', 'country_of_destination', 'destination_country'],
  port_loading: ['port_loading', 'port_of_loading', 'pol', 'loading_port'],
  port_discharge: ['port_discharge', 'port_of_discharge', 'pod', 'discharge_port'],
  vessel_name: ['vessel_name', 'vessel', 'ship', 'ship_name'],
  vessel_imo: ['vessel_imo', 'imo', 'imo_number'],
  departure_date: ['departure_date', 'loading_date', 'sailing_date', 'etd', 'shipped_on_board'],
  arrival_date: ['arrival_date', 'discharge_date', 'eta'],
  weight_kg: ['weight_kg', 'weight', 'gross_weight_kg', 'net_weight_kg', 'gross_weight'],
  value: ['value', 'invoice_value', 'declared_value', 'customs_value'],
  currency: ['currency', 'value_currency'],
};

/** The header key of a column: trimmed, lower case, BOM dropped, runs of spaces, dashes and slashes as "_". */
export function headerKey(h: string): string {
  return h
    .replace(/^\ufeff/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s\-/.]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Parse `col=field` items (each may hold a comma-separated list), as `--map` takes them. */
export function parseShipmentMap(items: readonly string[]): Record<string, ShipmentField> {
  const out: Record<string, ShipmentField> = {};
  for (const item of items) {
    for (const part of item.split(',')) {
      const p = part.trim();
      if (!p) continue;
      const eq = p.lastIndexOf('=');
      if (eq <= 0) throw new InputError(`--map: "${p}" is not column=field`);
      const col = p.slice(0, eq).trim();
      const field = p.slice(eq + 1).trim() as ShipmentField;
      if (!SHIPMENT_FIELDS.includes(field))
        throw new InputError(`--map: unknown field "${field}" (one of ${SHIPMENT_FIELDS.join(', ')})`);
      out[col] = field;
    }
  }
  return out;
}

/**
 * Column index per field for a header row: the explicit mapping first (by the column's exact or normalised
 * name), then the default layout and synonyms for fields the mapping does not name.
 */
export function resolveShipmentColumns(
  header: string[],
  map: Record<string, ShipmentField> = {},
): Partial<Record<ShipmentField, number>> {
  const cols: Partial<Record<ShipmentField, number>> = {};
  const mapped = new Set(Object.values(map));
  const mapByKey = new Map(Object.entries(map).map(([c, f]) => [headerKey(c), f]));
  header.forEach((h, i) => {
    const f = map[h] ?? mapByKey.get(headerKey(h));
    if (f && cols[f] === undefined) cols[f] = i;
  });
  for (const [col, f] of Object.entries(map)) {
    if (cols[f] === undefined) throw new InputError(`--map: no column "${col}" in the header`);
  }
  header.forEach((h, i) => {
    const key = headerKey(h);
    for (const f of SHIPMENT_FIELDS) {
      if (cols[f] === undefined && !mapped.has(f) && SHIPMENT_SYNONYMS[f].includes(key)) cols[f] = i;
    }
  });
  return cols;
}
