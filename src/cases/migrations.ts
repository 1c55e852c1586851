import type { Migration } from '../store/db.js';

/** Tables for cases, case items, watchlists and alerts. Ids in this module's range (see store/migrations/index.ts). */
export const casesMigrations: Migration[] = [];
