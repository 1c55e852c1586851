/**
 * The alert outbox. `fanOut` gives every new alert one delivery row per subscription it concerns (id = hash of
 * alert and subscription, the table's key: a delivery exists once however many workers fan out); alerts a
 * subscription filters out get a 'skipped' row so they are not looked at again. `deliverDue` claims due deliveries
 * with a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two workers never send the same one), sends them and
 * records the outcome; a failure is retried with exponential backoff up to `maxAttempts`, then 'failed'.
 *
 * Once: a delivery is marked 'delivered' right after the receiver accepted it. A worker killed between the
 * receiver's acceptance and that mark sends it again when the lease runs out; the delivery id (webhook header,
 * e-mail Message-ID) is the same on every attempt, so a receiver can drop such a repeat.
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../cases/types.js';
import { getAlert } from '../cases/watch.js';
import { severityOf } from '../findings/kinds.js';
import type { Db, Row } from '../store/db.js';
import type { Store } from '../store/store.js';
import { type SmtpConfig, SmtpError, sendMail } from './smtp.js';
import { type Channel, getSubscription, SEVERITIES, type Subscription, subscriptionSecret } from './subscriptions.js';
import { postWebhook, WebhookError } from './webhook.js';

export const DELIVERY_STATES = ['pending', 'sending', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryOptions {
  owner: string;
  smtp?: SmtpConfig;
  /** First retry after this long; doubled each attempt (ms; default 30 s) up to maxBackoffMs (default 1 h). */
  backoffMs?: number;
  maxBackoffMs?: number;
  maxAttempts?: number;
  /** How long a claimed delivery is ours (ms; default 60 s). */
  leaseMs?: number;
  /** A link to the alert in the web UI is built from this (e.g. https://watchkeeper.example.org). */
  publicUrl?: string;
  webhookTimeoutMs?: number;
  onOutcome?: (o: { id: string; channel: Channel; state: DeliveryState; attempts: number; error?: string }) => void;
}

export function deliveryId(alertId: string, subscriptionId: string): string {
  return `dlv-${createHash('sha256').update(`${alertId}\u0000${subscriptionId}`).digest('hex').slice(0, 20)}`;
}

function wants(sub: Subscription, alert: Alert): boolean {
  if (sub.watchIds && !sub.watchIds.includes(alert.watchId)) return false;
  if (sub.kinds && !sub.kinds.includes(alert.findingKind)) return false;
  return SEVERITIES.indexOf(severityOf(alert.score)) >= SEVERITIES.indexOf(sub.minSeverity);
}

