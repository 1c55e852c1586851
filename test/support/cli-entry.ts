// The CLI entry used by tests: same as bin/watchkeeper.js but from the TypeScript sources.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
