import path from 'node:path';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { seedCryptoDemo } from '../../src/crypto/demo.js';
import { importNmeaFile } from '../../src/ingest/ais-nmea.js';
import { importList } from '../../src/lists/import.js';
import { dataPath } from '../../src/paths.js';
import { resolveStore } from '../../src/resolve/run.js';
import { openStore } from '../../src/store/open.js';

/**
 * A store for the MCP tests, from real inputs: OFAC's 2024 SDN list (YU JONG 2, IMO 8604917; LAZARUS GROUP), the
 * UN consolidated list and the UK OFSI DPRK list (same UN references: merged), the simulator's NMEA whose DPRK
 * tanker reports IMO 8604917, the Lazarus/Ronin transfers with their stored trace, and one case citing the vessel.
 */
export async function seedMcpStore(file: string): Promise<{ caseId: string }> {
  const store = await openStore({ url: file });
  try {
    await importList(store, dataPath('sanctions', 'ofac', 'sdn_csv_2024-05-03', 'sdn.csv'), { format: 'ofac-csv' });
    await importList(store, dataPath('sanctions', 'un', 'un_sc_consolidated_2026-02-27.xml'));
    await importList(store, dataPath('sanctions', 'uk', 'uk_ofsi_dprk_2026-08-22.yaml'));
    await importNmeaFile(store, path.join('test', 'fixtures', 'maritime', 'sim-yellow-sea-seed3-15min.nmea'));
    await seedCryptoDemo(store);
    await resolveStore(store);
    const c = await createCase(store, { title: 'YU JONG 2 ship-to-ship transfers', summary: 'MCP test case' });
    await addCaseItem(store, c.id, { kind: 'entity', ref: 'ofac-23736' });
    await addCaseItem(store, c.id, { kind: 'note', ref: 'IMO 8604917 broadcast by the simulated tanker' });
    return { caseId: c.id };
  } finally {
    await store.close();
  }
}
