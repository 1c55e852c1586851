import type { Migration } from '../../store/db.js';

/** Tables for AIS positions, static data and vessel identity history (owned by the AIS ingestion module). Ids in this module's range (see store/migrations/index.ts). */
export const aisMigrations: Migration[] = [];
