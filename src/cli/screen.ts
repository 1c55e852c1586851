import type { Command } from 'commander';

/** `watchkeeper screen ...` commands. */
export function register(_program: Command): void {}