/** Create the delivery rows of alerts that have none yet for a subscription. Returns the number made pending. */
export async function fanOut(store: Store): Promise<number> {
  const db = store.db;
  const rows = await db.query(
    `SELECT a.id AS alert_id, s.id AS sub_id FROM alerts a CROSS JOIN alert_subscriptions s
      WHERE s.disabled = FALSE AND a.raised_at >= s.created_at
        AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.subscription_id = s.id)
      ORDER BY a.raised_at, a.id, s.id LIMIT 5000`,
  );
  let pending = 0;
  const subs = new Map<string, Subscription | null>();
  const now = new Date().toISOString();
  for (const r of rows) {
    const alertId = String(r.alert_id);
    const subId = String(r.sub_id);
    if (!subs.has(subId)) subs.set(subId, await getSubscription(db, subId));
    const sub = subs.get(subId);
    const alert = await getAlert(store, alertId);
    if (!sub || !alert) continue;
    const state: DeliveryState = wants(sub, alert) ? 'pending' : 'skipped';
    const added = await db.query(
      `INSERT INTO alert_deliveries (id, alert_id, subscription_id, channel, state, attempts, next_attempt_ms, created_at)
       VALUES ($1, $2, $3, $4, $5, 0, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [deliveryId(alertId, subId), alertId, subId, sub.channel, state, BigInt(Date.now()), now],
    );
    if (added.length > 0 && state === 'pending') pending++;
  }
  return pending;
}

interface Claimed {
  id: string;
  alertId: string;
  subscriptionId: string;
  channel: Channel;
  attempts: number;
}

async function claimDelivery(db: Db, owner: string, leaseMs: number): Promise<Claimed | null> {
  const now = Date.now();
  const lock = db.dialect === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  const rows = await db.query<Row>(
    `UPDATE alert_deliveries SET state = 'sending', lease_owner = $1, lease_until = $2, attempts = attempts + 1
      WHERE id = (SELECT id FROM alert_deliveries
                   WHERE (state = 'pending' AND next_attempt_ms <= $3) OR (state = 'sending' AND lease_until < $3)
                   ORDER BY next_attempt_ms, id LIMIT 1 ${lock})
      RETURNING id, alert_id, subscription_id, channel, attempts`,
    [owner, BigInt(now + leaseMs), BigInt(now)],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: String(r.id),
    alertId: String(r.alert_id),
    subscriptionId: String(r.subscription_id),
    channel: String(r.channel) as Channel,
    attempts: Number(r.attempts),
  };
}

/** The webhook body of an alert (also what the e-mail says, as text). */
export async function alertPayload(
  store: Store,
  deliveryIdValue: string,
  alert: Alert,
  publicUrl?: string,
): Promise<Record<string, unknown>> {
  const f = await store.getFinding(alert.findingId);
  return {
    type: 'watchkeeper.alert',
    delivery: deliveryIdValue,
    alert: { ...alert, severity: severityOf(alert.score) },
    finding: f
      ? {
          id: f.id,
          kind: f.kind,
          subjects: f.subjects,
          start: f.start,
          ...(f.end ? { end: f.end } : {}),
          score: f.score,
          redFlags: f.redFlags,
          explanation: f.explanation,
        }
      : null,
    ...(publicUrl ? { url: `${publicUrl.replace(/\/$/, '')}/findings/${encodeURIComponent(alert.findingId)}` } : {}),
  };
}

function mailText(p: Record<string, unknown>, alert: Alert): string {
  const url = typeof p.url === 'string' ? `\n${p.url}\n` : '';
  return (
    `${alert.explanation}\n\n` +
    `Watch: ${alert.watchLabel ?? alert.watchRef} (${alert.watchKind} ${alert.watchRef})\n` +
    `Finding: ${alert.findingKind}, score ${alert.score.toFixed(2)} (${severityOf(alert.score)}), from ${alert.findingStart}\n` +
    `Finding id: ${alert.findingId}\nAlert id: ${alert.id}\nRaised: ${alert.raisedAt}\n${url}\n` +
    `-- \nWatchkeeper alert delivery ${String(p.delivery)}\n`
  );
}

async function finish(
  db: Db,
  c: Claimed,
  owner: string,
  state: DeliveryState,
  error: string | null,
  nextMs: number,
): Promise<void> {
  await db.query(
    `UPDATE alert_deliveries SET state = $3, last_error = $4, next_attempt_ms = $5, lease_until = NULL,
            delivered_at = $6 WHERE id = $1 AND lease_owner = $2`,
    [
      c.id,
      owner,
      state,
      error?.slice(0, 2000) ?? null,
      BigInt(nextMs),
      state === 'delivered' ? new Date().toISOString() : null,
    ],
  );
}

/** Send what is due, one delivery at a time, until none is due or `max` were tried. Returns the number tried. */
export async function deliverDue(store: Store, opts: DeliveryOptions, max = 100): Promise<number> {
  const db = store.db;
  const leaseMs = opts.leaseMs ?? 60_000;
  let tried = 0;
  while (tried < max) {
    const c = await claimDelivery(db, opts.owner, leaseMs);
    if (!c) break;
    tried++;
    let state: DeliveryState = 'delivered';
    let error: string | undefined;
    let nextMs = Date.now();
    try {
      const alert = await getAlert(store, c.alertId);
      const sub = await getSubscription(db, c.subscriptionId);
      if (!alert || !sub)
        throw Object.assign(new Error('the alert or its subscription was deleted'), { permanent: true });
      const payload = await alertPayload(store, c.id, alert, opts.publicUrl);
      if (c.channel === 'webhook') {
        const secret = (await subscriptionSecret(db, sub.id)) ?? '';
        await postWebhook(sub.target, secret, c.id, JSON.stringify(payload), opts.webhookTimeoutMs);
      } else {
        if (!opts.smtp)
          throw new SmtpError('no SMTP server configured (WATCHKEEPER_SMTP_URL, WATCHKEEPER_SMTP_FROM)', 0, false);
        await sendMail(opts.smtp, {
          to: sub.target,
          subject: `[Watchkeeper] ${severityOf(alert.score).toUpperCase()} ${alert.findingKind}: ${alert.watchLabel ?? alert.watchRef}`,
          text: mailText(payload, alert),
          id: c.id,
          headers: { 'X-Watchkeeper-Delivery': c.id, 'X-Watchkeeper-Alert': alert.id },
        });
      }
    } catch (err) {
      const e = err as Error & { permanent?: boolean };
      error = e.message;
      const permanent = e instanceof WebhookError || e instanceof SmtpError ? e.permanent : e.permanent === true;
      const maxAttempts = opts.maxAttempts ?? 10;
      if (permanent || c.attempts >= maxAttempts) state = 'failed';
      else {
        state = 'pending';
        const base = opts.backoffMs ?? 30_000;
        const wait = Math.min(base * 2 ** (c.attempts - 1), opts.maxBackoffMs ?? 3_600_000);
        nextMs = Date.now() + Math.round(wait * (0.9 + Math.random() * 0.2));
      }
    }
    await finish(db, c, opts.owner, state, error ?? null, nextMs);
    opts.onOutcome?.({ id: c.id, channel: c.channel, state, attempts: c.attempts, ...(error ? { error } : {}) });
  }
  return tried;
}

/** Deliveries by channel and state (for /metrics). */
export async function deliveryCounts(db: Db): Promise<Array<{ channel: string; state: string; count: number }>> {
  const rows = await db.query('SELECT channel, state, count(*) AS n FROM alert_deliveries GROUP BY channel, state');
  return rows.map((r) => ({ channel: String(r.channel), state: String(r.state), count: Number(r.n) }));
}

export interface DeliveryRow {
  id: string;
  alertId: string;
  subscriptionId: string;
  channel: Channel;
  state: DeliveryState;
  attempts: number;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
}

/** Recent deliveries (newest first), optionally of one user's subscriptions. */
export async function listDeliveries(
  db: Db,
  opts: { userId?: string | null; state?: string; limit?: number } = {},
): Promise<DeliveryRow[]> {
  const params: Array<string | null> = [];
  const where: string[] = [];
  if (opts.userId !== undefined) {
    params.push(opts.userId);
    where.push(`d.subscription_id IN (SELECT id FROM alert_subscriptions WHERE user_id = $${params.length})`);
  }
  if (opts.state) {
    params.push(opts.state);
    where.push(`d.state = $${params.length}`);
  }
  const rows = await db.query(
    `SELECT d.* FROM alert_deliveries d ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY d.created_at DESC, d.id LIMIT ${Math.max(1, Math.min(opts.limit ?? 200, 1000))}`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    alertId: String(r.alert_id),
    subscriptionId: String(r.subscription_id),
    channel: String(r.channel) as Channel,
    state: String(r.state) as DeliveryState,
    attempts: Number(r.attempts),
    createdAt: String(r.created_at),
    deliveredAt: r.delivered_at === null || r.delivered_at === undefined ? null : String(r.delivered_at),
    lastError: r.last_error === null || r.last_error === undefined ? null : String(r.last_error),
  }));
}
