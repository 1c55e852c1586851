import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = path.join(ROOT, 'test', 'support', 'cli-entry.ts');

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(ext))
      newest = Math.max(newest, statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

let entryArgs: string[] | undefined;

/**
 * The node arguments that start the CLI: the compiled one users run (bin/watchkeeper.js) when dist/ was built
 * after the last change to src/ (`npm ci` builds it, as in CI), otherwise the TypeScript sources through tsx, so
 * a test never runs stale code. The compiled CLI starts in about a third of the CPU time tsx takes.
 */
export function cliEntry(): string[] {
  if (!entryArgs) {
    let fresh = false;
    try {
      fresh = newestMtime(path.join(ROOT, 'dist'), '.js') >= newestMtime(path.join(ROOT, 'src'), '.ts');
    } catch {
      fresh = false;
    }
    entryArgs = fresh ? [path.join(ROOT, 'bin', 'watchkeeper.js')] : ['--import', 'tsx', ENTRY];
  }
  return entryArgs;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the real CLI in a child process (see cliEntry). Resolves when the process exits.
 */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliEntry(), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}
