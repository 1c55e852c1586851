/**
 * Child process for test/cluster/detect-queue.test.ts: a detection worker on the store at <url>. Mode "run" takes
 * units until none is left and prints its totals as JSON; mode "hang" prints `detected <unit id>` after detecting
 * its first unit, before writing it, and then waits to be killed (SIGKILL by the parent).
 *
 *   node --import tsx test/cluster/worker-child.ts <url> run|hang <lease ms>
 */
import { runWorker } from '../../src/cluster/detect-queue.js';
import { openStore } from '../../src/store/open.js';

const [url, mode, lease] = process.argv.slice(2);
if (!url || !mode) throw new Error('usage: worker-child.ts <url> run|hang <lease ms>');
const store = await openStore({ url });
const stats = await runWorker(store, {
  leaseMs: Number(lease ?? 60_000),
  afterDetect:
    mode === 'hang'
      ? async (id) => {
          process.stdout.write(`detected ${id}\n`);
          await new Promise(() => undefined);
        }
      : undefined,
});
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ...stats, cpuS: (cpu.user + cpu.system) / 1e6 })}\n`);
await store.close();
