import { dataPath } from '../paths.js';
import type { Store } from '../store/store.js';
import { exposureFromStore, importAttribution, importTransferFile, traceFromStore } from './service.js';

const RONIN_EXPLOITER = '0x098B716B8Aaf21512996dC57EB0615e2383E2f96';

/**
 * Load the bundled crypto attribution (OFAC SDN addresses, FBI Lazarus addresses, GraphSense TagPacks) and the
 * Lazarus / Ronin transfers sample, and store a forward trace finding from the Ronin exploiter; one line per thing
 * loaded.
 */
export async function seedCryptoDemo(store: Store): Promise<string[]> {
  const lines: string[] = [];
  const a = await importAttribution(store);
  lines.push(
    `crypto attribution: ${a.tags.toLocaleString('en-US')} tags (${Object.keys(a.sources).length} sources, ${a.entities} SDN entities)${a.created ? '' : ' (already loaded)'}`,
  );
  const f = await importTransferFile(store, dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv'));
  lines.push(
    `crypto transfers: ${f.transfers} Lazarus / Ronin ETH transfers (2022)${f.created ? '' : ' (already loaded)'}`,
  );
  const t = await traceFromStore(store, {
    chain: 'eth',
    from: [RONIN_EXPLOITER],
    method: 'haircut',
    hops: 4,
    save: true,
  });
  lines.push(
    `crypto trace: Ronin exploiter → ${t.listedReached.length} other listed Lazarus addresses, ${t.counts.edges} transfers (finding stored)`,
  );
  const e = await exposureFromStore(store, '0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073', { save: true });
  lines.push(
    `crypto exposure: ${e.targets[0]} ${(e.share * 100).toFixed(1)}% of ${e.received} ETH received from listed sources`,
  );
  return lines;
}
