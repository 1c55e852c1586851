import path from 'node:path';
import { InputError } from '../errors.js';
import { readCsvFile } from '../ingest/csv.js';
import type { ColumnBatch, ColumnSpec } from '../store/db.js';
import type { Store } from '../store/store.js';
import { sha256File } from '../util/hash.js';
import { printable } from '../util/printable.js';
import { assertReadable } from './shipments.js';

/**
 * `trade mirror --import FILE`: UN Comtrade-format trade records (the API's CSV/JSON field names, listed in
 * data/trade/comtrade_fields.csv) into trade_flows. Streamed, one transaction per file, re-imports of the same
 * bytes recognised by sha256. Columns are found by their Comtrade names (case-insensitive); a file needs at least
 * a year (refYear or period), reporterCode, flowCode, partnerCode, cmdCode and primaryValue.
 */

export const COMTRADE_IMPORT_KIND = 'trade.comtrade';

const FIELDS = {
  freq: ['freqcode'],
  refYear: ['refyear'],
  period: ['period', 'refperiodid'],
  refMonth: ['refmonth'],
  reporterCode: ['reportercode'],
  reporterIso: ['reporteriso'],
  reporterDesc: ['reporterdesc'],
  flowCode: ['flowcode'],
  partnerCode: ['partnercode'],
  partnerIso: ['partneriso'],
  partnerDesc: ['partnerdesc'],
  partner2Code: ['partner2code'],
  cmdCode: ['cmdcode'],
  cmdDesc: ['cmddesc'],
  aggrLevel: ['aggrlevel'],
  customsCode: ['customscode'],
  motCode: ['motcode'],
  motDesc: ['motdesc'],
  qty: ['qty'],
  qtyUnit: ['qtyunitabbr'],
  netWgt: ['netwgt'],
  primaryValue: ['primaryvalue'],
} as const;
type Field = keyof typeof FIELDS;

const COLUMNS: ColumnSpec[] = [
  { name: 'import_id', type: 'text' },
  { name: 'line', type: 'int' },
  { name: 'freq', type: 'text' },
  { name: 'ref_year', type: 'int' },
  { name: 'ref_month', type: 'int' },
  { name: 'reporter_code', type: 'int' },
  { name: 'reporter_iso', type: 'text' },
  { name: 'reporter_desc', type: 'text' },
  { name: 'flow_code', type: 'text' },
  { name: 'partner_code', type: 'int' },
  { name: 'partner_iso', type: 'text' },
  { name: 'partner_desc', type: 'text' },
  { name: 'partner2_code', type: 'int' },
  { name: 'cmd_code', type: 'text' },
  { name: 'cmd_desc', type: 'text' },
  { name: 'aggr_level', type: 'int' },
  { name: 'customs_code', type: 'text' },
  { name: 'mot_code', type: 'int' },
  { name: 'qty', type: 'double' },
  { name: 'qty_unit', type: 'text' },
  { name: 'net_wgt_kg', type: 'double' },
  { name: 'primary_value_usd', type: 'double' },
];

/** A mode of transport written into cmd-independent text: motDesc wins over the code when the file has it. */
export const MOT_CODES: Record<number, string> = {
  0: 'total',
  1000: 'air',
  2000: 'water',
  2100: 'sea',
  2200: 'inland waterway',
  3000: 'land',
  3100: 'rail',
  3200: 'road',
  3300: 'pipelines and cables',
  9000: 'other',
};

export interface ComtradeImportSummary {
  created: boolean;
  importId: string;
  file: string;
  sha256: string;
  rows: number;
  /** Rows whose partner is the DPRK (408), i.e. mirror data. */
  dprkRows: number;
}

const BATCH = 5000;

