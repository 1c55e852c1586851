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
import { lookup as dnsLookup, promises as dnsPromises, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { UserError } from '../errors.js';

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
 * Webhook targets (SSRF guard). An analyst chooses the URL and the server makes the request, so by default a
 * webhook may not reach the server's own network: loopback, link-local (169.254/16 with the cloud metadata address,
 * fe80::/10), private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), unspecified, multicast and reserved
 * addresses are refused unless `WATCHKEEPER_WEBHOOK_ALLOW` lists them (comma-separated IPs or CIDR ranges, e.g.
 * `127.0.0.1/32,10.20.0.0/16`). The check runs on the addresses the host name resolves to, and the connection goes
 * to the address that was checked (no second lookup a rebinding DNS server could answer differently). Redirects are
 * never followed.
 */
const DENIED = (() => {
  const b = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    b.addSubnet(net, bits, 'ipv4');
  for (const [net, bits] of [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ] as const)
    b.addSubnet(net, bits, 'ipv6');
  return b;
})();

/** The ranges `WATCHKEEPER_WEBHOOK_ALLOW` lets through (IPs or CIDRs, comma-separated). */
export function webhookAllowList(spec = process.env.WATCHKEEPER_WEBHOOK_ALLOW ?? ''): BlockList {
  const b = new BlockList();
  for (const raw of spec.split(',')) {
    const t = raw.trim();
    if (!t) continue;
    const [ip, bits] = t.split('/') as [string, string | undefined];
    const family = isIP(ip);
    if (!family) throw new UserError(`WATCHKEEPER_WEBHOOK_ALLOW: "${t}" is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) b.addAddress(ip, type);
    else {
      const n = Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > (family === 4 ? 32 : 128))
        throw new UserError(`WATCHKEEPER_WEBHOOK_ALLOW: "${t}" has a bad prefix length`);
      b.addSubnet(ip, n, type);
    }
  }
  return b;
}

/** Why a webhook may not connect to this address, or null when it may. */
export function refusedAddress(address: string, allow: BlockList = webhookAllowList()): string | null {
  let ip = address.replace(/^\[|\]$/g, '');
  const family = isIP(ip);
  if (!family) return `"${address}" is not an IP address`;
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it carries.
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip) : null;
  if (mapped) ip = mapped[1]!;
  // The same in the hex form URL parsing gives it (::ffff:ac10:5 is 172.16.0.5).
  const hex = family === 6 ? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip) : null;
  if (hex) {
    const hi = Number.parseInt(hex[1]!, 16);
    const lo = Number.parseInt(hex[2]!, 16);
    ip = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
  if (allow.check(ip, type)) return null;
  if (DENIED.check(ip, type))
    return `${ip} is a loopback, link-local, private or reserved address (allow it with WATCHKEEPER_WEBHOOK_ALLOW)`;
  return null;
}

/** A webhook URL whose host is or resolves to a refused address (answered 400 `refused_target` by the API). */
export class WebhookTargetRefused extends UserError {
  override readonly code = 'refused_target';
}

/**
 * Check a webhook URL when a subscription is created: the host (an IP literal, or every address the name resolves
 * to) must not be refused (see above). A name that does not resolve now (no DNS, a name not published yet) is let
 * through: the check made at each delivery, on the address connected to, still applies.
 */
export async function checkWebhookTarget(
  url: string,
  allow: BlockList = webhookAllowList(),
  timeoutMs = 5000,
): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = refusedAddress(host, allow);
    if (why) throw new WebhookTargetRefused(`target: refused: ${why}`);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    dnsPromises.lookup(host, { all: true, verbatim: true }).catch(() => [] as LookupAddress[]),
    new Promise<LookupAddress[]>((r) => {
      timer = setTimeout(() => r([]), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  for (const a of addresses) {
    const why = refusedAddress(a.address, allow);
    if (why) throw new WebhookTargetRefused(`target: refused: ${host} resolves to ${why}`);
  }
}

/** A `lookup` for http.request: resolves, refuses when any address is refused, and hands back the checked one. */
function guardedLookup(allow: BlockList): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family, hints: options.hints }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const why = refusedAddress(a.address, allow);
        if (why) return callback(new WebhookTargetError(`${hostname} resolves to ${why}`), '', 4);
      }
      if (list.length === 0) return callback(new Error(`${hostname}: no address`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

class WebhookTargetError extends Error {}

/**
 * POST once. 2xx: delivered. 408, 429 and 5xx, network errors and timeouts: transient (retried). Other 4xx: the
 * receiver refuses this request for good (a wrong URL or secret), so it is not retried. A refused target (see
 * above) and a redirect are permanent.
 */
export async function postWebhook(
  url: string,
  secret: string,
  deliveryId: string,
  body: string,
  timeoutMs = 10_000,
): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new WebhookError(`POST ${url}: only http(s) targets are allowed`, true);
  const allow = webhookAllowList();
  const host = u.hostname.replace(/^\[|\]$/g, '');
  // An IP literal is connected to without a lookup: check it here.
  const literal = isIP(host) ? refusedAddress(host, allow) : null;
  if (literal) throw new WebhookError(`POST ${url}: refused: ${literal}`, true);
  const status = await new Promise<number>((resolve, reject) => {
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'watchkeeper-webhook/1',
          [DELIVERY_HEADER]: deliveryId,
          [TIMESTAMP_HEADER]: String(ts),
          [SIGNATURE_HEADER]: signWebhook(secret, ts, body),
        },
        lookup: guardedLookup(allow),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  }).catch((err: Error) => {
    const refused = err instanceof WebhookTargetError;
    throw new WebhookError(`POST ${url}: ${refused ? 'refused: ' : ''}${err.message}`, refused);
  });
  if (status >= 200 && status < 300) return status;
  if (status >= 300 && status < 400)
    throw new WebhookError(`POST ${url}: HTTP ${status}: redirects are not followed; use the final URL`, true);
  const transient = status === 408 || status === 429 || status >= 500;
  throw new WebhookError(`POST ${url}: HTTP ${status}`, !transient);
}
