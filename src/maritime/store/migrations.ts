import type { Migration } from '../../store/db.js';

/**
 * Tables for AIS positions, static data and vessel identity history (owned by the AIS ingestion module; read by
 * maritime detection with exactly these column names and units: sog knots, cog/heading degrees, draught metres,
 * ts epoch ms UTC, NULL where AIS says "not available").
 *
 * No unique constraints (Citus: positions distribute by mmsi). DuckDB gets no secondary indexes (its min/max zone
 * maps serve range scans, and ART indexes would slow the bulk appends); PostgreSQL gets B-tree indexes.
 */
const tables = `
CREATE TABLE positions (
  mmsi INTEGER NOT NULL,
  ts BIGINT NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  sog REAL,
  cog REAL,
  heading SMALLINT,
  nav_status SMALLINT,
  msg_type SMALLINT NOT NULL,
  class TEXT,
  import_id TEXT
);
CREATE TABLE vessel_static (
  mmsi INTEGER NOT NULL,
  ts BIGINT NOT NULL,
  imo INTEGER,
  name TEXT,
  callsign TEXT,
  ship_type SMALLINT,
  to_bow SMALLINT,
  to_stern SMALLINT,
  to_port SMALLINT,
  to_starboard SMALLINT,
  draught REAL,
  destination TEXT,
  eta TEXT,
  import_id TEXT
);
CREATE TABLE vessel_identity (
  mmsi INTEGER NOT NULL,
  name TEXT,
  callsign TEXT,
  imo INTEGER,
  ship_type SMALLINT,
  flag TEXT,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  messages INTEGER NOT NULL
);
`;

const smallIndexes = `
CREATE INDEX vessel_static_mmsi_idx ON vessel_static (mmsi, ts);
CREATE INDEX vessel_identity_mmsi_idx ON vessel_identity (mmsi);
CREATE INDEX vessel_identity_imo_idx ON vessel_identity (imo);
`;

export const aisMigrations: Migration[] = [
  {
    id: '0200_ais',
    description: 'AIS positions, static/voyage data and vessel identity history',
    sql: {
      duckdb: tables,
      postgres: `${tables + smallIndexes}
CREATE INDEX positions_mmsi_ts_idx ON positions (mmsi, ts);
CREATE INDEX positions_ts_idx ON positions (ts);
CREATE INDEX positions_import_idx ON positions (import_id);
`,
    },
  },
];
