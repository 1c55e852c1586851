import type { Migration } from '../store/db.js';

/**
 * Tables of the monitoring worker and alert delivery (range 0900-0999). Small tables with plain keys (reference
 * tables on Citus). Hot times are BIGINT epoch ms (leases, schedules); metadata times ISO-8601 text.
 *
 * - monitor_jobs: scheduled work (detection, list updates, re-screening). The id carries the schedule slot
 *   (`detect@2026-12-05T21:30:00.000Z`), so two workers enqueueing the same slot make one job; a worker claims a job
 *   with a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`), and a job whose lease ran out (its worker died) is claimed
 *   again.
 * - monitor_feeds: one row per live feed: the durable cursor (the latest feed time committed), counters, and the
 *   worker that holds it.
 * - monitor_workers: a heartbeat per running worker (for /readyz and /metrics).
 * - alert_subscriptions: who gets which alerts where (webhook or e-mail), with filters.
 * - alert_deliveries: the outbox, one row per (alert, subscription): its state, attempts and next attempt.
 */
const SQL = `
CREATE TABLE IF NOT EXISTS monitor_jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  run_after BIGINT NOT NULL,
  attempts INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  last_error TEXT,
  result TEXT
);
CREATE INDEX IF NOT EXISTS monitor_jobs_state ON monitor_jobs (state, run_after);
CREATE TABLE IF NOT EXISTS monitor_feeds (
  feed_id TEXT PRIMARY KEY,
  cursor_ms BIGINT,
  messages BIGINT NOT NULL,
  positions BIGINT NOT NULL,
  batches BIGINT NOT NULL,
  owner TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS monitor_workers (
  worker_id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  heartbeat_ms BIGINT NOT NULL,
  detect_lag_ms BIGINT
);
CREATE TABLE IF NOT EXISTS alert_subscriptions (
  id TEXT PRIMARY KEY,
  user_id TEXT,
  channel TEXT NOT NULL,
  target TEXT NOT NULL,
  secret TEXT,
  watch_ids TEXT,
  kinds TEXT,
  min_severity TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_deliveries (
  id TEXT PRIMARY KEY,
  alert_id TEXT NOT NULL,
  subscription_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_ms BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at TEXT NOT NULL,
  delivered_at TEXT,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS alert_deliveries_state ON alert_deliveries (state, next_attempt_ms);
`;

export const monitorMigrations: Migration[] = [
  {
    id: '0900_monitor',
    description: 'monitoring worker: jobs with leases, feed cursors, worker heartbeats; alert subscriptions and outbox',
    sql: SQL,
  },
];
