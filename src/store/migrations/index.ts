import { authMigrations } from '../../auth/migrations.js';
import { casesMigrations } from '../../cases/migrations.js';
import { cryptoMigrations } from '../../crypto/store/migrations.js';
import { importsMigrations } from '../../imports/migrations.js';
import { listsMigrations } from '../../lists/migrations.js';
import { detectionMigrations } from '../../maritime/detection-migrations.js';
import { aisMigrations } from '../../maritime/store/migrations.js';
import { monitorMigrations } from '../../monitor/migrations.js';
import { resolveMigrations } from '../../resolve/migrations.js';
import { tradeMigrations } from '../../trade/migrations.js';
import type { Migration } from '../db.js';
import { partitionMigrations } from '../postgres/partitions.js';
import { coreMigrations } from './core.js';
import { rateLimitMigrations } from './rate-limits.js';

/**
 * Every module's migrations, applied in id order at open. Id ranges per module keep ids unique without
 * coordination: core 0000-0099, screening/lists 0100-0199, ais 0200-0299, maritime detection 0300-0399,
 * crypto 0400-0499, cases and watchlists 0500-0599, entity resolution 0600-0699, trade 0700-0799, auth 0800-0899, monitoring and alert delivery 0900-0999, imports over HTTP 1000-1099.
 */
export const ALL_MIGRATIONS: Migration[] = [
  ...coreMigrations,
  ...listsMigrations,
  ...aisMigrations,
  ...detectionMigrations,
  ...cryptoMigrations,
  ...casesMigrations,
  ...resolveMigrations,
  ...tradeMigrations,
  ...authMigrations,
  ...rateLimitMigrations,
  ...monitorMigrations,
  ...importsMigrations,
  ...partitionMigrations,
].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