export async function importComtrade(
  store: Store,
  file: string,
  opts: { onProgress?: (rows: number) => void } = {},
): Promise<ComtradeImportSummary> {
  await assertReadable(file);
  const sha = await sha256File(file);
  const importId = `trade-comtrade@${sha.slice(0, 16)}`;
  const prior = await store.findImport(COMTRADE_IMPORT_KIND, sha);
  if (prior)
    return {
      created: false,
      importId: prior.id,
      file,
      sha256: sha,
      rows: prior.rowCount,
      dprkRows: Number(prior.details?.dprkRows ?? 0),
    };
  let rows = 0;
  let dprkRows = 0;
  let seenHeader = false;
  async function* batches(): AsyncGenerator<ColumnBatch> {
    const cols: Partial<Record<Field, number>> = {};
    let buf: unknown[][] = COLUMNS.map(() => []);
    let n = 0;
    for await (const rec of readCsvFile(file)) {
      if (!seenHeader) {
        seenHeader = true;
        const keys = rec.fields.map((h) =>
          h
            .replace(/^\ufeff/, '')
            .trim()
            .toLowerCase(),
        );
        for (const [f, names] of Object.entries(FIELDS) as Array<[Field, readonly string[]]>) {
          const i = keys.findIndex((k) => names.includes(k));
          if (i >= 0) cols[f] = i;
        }
        const missing = (['reporterCode', 'flowCode', 'partnerCode', 'cmdCode', 'primaryValue'] as Field[]).filter(
          (f) => cols[f] === undefined,
        );
        if (cols.refYear === undefined && cols.period === undefined) missing.unshift('refYear' as Field);
        if (missing.length > 0)
          throw new InputError(
            `${file}:1: not a Comtrade-format file: no ${missing.join(', ')} column (columns: ${printable(rec.fields.join(', '), 100)})`,
          );
        continue;
      }
      if (rec.fields.length === 1 && rec.fields[0]!.trim() === '') continue;
      const where = `${file}:${rec.line}`;
      const get = (f: Field): string | null => {
        const i = cols[f];
        const v = i === undefined ? undefined : rec.fields[i]?.trim();
        return v ? v : null;
      };
      const int = (f: Field, required = false): number | null => {
        const v = get(f);
        if (v === null) {
          if (required) throw new InputError(`${where}: ${f} is empty`);
          return null;
        }
        const x = Number(v);
        if (!Number.isInteger(x)) throw new InputError(`${where}: ${f} "${printable(v, 20)}" is not an integer`);
        return x;
      };
      const num = (f: Field): number | null => {
        const v = get(f);
        if (v === null) return null;
        const x = Number(v);
        if (!Number.isFinite(x)) throw new InputError(`${where}: ${f} "${printable(v, 20)}" is not a number`);
        return x;
      };
      let year = int('refYear');
      let month = int('refMonth');
      const period = get('period');
      if (year === null && period) {
        if (!/^\d{4}(\d{2}(\d{2})?)?$/.test(period))
          throw new InputError(`${where}: period "${printable(period, 20)}" is not YYYY or YYYYMM`);
        year = Number(period.slice(0, 4));
        if (period.length >= 6 && month === null) month = Number(period.slice(4, 6));
      }
      if (year === null) throw new InputError(`${where}: no year (refYear or period)`);
      const value = num('primaryValue');
      if (value === null) throw new InputError(`${where}: primaryValue is empty`);
      const cmd = get('cmdCode')!;
      if (!cmd) throw new InputError(`${where}: cmdCode is empty`);
      const freq = get('freq')?.toUpperCase() ?? (period && period.length === 6 ? 'M' : 'A');
      let mot = int('motCode');
      const motDesc = get('motDesc')?.toLowerCase();
      if (motDesc && mot === null)
        mot = Number(Object.entries(MOT_CODES).find(([, d]) => motDesc.includes(d))?.[0] ?? 9000);
      const partner = int('partnerCode', true)!;
      if (partner === 408) dprkRows++;
      const row = [
        importId,
        rec.line,
        freq,
        year,
        freq === 'A' ? null : month,
        int('reporterCode', true),
        get('reporterIso'),
        get('reporterDesc'),
        get('flowCode')?.toUpperCase() ?? null,
        partner,
        get('partnerIso'),
        get('partnerDesc'),
        int('partner2Code'),
        cmd.toUpperCase(),
        get('cmdDesc'),
        int('aggrLevel'),
        get('customsCode'),
        mot,
        num('qty'),
        get('qtyUnit'),
        num('netWgt'),
        value,
      ];
      if (row[8] === null) throw new InputError(`${where}: flowCode is empty`);
      for (let i = 0; i < row.length; i++) buf[i]!.push(row[i]);
      n++;
      rows++;
      if (n >= BATCH) {
        yield { length: n, columns: buf as ColumnBatch['columns'] };
        buf = COLUMNS.map(() => []);
        n = 0;
        opts.onProgress?.(rows);
      }
    }
    if (n > 0) yield { length: n, columns: buf as ColumnBatch['columns'] };
  }
  await store.db.transaction(async (tx) => {
    await tx.bulkInsert('trade_flows', COLUMNS, batches());
    if (!seenHeader) throw new InputError(`${file}: empty file (expected a Comtrade header)`);
    if (rows === 0) throw new InputError(`${file}: no trade records`);
    await store.recordImport({
      id: importId,
      kind: COMTRADE_IMPORT_KIND,
      location: path.resolve(file),
      sha256: sha,
      importedAt: new Date().toISOString(),
      rowCount: rows,
      details: { dprkRows },
    });
  });
  return { created: true, importId, file, sha256: sha, rows, dprkRows };
}
