import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { InputError, UserError } from '../../errors.js';
import type { Finding } from '../../findings/finding.js';
import { type ComtradeImportSummary, importComtrade } from '../../trade/comtrade.js';
import { parseShipmentMap, SHIPMENT_FIELDS } from '../../trade/fields.js';
import { type MirrorReport, mirrorFromStore } from '../../trade/mirror.js';
import { screenStore, TRADE_KINDS } from '../../trade/screen.js';
import { importShipments, type Shipment, type ShipmentImportSummary, shipmentFromRow } from '../../trade/shipments.js';
import { Int, Num, Opaque, Paging, Results, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * Trade records and mirror statistics: POST /trade/shipments (import a CSV given in the body), GET /trade/shipments,
 * POST /trade/screen (screen the imported records, store the findings), POST /trade/comtrade (import a Comtrade
 * CSV) and GET /trade/mirror (the DPRK's trade as partners report it). Tag `trade`. The findings themselves are
 * also at GET /findings?kind=trade.listed_party (etc.).
 */

const tags = ['trade'];

const CSV_LIMIT = 8_000_000;

export const ShipmentImportBody = Type.Object(
  {
    csv: Type.String({ description: 'the CSV text, header row first', minLength: 1, maxLength: CSV_LIMIT }),
    name: Type.Optional(
      Type.String({ description: 'file name the evidence cites (default upload.csv)', pattern: '^[\\w.-]{1,100}$' }),
    ),
    map: Type.Optional(
      Type.Record(Type.String(), StringEnum(SHIPMENT_FIELDS), { description: 'column name → field (as --map)' }),
    ),
    skipBad: Type.Optional(Type.Boolean({ description: 'import the good rows and list the bad ones' })),
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })),
  },
  { additionalProperties: false },
);
export type ShipmentImportBody = Static<typeof ShipmentImportBody>;

export const ShipmentImportReply = Type.Object({
  created: Type.Boolean({ description: 'false when the same bytes were imported before (nothing written)' }),
  importId: Type.String(),
  file: Type.String(),
  sha256: Type.String(),
  rows: Type.Integer(),
  columns: Type.Record(Type.String(), Type.String(), { description: 'field → column name found in the header' }),
  badRows: Type.Array(Type.Object({ where: Type.String({ description: 'file:line' }), reason: Type.String() })),
});
export type ShipmentImportReply = Static<typeof ShipmentImportReply>;

export const ShipmentsQuery = Type.Object(
  {
    importId: Type.Optional(Type.String({ minLength: 1 })),
    ...Paging({ maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);
export type ShipmentsQuery = Static<typeof ShipmentsQuery>;

export const Shipments = Results(Opaque<Shipment>('one shipment record as stored (docs/trade.md)'));
export type Shipments = Static<typeof Shipments>;

export const TradeScreenBody = Type.Object(
  {
    importId: Type.Optional(Type.String({ minLength: 1, description: 'only this import' })),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'party match threshold (0.7)' })),
    voyageLeadDays: Type.Optional(Type.Number({ minimum: 0, maximum: 365 })),
    voyageDays: Type.Optional(Type.Number({ minimum: 0, maximum: 365 })),
    save: Type.Optional(Type.Boolean({ description: 'store the findings (default true)' })),
  },
  { additionalProperties: false },
);
export type TradeScreenBody = Static<typeof TradeScreenBody>;

export const TradeScreenReply = Type.Object({
  records: Type.Integer(),
  partyLookups: Type.Integer({ description: 'distinct parties looked up in the lists' }),
  byKind: Type.Record(Type.String(), Type.Integer()),
  findings: Type.Array(Opaque<Finding>('a trade.* finding')),
});
export type TradeScreenReply = Static<typeof TradeScreenReply>;

export const ComtradeImportBody = Type.Object(
  {
    csv: Type.String({
      description: 'Comtrade-format CSV (data/trade/comtrade_fields.csv)',
      minLength: 1,
      maxLength: CSV_LIMIT,
    }),
  },
  { additionalProperties: false },
);
export type ComtradeImportBody = Static<typeof ComtradeImportBody>;

export const ComtradeImportReply = Type.Object({
  created: Type.Boolean(),
  importId: Type.String(),
  file: Type.String(),
  sha256: Type.String(),
  rows: Type.Integer(),
  dprkRows: Type.Integer({ description: 'rows whose partner is the DPRK (408)' }),
});
export type ComtradeImportReply = Static<typeof ComtradeImportReply>;

export const MirrorQuery = Type.Object(
  {
    from: Type.Optional(Int({ minimum: 1960, maximum: 2100 })),
    to: Type.Optional(Int({ minimum: 1960, maximum: 2100 })),
    reporter: Type.Optional(Int({ minimum: 0, maximum: 9999, description: 'Comtrade reporter code (156 China)' })),
    barrelsPerTonne: Type.Optional(Num({ minimum: 0.1, maximum: 20 })),
  },
  { additionalProperties: false },
);
export type MirrorQuery = Static<typeof MirrorQuery>;

