import { InputError } from '../../errors.js';
import { parseCsv } from '../../ingest/csv.js';
import { CARGO_DEFAULTS, type CargoParams, type Product } from './params.js';

/**
 * Official refined-petroleum deliveries to the DPRK as Member States report them to the 1718 Committee (which
 * publishes the quantities on its "supply, sale or transfer of refined petroleum products" page). The user
 * supplies them as CSV with a header row:
 *
 *   date,reporting_state,product,quantity,unit,reference
 *   2023-01-31,Russian Federation,diesel,1250.5,tonnes,1718 Committee table 2023
 *
 * - date: ISO date (YYYY-MM-DD) of the delivery or of the reporting month;
 * - product: gasoil/diesel, gasoline/petrol, kerosene/jet, fuel_oil/fuel oil, crude, or empty (gasoil assumed);
 * - unit: barrels (bbl) or tonnes (t): tonnes become barrels with the product's barrels per tonne (params.ts);
 * - reference is optional free text. Quoted fields ("...") may contain commas.
 */

export interface OfficialDelivery {
  date: string;
  year: number;
  reportingState: string;
  product: Product;
  quantity: number;
  unit: 'barrels' | 'tonnes';
  barrels: number;
  reference: string;
  line: number;
}

const PRODUCTS: Record<string, Product> = {
  gasoil: 'gasoil',
  diesel: 'gasoil',
  'gas/diesel oil': 'gasoil',
  gasoline: 'gasoline',
  petrol: 'gasoline',
  'motor gasoline': 'gasoline',
  kerosene: 'kerosene',
  jet: 'kerosene',
  'jet fuel': 'kerosene',
  fuel_oil: 'fuel_oil',
  'fuel oil': 'fuel_oil',
  crude: 'crude',
};

export function parseOfficialDeliveries(
  text: string,
  file = 'deliveries.csv',
  params: CargoParams = CARGO_DEFAULTS,
): OfficialDelivery[] {
  const records = parseCsv(text, { name: file });
  const header = (records[0]?.fields ?? []).map((h) => h.trim().toLowerCase());
  const col = (name: string, required: boolean): number => {
    const k = header.indexOf(name);
    if (k < 0 && required) throw new InputError(`${file}:1: missing column "${name}" (see docs/cargo.md)`);
    return k;
  };
  const cDate = col('date', true);
  const cState = col('reporting_state', true);
  const cProduct = col('product', false);
  const cQty = col('quantity', true);
  const cUnit = col('unit', true);
  const cRef = col('reference', false);
  const out: OfficialDelivery[] = [];
  for (const record of records.slice(1)) {
    const f = record.fields.map((x) => x.trim());
    if (f.every((x) => x === '')) continue;
    const where = `${file}:${record.line}`;
    const date = f[cDate] ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date)))
      throw new InputError(`${where}: date "${date}" is not YYYY-MM-DD`);
    const qty = Number(f[cQty]);
    if (!(qty >= 0) || f[cQty] === '') throw new InputError(`${where}: quantity "${f[cQty]}" is not a number ≥ 0`);
    const u = (f[cUnit] ?? '').toLowerCase();
    const unit = u === 'barrels' || u === 'bbl' ? 'barrels' : u === 'tonnes' || u === 't' ? 'tonnes' : null;
    if (!unit) throw new InputError(`${where}: unit "${f[cUnit]}" must be barrels (bbl) or tonnes (t)`);
    const pRaw = cProduct >= 0 ? (f[cProduct] ?? '').toLowerCase() : '';
    const product = pRaw === '' ? params.defaultProduct : PRODUCTS[pRaw];
    if (!product)
      throw new InputError(`${where}: product "${f[cProduct]}" is not one of ${Object.keys(PRODUCTS).join(', ')}`);
    out.push({
      date,
      year: Number(date.slice(0, 4)),
      reportingState: f[cState] ?? '',
      product,
      quantity: qty,
      unit,
      barrels: unit === 'barrels' ? qty : Math.round(qty * params.barrelsPerTonne[product]),
      reference: cRef >= 0 ? (f[cRef] ?? '') : '',
      line: record.line,
    });
  }
  return out;
}
