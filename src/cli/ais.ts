import type { Command } from 'commander';

/** `watchkeeper ais ...` commands. */
export function register(_program: Command): void {}
