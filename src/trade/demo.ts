import { dataPath } from '../paths.js';
import type { Store } from '../store/store.js';
import { importComtrade } from './comtrade.js';
import { screenStore } from './screen.js';
import { importShipments } from './shipments.js';

/**
 * Demo trade data (data/trade/demo, constructed rows: see data/trade/PROVENANCE.md): eight shipment records
 * screened against the lists the demo loads first, and a Comtrade-format partner extract for the mirror
 * statistics. Returns one line per step for the console.
 */
export async function seedTradeDemo(store: Store): Promise<string[]> {
  const shipments = await importShipments(store, dataPath('trade', 'demo', 'shipments.csv'));
  const comtrade = await importComtrade(store, dataPath('trade', 'demo', 'comtrade_mirror.csv'));
  const screened = await screenStore(store);
  const byKind = Object.entries(screened.byKind)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    `trade: ${shipments.rows} shipment records (${shipments.file.split('/').pop()}), ${comtrade.rows} Comtrade rows`,
    `trade screen: ${byKind}`,
  ];
}
