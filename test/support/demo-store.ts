import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { seedListsDemo } from '../../src/lists/demo.js';
import { openStore } from '../../src/store/open.js';

/**
 * Seeded demo stores for tests. Seeding the bundled demo costs about a minute of CPU (the four real lists, then
 * a 410 k-position AIS simulation imported and detected), and a dozen test files need it as their starting point.
 * So each snapshot is seeded once per test run, by the same functions `watchkeeper start` uses, into a DuckDB file
 * under the run's directory; a test file gets its own copy to write to. The global setup (global-setup.ts) starts
 * building them in a background process as the run starts, when the run includes a file that uses them.
 *
 * - `lists`: `seedListsDemo` (UN, OFAC, EU and UK lists as bundled);
 * - `demo`: `seedDemo`, everything `watchkeeper start` seeds (built from a copy of `lists`).
 *
 * Whoever asks first (that background builder, or a test when run on its own) builds it under a lock directory;
 * others wait for the file to appear. A builder that died leaves its pid in the lock, so the next asker takes over.
 */
export type DemoSnapshot = 'lists' | 'demo';

function snapshotDir(): string {
  // Outside a vitest run with the global setup (one file run by hand), fall back to a per-process directory.
  const dir =
    process.env.WK_DEMO_SNAPSHOT_DIR ??
    (typeof inject === 'function' ? inject('demoSnapshotDir') : undefined) ??
    path.join(tmpdir(), `wk-demo-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid that holds a lock directory (assumed alive while it has not written it yet, or the lock just went). */
function lockOwner(lock: string): number {
  try {
    return Number(readFileSync(path.join(lock, 'pid'), 'utf8')) || process.pid;
  } catch {
    return process.pid;
  }
}

async function build(kind: DemoSnapshot, file: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  if (kind === 'demo') copyFileSync(await snapshotFile('lists'), tmp);
  const store = await openStore({ url: tmp });
  try {
    if (kind === 'lists') await seedListsDemo(store);
    else await seedDemo(store, () => {}, 'ship registry');
  } finally {
    await store.close();
  }
  rmSync(`${tmp}.wal`, { force: true });
  renameSync(tmp, file);
}

/** The path of a built snapshot, building it first if no worker has. */
export async function snapshotFile(kind: DemoSnapshot): Promise<string> {
  const file = path.join(snapshotDir(), `${kind}.duckdb`);
  const lock = `${file}.lock`;
  for (;;) {
    if (existsSync(file)) return file;
    try {
      mkdirSync(lock);
    } catch {
      if (!alive(lockOwner(lock))) rmSync(lock, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    try {
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      if (!existsSync(file)) await build(kind, file);
      return file;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** A fresh, writable copy of a demo snapshot at `file` (a DuckDB path), for the test to open. */
export async function copyDemoStore(kind: DemoSnapshot, file: string): Promise<string> {
  copyFileSync(await snapshotFile(kind), file);
  return file;
}
