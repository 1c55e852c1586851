import type { Command } from 'commander';

/** `watchkeeper lists ...` commands. */
export function register(_program: Command): void {}
