import type { Db, Migration } from './db.js';

/** Thrown when a migration's SQL fails; the message names the migration and the database's reason. */
export class MigrationError extends Error {}

const CREATE_TRACKING = `CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`;

/**
 * Apply every migration not yet recorded in schema_migrations, in id order, each in its own transaction with
 * its tracking row (so a failed migration leaves no half-applied schema). PostgreSQL takes an advisory lock so
 * two processes opening the same database at once do not race.
 */
export async function migrate(db: Db, migrations: Migration[]): Promise<string[]> {
  const sorted = [...migrations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set<string>();
  for (const m of sorted) {
    if (ids.has(m.id)) throw new MigrationError(`migration id ${m.id} is registered twice`);
    ids.add(m.id);
  }
  await db.exec(CREATE_TRACKING);
  const applied: string[] = [];
  const done = new Set((await db.query<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  for (const m of sorted) {
    if (done.has(m.id)) continue;
    const sql = typeof m.sql === 'string' ? m.sql : m.sql[db.dialect];
    try {
      await db.transaction(async (tx) => {
        if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7171001)');
        const again = await tx.query('SELECT id FROM schema_migrations WHERE id = $1', [m.id]);
        if (again.length > 0) return;
        if (sql.trim()) await tx.exec(sql);
        await tx.query('INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)', [
          m.id,
          new Date().toISOString(),
        ]);
        applied.push(m.id);
      });
    } catch (err) {
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      throw new MigrationError(`migration ${m.id} (${m.description}) failed on ${db.dialect}: ${reason}`);
    }
  }
  return applied;
}

export async function appliedMigrations(db: Db): Promise<Array<{ id: string; appliedAt: string }>> {
  const rows = await db.query<{ id: string; applied_at: string }>(
    'SELECT id, applied_at FROM schema_migrations ORDER BY id',
  );
  return rows.map((r) => ({ id: r.id, appliedAt: r.applied_at }));
}
