import type { Migration } from '../store/db.js';

/** Tables for maritime detection state (incremental detection watermarks, zones). Ids in this module's range (see store/migrations/index.ts). */
export const detectionMigrations: Migration[] = [];
