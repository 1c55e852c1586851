import type { Migration } from '../store/db.js';

/**
 * Tables for maritime detection state. `maritime_detect_imports` is the incremental watermark: the AIS imports
 * whose positions the detectors have already seen (a new import is what makes `detect` re-run, over its time span
 * plus a look-back). `maritime_detect_runs` logs each run. `maritime_zones` holds user GeoJSON zones.
 * No uniqueness constraints (Citus-ready); ids are written once per import.
 */
export const detectionMigrations: Migration[] = [
  {
    id: '0300_maritime_detection',
    description: 'maritime detection watermark (imports seen), run log and user zones',
    sql: `
CREATE TABLE maritime_detect_imports (
  import_id TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  run_id TEXT NOT NULL
);
CREATE TABLE maritime_detect_runs (
  run_id TEXT NOT NULL,
  started_at TEXT NOT NULL,
  window_start BIGINT,
  window_end BIGINT,
  positions BIGINT NOT NULL,
  vessels INTEGER NOT NULL,
  findings INTEGER NOT NULL,
  kinds TEXT NOT NULL,
  duration_ms INTEGER NOT NULL
);
CREATE TABLE maritime_zones (
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  geojson TEXT NOT NULL,
  added_at TEXT NOT NULL
);
`,
  },
];
