import type { Migration } from '../db.js';

/** Core tables: statements, list versions, findings, imports. Filled in by the store implementation. */
export const coreMigrations: Migration[] = [];
