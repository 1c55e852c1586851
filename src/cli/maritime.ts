import type { Command } from 'commander';

/** `watchkeeper maritime ...` commands. */
export function register(_program: Command): void {}
