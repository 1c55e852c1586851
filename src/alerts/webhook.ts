/**
 * Webhook delivery: a JSON POST signed with the subscription's secret.
 *
 *   X-Watchkeeper-Delivery:  the delivery id (the same on every retry: a receiver drops repeats by it)
 *   X-Watchkeeper-Timestamp: unix seconds when this attempt was signed
 *   X-Watchkeeper-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * The timestamp is inside the signed text, so a captured request cannot be replayed later with a fresh timestamp:
 * a receiver recomputes the HMAC over `${timestamp}.${rawBody}`, compares in constant time, and refuses timestamps
 * older than a few minutes (`verifyWebhook` does all three).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-watchkeeper-signature';
export const TIMESTAMP_HEADER = 'x-watchkeeper-timestamp';
export const DELIVERY_HEADER = 'x-watchkeeper-delivery';

export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** What a receiver does: check the signature and that the timestamp is recent (default 5 minutes either way). */
export function verifyWebhook(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  body: string,
  opts: { toleranceS?: number; nowMs?: number } = {},
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || !headers.signature) return false;
  const now = (opts.nowMs ?? Date.now()) / 1000;
  if (Math.abs(now - ts) > (opts.toleranceS ?? 300)) return false;
  const want = Buffer.from(signWebhook(secret, ts, body));
  const got = Buffer.from(headers.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * POST once. 2xx: delivered. 408, 429 and 5xx, network errors and timeouts: transient (retried). Other 4xx: the
 * receiver refuses this request for good (a wrong URL or secret), so it is not retried.
 */
export async function postWebhook(
  url: string,
  secret: string,
  deliveryId: string,
  body: string,
  timeoutMs = 10_000,
): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'watchkeeper-webhook/1',
        [DELIVERY_HEADER]: deliveryId,
        [TIMESTAMP_HEADER]: String(ts),
        [SIGNATURE_HEADER]: signWebhook(secret, ts, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
  } catch (err) {
    throw new WebhookError(`POST ${url}: ${(err as Error).message}`, false);
  }
  if (res.status >= 200 && res.status < 300) return res.status;
  const transient = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new WebhookError(`POST ${url}: HTTP ${res.status}`, !transient);
}