export const MirrorReply = Opaque<MirrorReport>(
  'totals, chapters, banned flows, refined petroleum against the cap and border modes (docs/trade.md)',
);
export type MirrorReply = Static<typeof MirrorReply>;

/** Write a request body to a temporary file, run `fn` on it, remove it. */
async function withBodyFile<T>(name: string, text: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wk-trade-'));
  const file = path.join(dir, name);
  try {
    await writeFile(file, text);
    return await fn(file);
  } catch (err) {
    // Messages name the body by its file name, never by the temporary directory.
    if (err instanceof UserError) err.message = err.message.split(`${dir}${path.sep}`).join('');
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function tradeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.post<{ Body: ShipmentImportBody; Reply: ShipmentImportReply }>(
    '/trade/shipments',
    {
      schema: {
        operationId: 'importShipments',
        summary: 'Import shipment records (customs declarations, bills of lading, manifests) from CSV',
        tags,
        body: ShipmentImportBody,
        response: { 200: ShipmentImportReply },
      },
    },
    async (req) => {
      const b = req.body;
      const map = b.map ? parseShipmentMap(Object.entries(b.map).map(([c, f]) => `${c}=${f}`)) : undefined;
      const name = b.name ?? 'upload.csv';
      const r: ShipmentImportSummary = await withBodyFile(name, b.csv, (file) =>
        importShipments(store, file, { map, skipBad: b.skipBad, delimiter: b.delimiter }),
      );
      const strip = (where: string) =>
        where.includes(`${name}:`) ? `${name}:${where.split(`${name}:`).pop()}` : where;
      return { ...r, file: name, badRows: r.badRows.map((x) => ({ where: strip(x.where), reason: x.reason })) };
    },
  );

  app.get<{ Querystring: ShipmentsQuery; Reply: Shipments }>(
    '/trade/shipments',
    {
      schema: {
        operationId: 'listShipments',
        summary: 'Imported shipment records, in import and line order',
        tags,
        querystring: ShipmentsQuery,
        response: { 200: Shipments },
      },
    },
    async (req) => {
      const q = req.query;
      const where = q.importId ? 'WHERE import_id = $1' : '';
      const rows = await store.db.query(
        `SELECT * FROM trade_shipments ${where} ORDER BY import_id, line LIMIT ${q.limit ?? 100} OFFSET ${q.offset ?? 0}`,
        q.importId ? [q.importId] : [],
      );
      return { results: rows.map(shipmentFromRow) };
    },
  );

  app.post<{ Body: TradeScreenBody; Reply: TradeScreenReply }>(
    '/trade/screen',
    {
      schema: {
        operationId: 'screenShipments',
        summary: `Screen the imported shipments (${TRADE_KINDS.join(', ')}); findings are stored unless save is false`,
        tags,
        body: TradeScreenBody,
        response: { 200: TradeScreenReply },
      },
    },
    async (req) => {
      const b = req.body ?? {};
      const r = await screenStore(store, {
        importId: b.importId,
        save: b.save,
        ...(b.threshold !== undefined ? { threshold: b.threshold } : {}),
        ...(b.voyageLeadDays !== undefined ? { voyageLeadDays: b.voyageLeadDays } : {}),
        ...(b.voyageDays !== undefined ? { voyageDays: b.voyageDays } : {}),
      });
      return { records: r.records, partyLookups: r.partyLookups, byKind: r.byKind, findings: r.findings };
    },
  );

  app.post<{ Body: ComtradeImportBody; Reply: ComtradeImportReply }>(
    '/trade/comtrade',
    {
      schema: {
        operationId: 'importComtrade',
        summary: 'Import UN Comtrade-format partner trade records from CSV',
        tags,
        body: ComtradeImportBody,
        response: { 200: ComtradeImportReply },
      },
    },
    async (req) => {
      const r: ComtradeImportSummary = await withBodyFile('comtrade.csv', req.body.csv, (file) =>
        importComtrade(store, file),
      );
      return { ...r, file: 'comtrade.csv' };
    },
  );

  app.get<{ Querystring: MirrorQuery; Reply: MirrorReply }>(
    '/trade/mirror',
    {
      schema: {
        operationId: 'tradeMirror',
        summary: "The DPRK's trade as partners report it: by year, partner and HS chapter, banned flows, border modes",
        tags,
        querystring: MirrorQuery,
        response: { 200: MirrorReply },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.from !== undefined && q.to !== undefined && q.from > q.to)
        throw new InputError(`from (${q.from}) is after to (${q.to})`);
      return mirrorFromStore(
        store,
        { fromYear: q.from, toYear: q.to, reporterCode: q.reporter },
        q.barrelsPerTonne !== undefined ? { barrelsPerTonne: q.barrelsPerTonne } : {},
      );
    },
  );
}
