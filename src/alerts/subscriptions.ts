/**
 * Alert subscriptions: who gets which alerts where. A subscription belongs to a user (null in local mode), sends
 * to one channel (a webhook URL or an e-mail address) and filters by watch (ids), finding kind and minimum
 * severity (the bands of findings/kinds.ts). Alerts raised before a subscription existed are not sent to it.
 * A webhook's signing secret is generated when not given and shown once (like API tokens); it is kept in the store
 * because the worker needs it to sign.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError, UserError } from '../errors.js';
import { parseKinds, type Severity } from '../findings/kinds.js';
import type { Db, Row } from '../store/db.js';
import { isEmailAddress } from './smtp.js';
import { checkWebhookTarget } from './webhook.js';

export const CHANNELS = ['webhook', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

export interface Subscription {
  id: string;
  userId: string | null;
  channel: Channel;
  target: string;
  watchIds: string[] | null;
  kinds: string[] | null;
  minSeverity: Severity;
  createdAt: string;
  disabled: boolean;
}

export interface NewSubscription {
  userId?: string | null;
  channel: string;
  target: string;
  secret?: string;
  watchIds?: string[];
  kinds?: string[];
  minSeverity?: string;
}

function list(v: unknown): string[] | null {
  if (v === null || v === undefined || v === '') return null;
  return String(v).split(',').filter(Boolean);
}

function fromRow(r: Row): Subscription {
  return {
    id: String(r.id),
    userId: r.user_id === null || r.user_id === undefined ? null : String(r.user_id),
    channel: String(r.channel) as Channel,
    target: String(r.target),
    watchIds: list(r.watch_ids),
    kinds: list(r.kinds),
    minSeverity: String(r.min_severity) as Severity,
    createdAt: String(r.created_at),
    disabled: r.disabled === true,
  };
}

function checkTarget(channel: Channel, target: string): string {
  const t = target.trim();
  if (channel === 'email') {
    if (!isEmailAddress(t)) throw new UserError(`target: "${target}" is not an e-mail address`);
    return t;
  }
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    throw new UserError(`target: "${target}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new UserError(`target: a webhook URL must be http(s)://, got "${u.protocol}"`);
  if (u.username || u.password) throw new UserError('target: put no credentials in the webhook URL; the HMAC signs');
  return u.toString();
}

/** Create a subscription; `secret` is returned (webhooks) so it can be shown once. */
export async function addSubscription(
  db: Db,
  input: NewSubscription,
): Promise<{ subscription: Subscription; secret: string | null }> {
  const channel = input.channel as Channel;
  if (!CHANNELS.includes(channel)) throw new UserError(`channel: must be webhook or email, got "${input.channel}"`);
  const target = checkTarget(channel, input.target ?? '');
  // Refused addresses (loopback, private, link-local, metadata, reserved) are refused now, not only at delivery.
  if (channel === 'webhook') await checkWebhookTarget(target);
  const minSeverity = (input.minSeverity ?? 'low') as Severity;
  if (!SEVERITIES.includes(minSeverity))
    throw new UserError(`minSeverity: must be low, medium or high, got "${input.minSeverity}"`);
  const kinds = input.kinds?.length ? parseKinds(input.kinds, 'kinds') : null;
  const watchIds = input.watchIds?.length ? input.watchIds.map((w) => w.trim()).filter(Boolean) : null;
  if (watchIds) {
    for (const w of watchIds) {
      const rows = await db.query('SELECT id FROM watchlist WHERE id = $1', [w]);
      if (rows.length === 0) throw new NotFoundError(`no watch with id "${w}"`);
    }
  }
  let secret: string | null = null;
  if (channel === 'webhook') {
    secret = input.secret?.trim() || `whsec_${randomBytes(24).toString('base64url')}`;
    if (secret.length < 16) throw new UserError('secret: at least 16 characters');
  }
  const id = `sub-${randomBytes(6).toString('hex')}`;
  await db.query(
    `INSERT INTO alert_subscriptions (id, user_id, channel, target, secret, watch_ids, kinds, min_severity, created_at, disabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE)`,
    [
      id,
      input.userId ?? null,
      channel,
      target,
      secret,
      watchIds?.join(',') ?? null,
      kinds?.join(',') ?? null,
      minSeverity,
      new Date().toISOString(),
    ],
  );
  const subscription = (await getSubscription(db, id))!;
  return { subscription, secret };
}

export async function getSubscription(db: Db, id: string): Promise<Subscription | null> {
  const [r] = await db.query('SELECT * FROM alert_subscriptions WHERE id = $1', [id]);
  return r ? fromRow(r) : null;
}

/** The signing secret of a webhook subscription (worker only; never sent to clients). */
export async function subscriptionSecret(db: Db, id: string): Promise<string | null> {
  const [r] = await db.query('SELECT secret FROM alert_subscriptions WHERE id = $1', [id]);
  return r?.secret === null || r?.secret === undefined ? null : String(r.secret);
}

/** Subscriptions of one user (or all, for admins and local mode: `userId` undefined). */
export async function listSubscriptions(db: Db, userId?: string | null): Promise<Subscription[]> {
  const rows =
    userId === undefined
      ? await db.query('SELECT * FROM alert_subscriptions ORDER BY created_at, id')
      : await db.query('SELECT * FROM alert_subscriptions WHERE user_id = $1 ORDER BY created_at, id', [userId]);
  return rows.map(fromRow);
}

/** Delete a subscription (its pending deliveries are dropped). `userId`: only if it is theirs (else 404). */
export async function removeSubscription(db: Db, id: string, userId?: string | null): Promise<void> {
  const sub = await getSubscription(db, id);
  if (!sub || (userId !== undefined && sub.userId !== userId))
    throw new NotFoundError(`no subscription with id "${id}"`);
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM alert_deliveries WHERE subscription_id = $1 AND state IN ('pending', 'skipped')`, [id]);
    await tx.query('DELETE FROM alert_subscriptions WHERE id = $1', [id]);
  });
}
