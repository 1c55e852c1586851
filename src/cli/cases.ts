import type { Command } from 'commander';

/** `watchkeeper cases ...` commands. */
export function register(_program: Command): void {}
