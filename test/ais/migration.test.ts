import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { track } from '../../src/maritime/store/repository.js';
import { loadPositions } from '../../src/maritime/tracks/load.js';
import { dataPath } from '../../src/paths.js';
import { ALL_MIGRATIONS } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-ais-migration-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 0201_ais_position_integers', () => {
  it('turns stored class letters into codes and import ids into keys, and later imports get new keys', async () => {
    const url = path.join(dir, 'old.duckdb');
    // A store as it was before 0201: class and import_id as text on every row.
    const old = await openStore({ url, migrations: ALL_MIGRATIONS.filter((m) => m.id < '0201') });
    await old.db.exec(`INSERT INTO positions (mmsi, ts, lat, lon, sog, cog, heading, nav_status, msg_type, class, import_id)
      VALUES (211000001, 1000, 54.5, 10.25, 5.5, 90, 91, 0, 1, 'A', 'ais-nmea@aaaa'),
             (211000001, 2000, 54.6, 10.5, NULL, NULL, NULL, NULL, 18, 'B', 'ais-nmea@bbbb'),
             (211000002, 3000, 55.0, 11.0, 1, 2, 3, 5, 27, NULL, NULL)`);
    await old.close();
    const store = await openStore({ url });
    try {
      const rows = await store.db.query(
        'SELECT p.mmsi, p.ts, p.class, p.import_key, i.import_id FROM positions p LEFT JOIN position_imports i ON i.import_key = p.import_key ORDER BY p.ts',
      );
      expect(rows.map((r) => [Number(r.ts), r.class === null ? null : Number(r.class), r.import_id])).toEqual([
        [1000, 1, 'ais-nmea@aaaa'],
        [2000, 2, 'ais-nmea@bbbb'],
        [3000, null, null],
      ]);
      // Keys of the rows migrated are negative; new imports count up from 1.
      expect(rows.slice(0, 2).every((r) => Number(r.import_key) < 0)).toBe(true);
      const t = await track(store.db, 211000001);
      expect(t.map((p) => [p.ts, p.class, p.sog, p.heading])).toEqual([
        [1000, 'A', 5.5, 91],
        [2000, 'B', null, null],
      ]);
      const r = await importNmeaFile(store, dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'));
      const [k] = await store.db.query('SELECT import_key FROM position_imports WHERE import_id = $1', [r.importId]);
      expect(Number(k!.import_key)).toBe(1);
      const [c] = await store.db.query('SELECT count(*) AS n FROM positions WHERE import_key = 1');
      expect(Number(c!.n)).toBe(2965);
      // The track loader reads each fix's import id back through position_imports.
      const loaded = await loadPositions(store.db, { mmsis: [211000001] });
      expect(loaded.length).toBe(2);
      expect([...loaded.sources].sort()).toEqual(['ais-nmea@aaaa', 'ais-nmea@bbbb']);
    } finally {
      await store.close();
    }
  });
});
