import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { importList } from '../../src/lists/import.js';
import { dataPath } from '../../src/paths.js';
import { canonicalEntity } from '../../src/resolve/canonical.js';
import { resolveStore } from '../../src/resolve/run.js';
import { openStore } from '../../src/store/open.js';

describe('an MMSI tied to an IMO in AIS static reports', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-resolve-ais-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('joins the AIS vessel to the listed vessel with that IMO (YU JONG 2, IMO 8604917)', async () => {
    const store = await openStore({ url: path.join(dir, 'ais.duckdb') });
    try {
      // OFAC's row for YU JONG 2 (ent_num 23736), taken from the bundled 2024 sdn.csv.
      const sdn = readFileSync(dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'), 'latin1');
      const row = sdn.split('\n').find((l) => l.startsWith('23736,'))!;
      writeFileSync(path.join(dir, 'sdn.csv'), `${row}\n`, 'latin1');
      await importList(store, path.join(dir, 'sdn.csv'), { format: 'ofac-csv' });
      // The simulator's DPRK tanker reports IMO 8604917 in its type 5 messages (test/fixtures/maritime/PROVENANCE.md).
      await importNmeaFile(store, path.join('test', 'fixtures', 'maritime', 'sim-yellow-sea-seed3-15min.nmea'));
      const ids = await store.db.query('SELECT DISTINCT mmsi FROM vessel_identity WHERE imo = 8604917');
      expect(ids).toHaveLength(1);
      const mmsi = Number(ids[0]!.mmsi);
      const r = await resolveStore(store);
      expect(r).toMatchObject({ clusters: 1, referents: 2, merges: 1, refused: 0 });
      const node = (await canonicalEntity(store, 'ofac-23736'))!;
      expect(node.referents).toEqual([`ais-${mmsi}`, 'ofac-23736']);
      expect(node.entity.schema).toBe('Vessel');
      expect(new Set(node.entity.statements.map((s) => s.source))).toEqual(new Set(['ais', 'us_ofac_sdn']));
      const auto = r.resolution!.merges[0]!;
      expect(auto.reason).toBe('same IMO 8604917 (ais, us_ofac_sdn)');
    } finally {
      await store.close();
    }
  });
});
