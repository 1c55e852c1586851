import type { Migration } from '../store/db.js';

/**
 * Trade tables (range 0700-0799): shipment records (customs declarations, bills of lading, manifests) and
 * partner-reported trade statistics (UN Comtrade layout). Portable SQL; Citus-ready (no unique keys; shipments
 * distribute by import_id, flows by reporter_code). Values: shipment `value` is a decimal string (money, as the
 * conventions say); Comtrade `primary_value` is a statistic in USD that UNSD publishes as a floating number and is
 * only ever summed, so it is DOUBLE PRECISION.
 */
const SHIPMENTS = `
CREATE TABLE trade_shipments (
  import_id TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, row_sha256 TEXT NOT NULL,
  reference TEXT, doc_type TEXT, doc_date TEXT,
  shipper TEXT, shipper_address TEXT, shipper_country TEXT,
  consignee TEXT, consignee_address TEXT, consignee_country TEXT,
  notify_party TEXT, notify_address TEXT, notify_country TEXT,
  hs_code TEXT, description TEXT,
  origin TEXT, origin_code TEXT, destination TEXT, destination_code TEXT,
  port_loading TEXT, port_discharge TEXT,
  vessel_name TEXT, vessel_imo INTEGER,
  departure_date TEXT, arrival_date TEXT,
  weight_kg DOUBLE PRECISION, value TEXT, currency TEXT
);
CREATE TABLE trade_flows (
  import_id TEXT NOT NULL, line INTEGER NOT NULL,
  freq TEXT, ref_year INTEGER NOT NULL, ref_month INTEGER,
  reporter_code INTEGER NOT NULL, reporter_iso TEXT, reporter_desc TEXT,
  flow_code TEXT NOT NULL, partner_code INTEGER NOT NULL, partner_iso TEXT, partner_desc TEXT, partner2_code INTEGER,
  cmd_code TEXT NOT NULL, cmd_desc TEXT, aggr_level INTEGER, customs_code TEXT, mot_code INTEGER,
  qty DOUBLE PRECISION, qty_unit TEXT, net_wgt_kg DOUBLE PRECISION, primary_value_usd DOUBLE PRECISION
);
`;

export const tradeMigrations: Migration[] = [
  {
    id: '0700_trade',
    description: 'trade: shipment records and partner-reported (mirror) trade flows',
    sql: {
      duckdb: SHIPMENTS,
      postgres: `${SHIPMENTS}
CREATE INDEX trade_shipments_import_idx ON trade_shipments (import_id, line);
CREATE INDEX trade_flows_partner_idx ON trade_flows (partner_code, ref_year);
`,
    },
  },
];
