/**
 * Child process for test/store/kill-list.test.ts: opens the store and starts one endless addListVersion,
 * reporting the statements handed over on stdout until the parent kills it with SIGKILL (stops after 20 M
 * statements as a safety net).
 *
 *   node --import tsx test/store/kill-list-child.ts <store url>
 */
import type { Statement } from '../../src/model/statement.js';
import { openStore } from '../../src/store/open.js';

const [url] = process.argv.slice(2);
if (!url) throw new Error('usage: kill-list-child.ts <url>');

function* statements(): Generator<Statement> {
  for (let i = 0; i < 20_000_000; i++) {
    if (i % 20_000 === 0) process.stdout.write(`statements ${i}\n`);
    yield {
      entityId: `killed-${Math.floor(i / 8)}`,
      schema: 'Vessel',
      prop: i % 8 === 0 ? 'name' : 'alias',
      value: `killed import value ${i}`,
      source: 'kill_src',
      sourceRecord: `kill.csv:${Math.floor(i / 8)}`,
      seenAt: '2024-05-03T00:00:00.000Z',
    };
  }
}

const store = await openStore({ url });
process.stdout.write('started\n');
await store.addListVersion(
  {
    id: 'kill_src@killed',
    source: 'kill_src',
    format: 'ftm',
    url: null,
    fetchedAt: '2024-05-03T00:00:00.000Z',
    sha256: 'k',
    recordCount: 1,
  },
  statements(),
);
process.stdout.write('committed\n');
await store.close();
