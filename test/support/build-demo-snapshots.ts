// Build the demo snapshots (test/support/demo-store.ts) into the directory given, in the background of a test run.
import { snapshotFile } from './demo-store.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: build-demo-snapshots.ts DIR');
process.env.WK_DEMO_SNAPSHOT_DIR = dir;
const t = Date.now();
await snapshotFile('demo');
console.log(`demo snapshots built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
