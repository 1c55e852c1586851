import type { Migration } from '../../store/db.js';

/** Tables for crypto transfers, addresses and tags. Ids in this module's range (see store/migrations/index.ts). */
export const cryptoMigrations: Migration[] = [];
