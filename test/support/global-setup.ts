import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    demoSnapshotDir: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The test files that start from a demo snapshot (they call copyDemoStore or ask the browser harness for one). */
function snapshotUsers(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts') && /copyDemoStore\(|from: '(demo|lists)'/.test(readFileSync(p, 'utf8')))
        out.push(path.relative(ROOT, p));
    }
  };
  walk(path.join(ROOT, 'test'));
  return out;
}

/** True when this run includes a snapshot user: no file filters on the command line, or a filter that names one. */
function runNeedsSnapshots(): boolean {
  const i = process.argv.findIndex(
    (a) => a === 'run' || a === 'watch' || a.endsWith('vitest') || a.endsWith('vitest.mjs'),
  );
  const filters = process.argv.slice(i + 1).filter((a) => !a.startsWith('-') && a !== 'run' && a !== 'watch');
  if (filters.length === 0) return true;
  return snapshotUsers().some((f) => filters.some((x) => f.includes(x.replace(/^\.\//, ''))));
}

/**
 * One directory per test run for the demo snapshots (test/support/demo-store.ts), removed at the end. When the run
 * includes a file that starts from one, a background process starts building them at once, beside the tests.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'wk-demo-snapshots-'));
  project.provide('demoSnapshotDir', dir);
  let builder: ChildProcess | undefined;
  if (runNeedsSnapshots()) {
    const log = openSync(path.join(dir, 'build.log'), 'a');
    builder = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/support/build-demo-snapshots.ts'), dir],
      { cwd: ROOT, stdio: ['ignore', log, log] },
    );
  }
  return () => {
    if (builder && builder.exitCode === null) builder.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
}
