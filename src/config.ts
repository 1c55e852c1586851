import path from 'node:path';

/**
 * Configuration from the environment, with the defaults an analyst on a laptop wants. Every setting can also be
 * given on the command line where it matters (`--db`, `--port`).
 */
export interface Config {
  /** `postgres://...` for PostgreSQL; anything else is a DuckDB file path. */
  db: string;
  host: string;
  port: number;
  /** Log level for the HTTP server (pino levels). */
  logLevel: string;
}

export const DEFAULT_DB_PATH = path.join('var', 'watchkeeper.duckdb');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer 0..65535, got "${env.PORT}"`);
  }
  return {
    db: env.WATCHKEEPER_DB ?? DEFAULT_DB_PATH,
    host: env.HOST ?? '127.0.0.1',
    port,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
