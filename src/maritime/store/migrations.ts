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

/**
 * 0201: the per-row TEXT columns of `positions` become integers (DuckDB handles a string per row on every bulk load,
 * about a third of the load's cost): `class` is 1 for 'A', 2 for 'B' (NULL unknown), and `import_id` becomes
 * `import_key`, a key into `position_imports` (import_key -> import_id, the id in the imports log). New keys come
 * from `position_import_seq` (1, 2, ...); positions stored before this migration keep their import as a negative
 * key. The table is rebuilt (CREATE + INSERT ... SELECT + RENAME: the same SQL on both engines).
 */
const positionColumns0201 = `
  mmsi INTEGER NOT NULL,
  ts BIGINT NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  sog REAL,
  cog REAL,
  heading SMALLINT,
  nav_status SMALLINT,
  msg_type SMALLINT NOT NULL,
  class SMALLINT,
  import_key INTEGER`;
const integerColumns = `
CREATE SEQUENCE position_import_seq START 1;
CREATE TABLE position_imports (import_key INTEGER NOT NULL, import_id TEXT NOT NULL);
INSERT INTO position_imports (import_key, import_id)
  SELECT -CAST(row_number() OVER (ORDER BY import_id) AS INTEGER), import_id
  FROM (SELECT DISTINCT import_id FROM positions WHERE import_id IS NOT NULL) d;
CREATE TABLE positions_0201 (${positionColumns0201}
);
INSERT INTO positions_0201 (mmsi, ts, lat, lon, sog, cog, heading, nav_status, msg_type, class, import_key)
  SELECT p.mmsi, p.ts, p.lat, p.lon, p.sog, p.cog, p.heading, p.nav_status, p.msg_type,
         CASE p.class WHEN 'A' THEN 1 WHEN 'B' THEN 2 END, i.import_key
  FROM positions p LEFT JOIN position_imports i ON i.import_id = p.import_id;
DROP TABLE positions;
ALTER TABLE positions_0201 RENAME TO positions;
`;

/**
 * 0202: raw provenance. Each position row records the line of its file (1-based; for a multi-sentence message the
 * line of its last sentence; 0 when the source has no lines, e.g. a live feed or a simulation), so a finding's
 * evidence resolves to the exact raw sentence through `position_imports` -> the imports log (file, sha256) -> line.
 * Added last, so bulk loads that append in column order (POSITION_COLUMNS) keep working; older rows read NULL.
 */
const lineColumn = 'ALTER TABLE positions ADD COLUMN line INTEGER;';

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
  {
    id: '0201_ais_position_integers',
    description: 'positions: class as a small integer, import_id as an integer key into position_imports',
    sql: {
      duckdb: integerColumns,
      postgres: `${integerColumns}
CREATE INDEX positions_mmsi_ts_idx ON positions (mmsi, ts);
CREATE INDEX positions_ts_idx ON positions (ts);
CREATE INDEX positions_import_idx ON positions (import_key);
CREATE INDEX position_imports_id_idx ON position_imports (import_id);
`,
    },
  },
  {
    id: '0202_ais_position_line',
    description: 'positions.line: the line of the source file each position came from (raw provenance)',
    sql: { duckdb: lineColumn, postgres: lineColumn },
  },
];
