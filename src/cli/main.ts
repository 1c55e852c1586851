import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { setProgress, stopProgress } from './progress.js';

type Register = (program: Command) => void;

/**
 * Command groups, one file each, with the top-level command names each one registers. Only the group a command
 * line needs is loaded: the groups pull in DuckDB, Fastify, viem, Playwright, ... and loading all of them costs
 * about a second of start-up, which matters for `ais decode` in a pipe. `--help` without a command loads all.
 */
const GROUPS: Array<{ names: string[]; load: () => Promise<{ register: Register }> }> = [
  { names: ['start', 'serve'], load: () => import('./serve.js') },
  { names: ['store'], load: () => import('./store.js') },
  { names: ['entities'], load: () => import('./entities.js') },
  { names: ['lists'], load: () => import('./lists.js') },
  { names: ['screen'], load: () => import('./screen.js') },
  { names: ['ais'], load: () => import('./ais.js') },
  { names: ['detect', 'findings', 'vessel', 'risk', 'zones', 'simulate', 'eval'], load: () => import('./maritime.js') },
  { names: ['crypto'], load: () => import('./crypto.js') },
  { names: ['trade'], load: () => import('./trade.js') },
  { names: ['cargo'], load: () => import('./cargo.js') },
  { names: ['cases', 'watch', 'alerts'], load: () => import('./cases.js') },
  { names: ['verify'], load: () => import('./verify.js') },
  { names: ['ownership'], load: () => import('./ownership.js') },
  { names: ['dedupe'], load: () => import('./dedupe.js') },
  { names: ['mcp'], load: () => import('./mcp.js') },
  { names: ['users', 'tokens', 'audit'], load: () => import('./users.js') },
  { names: ['groups'], load: () => import('./groups.js') },
  { names: ['worker', 'subscriptions'], load: () => import('./worker.js') },
  { names: ['cluster'], load: () => import('./cluster.js') },
];

/** Global options that take a value, so the command word after them is found correctly. */
const VALUE_OPTIONS = new Set(['--db']);

/** The first command word in argv (after node and the script), or undefined. */
function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/**
 * Build the command tree. With `argv`, only the command group it names is loaded (all of them when it names none
 * or an unknown one, so help and "unknown command" messages stay complete).
 */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command('watchkeeper')
    .description('Watchkeeper: monitor sanctions evasion across AIS, sanctions lists and blockchains.')
    .version(VERSION)
    .option(
      '--db <url>',
      'store: a DuckDB file path or postgres://... URL (env WATCHKEEPER_DB; default ./var/watchkeeper.duckdb)',
    )
    .option('-v, --verbose', 'print stack traces and debug detail on errors')
    .option('--progress', 'show progress on stderr even when it is not a terminal (on a terminal it always shows)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });
  const word = argv ? commandWord(argv.slice(2)) : undefined;
  const wanted = GROUPS.filter((g) => word !== undefined && g.names.includes(word));
  for (const group of wanted.length > 0 ? wanted : GROUPS) (await group.load()).register(program);
  // Every subcommand reports errors the same way instead of exiting inside commander.
  const exitOverride = (cmd: Command): void => {
    cmd.exitOverride();
    for (const sub of cmd.commands) exitOverride(sub);
  };
  exitOverride(program);
  program.hook('preAction', (_root, action) => {
    setProgress({ forced: action.optsWithGlobals<{ progress?: boolean }>().progress === true });
  });
  return program;
}

/**
 * Commander errors that mean the command line itself is wrong: they exit 2, as POSIX utilities and getopt-based
 * tools do for usage errors, so a script can tell "you called me wrong" (2) from "it failed" (1).
 */
const USAGE_ERRORS = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.optionMissingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.excessArguments',
  'commander.invalidArgument',
  'commander.conflictingOption',
]);

/**
 * `watchkeeper ... | head` closes stdout early: the next write fails with EPIPE. The reader has what it wanted, so
 * stop quietly (exit 0) instead of printing a stack trace. Installed once per process.
 */
let pipeGuard = false;
function stopQuietlyOnClosedStdout(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const OPTION_VALUE_ERROR = /^--[a-z][a-z0-9-]*[ :]/;

/** Run the CLI; resolves to the process exit code. Errors are one line on stderr unless --verbose. */
export async function main(argv: string[]): Promise<number> {
  stopQuietlyOnClosedStdout();
  const program = await buildProgram(argv);
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync(argv);
    stopProgress();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // An error ends the phase that was drawing, so its line is not redrawn over the error message.
    stopProgress();
    if (err instanceof CommanderError) {
      // commander has already printed its one-line message (unknown option, missing argument, --help, --version).
      // A group called without its subcommand prints its help to stderr ('commander.help' with a non-zero code).
      const helpAsError = err.code === 'commander.help' && err.exitCode !== 0;
      return USAGE_ERRORS.has(err.code) || helpAsError ? 2 : err.exitCode;
    }
    if (err instanceof UserError) {
      process.stderr.write(`watchkeeper: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
      // A bad option value is a usage error like an unknown option (exit 2): the commands name the option first
      // in such messages (`--limit: a positive integer, got "abc"`).
      return OPTION_VALUE_ERROR.test(err.message) ? 2 : 1;
    }
    const e = err as Error;
    process.stderr.write(`watchkeeper: ${e?.message ?? String(err)}\n`);
    if (verbose && e?.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('watchkeeper: (run with --verbose for details)\n');
    return 1;
  }
}
