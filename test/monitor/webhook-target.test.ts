import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, refusedAddress, WebhookError, webhookAllowList } from '../../src/alerts/webhook.js';
import { WebhookSink } from '../support/webhook-sink.js';

/**
 * Webhook SSRF guard (issue 18): an analyst picks the webhook URL, so by default the server refuses to POST to its
 * own network (loopback, link-local and the metadata address, private ranges) unless WATCHKEEPER_WEBHOOK_ALLOW lists
 * them; the check runs on the resolved addresses, and redirects are not followed.
 */

const SECRET = 'whsec_test_secret_0123456789';
const sink = new WebhookSink(SECRET);
let redirector: Server;
let redirectUrl = '';
let redirectHits = 0;
const saved = process.env.WATCHKEEPER_WEBHOOK_ALLOW;

beforeAll(async () => {
  await sink.start();
  redirector = createServer((req, res) => {
    redirectHits++;
    req.resume();
    res.writeHead(307, { location: sink.url });
    res.end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', () => r()));
  redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`;
});

afterEach(() => {
  if (saved === undefined) delete process.env.WATCHKEEPER_WEBHOOK_ALLOW;
  else process.env.WATCHKEEPER_WEBHOOK_ALLOW = saved;
});

afterAll(async () => {
  await sink.stop();
  await new Promise((r) => redirector.close(r));
});

async function refusal(url: string): Promise<WebhookError> {
  const err = await postWebhook(url, SECRET, 'dlv-1', '{"x":1}', 2000).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebhookError);
  return err as WebhookError;
}

describe('webhook targets', () => {
  it('refuses loopback, link-local, metadata, private and reserved addresses by default', () => {
    const none = webhookAllowList('');
    for (const ip of [
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '[::1]',
    ])
      expect(refusedAddress(ip, none), ip).toMatch(/WATCHKEEPER_WEBHOOK_ALLOW/);
    for (const ip of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect(refusedAddress(ip, none), ip).toBeNull();
  });

  it('WATCHKEEPER_WEBHOOK_ALLOW lets listed addresses and ranges through, and nothing else', () => {
    const allow = webhookAllowList('127.0.0.1, 10.20.0.0/16,::1');
    expect(refusedAddress('127.0.0.1', allow)).toBeNull();
    expect(refusedAddress('::ffff:127.0.0.1', allow)).toBeNull();
    expect(refusedAddress('::1', allow)).toBeNull();
    expect(refusedAddress('10.20.3.4', allow)).toBeNull();
    expect(refusedAddress('127.0.0.2', allow)).not.toBeNull();
    expect(refusedAddress('10.21.0.1', allow)).not.toBeNull();
    expect(refusedAddress('169.254.169.254', allow)).not.toBeNull();
    expect(() => webhookAllowList('localhost')).toThrow(/not an IP address or CIDR/);
    expect(() => webhookAllowList('10.0.0.0/40')).toThrow(/prefix length/);
  });

  it('does not POST to a loopback receiver, by IP or by a name resolving to it, unless allowed', async () => {
    delete process.env.WATCHKEEPER_WEBHOOK_ALLOW;
    const before = sink.receipts.length;
    const byIp = await refusal(sink.url);
    expect(byIp.permanent).toBe(true);
    expect(byIp.message).toMatch(/refused: 127\.0\.0\.1 is a loopback/);
    // A host name is checked on what it resolves to (localhost: 127.0.0.1 and/or ::1).
    const byName = await refusal(sink.url.replace('127.0.0.1', 'localhost'));
    expect(byName.permanent).toBe(true);
    expect(byName.message).toMatch(/refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback/);
    expect(await refusal('http://169.254.169.254/latest/meta-data/')).toMatchObject({ permanent: true });
    expect(await refusal('http://[::ffff:a00:1]/hook')).toMatchObject({ permanent: true });
    expect(sink.receipts.length).toBe(before);

    process.env.WATCHKEEPER_WEBHOOK_ALLOW = '127.0.0.1';
    expect(await postWebhook(sink.url, SECRET, 'dlv-2', '{"x":2}', 2000)).toBe(200);
    expect(sink.receipts.at(-1)).toMatchObject({ delivery: 'dlv-2', verified: true });
  });

  it('does not follow a redirect (a public receiver could point the server at an internal one)', async () => {
    process.env.WATCHKEEPER_WEBHOOK_ALLOW = '127.0.0.1';
    const before = sink.receipts.length;
    const err = await refusal(redirectUrl);
    expect(err.permanent).toBe(true);
    expect(err.message).toMatch(/HTTP 307: redirects are not followed/);
    expect(redirectHits).toBe(1);
    expect(sink.receipts.length).toBe(before);
  });
});
