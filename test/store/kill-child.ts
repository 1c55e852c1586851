/**
 * Child process for the kill test (test/store/kill.test.ts): opens the store, starts one large import inside a
 * transaction (a delete, an insert and an endless bulk load) and reports progress on stdout until the parent
 * kills it with SIGKILL. Never finishes on its own (stops after 50 M rows as a safety net).
 *
 *   node --import tsx test/store/kill-child.ts <store url> <table>
 */

import type { ColumnBatch, ColumnSpec } from '../../src/store/db.js';
import { openDb } from '../../src/store/open.js';

const [url, table] = process.argv.slice(2);
if (!url || !table) throw new Error('usage: kill-child.ts <url> <table>');

const COLUMNS: ColumnSpec[] = [
  { name: 'mmsi', type: 'int' },
  { name: 'ts', type: 'bigint' },
  { name: 'lat', type: 'double' },
  { name: 'lon', type: 'double' },
  { name: 'note', type: 'text' },
];

function* batches(): Generator<ColumnBatch> {
  // One 50 k-row batch built once and re-sent: the point is volume, not variety.
  const n = 50_000;
  const mmsi = new Int32Array(n);
  const ts = new BigInt64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const note: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    mmsi[i] = 900_000_000 + (i % 500);
    ts[i] = BigInt(1_700_000_000_000 + i * 1000);
    lat[i] = 30 + (i % 900) / 100;
    lon[i] = 120 + (i % 700) / 100;
    note[i] = `killed-import-row-${i}`;
  }
  let written = 0;
  for (let b = 0; b < 1000; b++) {
    yield { length: n, columns: [mmsi, ts, lat, lon, note] };
    written += n;
    process.stdout.write(`rows ${written}\n`);
  }
}

const db = await openDb(url);
await db.transaction(async (tx) => {
  await tx.query(`DELETE FROM ${table} WHERE mmsi < $1`, [100]);
  await tx.query(`INSERT INTO ${table} (mmsi, ts, lat, lon, note) VALUES ($1, $2, $3, $4, $5)`, [1, 1, 0, 0, 'marker']);
  process.stdout.write('started\n');
  await tx.bulkInsert(table, COLUMNS, batches());
});
process.stdout.write('committed\n');
await db.close();
