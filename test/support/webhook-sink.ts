/**
 * A local webhook receiver for tests: records every POST (headers and raw body), checks the Watchkeeper
 * signature with the shared secret, and answers 200, or 503 while `failing` is set (a receiver that is down).
 */
import { createServer, type Server } from 'node:http';
import { verifyWebhook } from '../../src/alerts/webhook.js';

export interface WebhookReceipt {
  delivery: string;
  timestamp: string;
  signature: string;
  body: string;
  verified: boolean;
  status: number;
}

export class WebhookSink {
  private server: Server | null = null;
  readonly receipts: WebhookReceipt[] = [];
  failing = false;
  port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Receipts answered 200, by delivery id. */
  accepted(): WebhookReceipt[] {
    return this.receipts.filter((r) => r.status === 200);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        const body = Buffer.concat(parts).toString('utf8');
        const h = (n: string) => String(req.headers[n] ?? '');
        const status = this.failing ? 503 : 200;
        this.receipts.push({
          delivery: h('x-watchkeeper-delivery'),
          timestamp: h('x-watchkeeper-timestamp'),
          signature: h('x-watchkeeper-signature'),
          body,
          verified: verifyWebhook(
            this.secret,
            { signature: h('x-watchkeeper-signature'), timestamp: h('x-watchkeeper-timestamp') },
            body,
          ),
          status,
        });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'down');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
