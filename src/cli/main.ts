import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { register as registerAis } from './ais.js';
import { register as registerCases } from './cases.js';
import { register as registerCrypto } from './crypto.js';
import { register as registerEntities } from './entities.js';
import { register as registerLists } from './lists.js';
import { register as registerMaritime } from './maritime.js';
import { register as registerScreen } from './screen.js';
import { register as registerServe } from './serve.js';
import { register as registerStore } from './store.js';

/** Build the command tree. Each command group lives in its own file under cli/. */
export function buildProgram(): Command {
  const program = new Command('watchkeeper')
    .description('Watchkeeper: monitor sanctions evasion across AIS, sanctions lists and blockchains.')
    .version(VERSION)
    .option(
      '--db <url>',
      'store: a DuckDB file path or postgres://... URL (env WATCHKEEPER_DB; default ./var/watchkeeper.duckdb)',
    )
    .option('-v, --verbose', 'print stack traces and debug detail on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });
  registerServe(program);
  registerStore(program);
  registerEntities(program);
  registerLists(program);
  registerScreen(program);
  registerAis(program);
  registerMaritime(program);
  registerCrypto(program);
  registerCases(program);
  // Every subcommand reports errors the same way instead of exiting inside commander.
  const exitOverride = (cmd: Command): void => {
    cmd.exitOverride();
    for (const sub of cmd.commands) exitOverride(sub);
  };
  exitOverride(program);
  return program;
}

/** Run the CLI; resolves to the process exit code. Errors are one line on stderr unless --verbose. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its one-line message (unknown option, missing argument, --help, --version).
      return err.exitCode;
    }
    if (err instanceof UserError) {
      process.stderr.write(`watchkeeper: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
      return 1;
    }
    const e = err as Error;
    process.stderr.write(`watchkeeper: ${e?.message ?? String(err)}\n`);
    if (verbose && e?.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('watchkeeper: (run with --verbose for details)\n');
    return 1;
  }
}
