import type { Command } from 'commander';

/** `watchkeeper crypto ...` commands. */
export function register(_program: Command): void {}
