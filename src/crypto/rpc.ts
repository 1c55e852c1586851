import { UserError } from '../errors.js';

/**
 * A small JSON-RPC 2.0 client over fetch for Ethereum and Bitcoin Core nodes: batch calls, a timeout per request,
 * and retries with exponential backoff (and jitter) on transient failures: connection errors, timeouts, HTTP 429
 * and 5xx, and node errors that say "try again" (rate limits, -32005, Bitcoin Core -28 warming up).
 * Anything else (unknown method, bad params, HTTP 401) fails at once with a message naming the node and method.
 */

export class RpcError extends UserError {
  override readonly code: string = 'rpc_error';
  constructor(
    message: string,
    readonly rpcCode: number | null = null,
    readonly transient = false,
  ) {
    super(message);
  }
}

export interface RpcOptions {
  url: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Attempts for transient failures (1 = no retry). Default 5. */
  attempts?: number;
  /** First backoff delay; doubles each attempt. Default 250 ms. */
  backoffMs?: number;
  /** Extra headers (e.g. Authorization for Bitcoin Core). */
  headers?: Record<string, string>;
}

export interface RpcCall {
  method: string;
  params: unknown[];
}

const TRANSIENT_CODES = new Set([-32005, -32000, -28, 429]);

function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export class JsonRpcClient {
  private nextId = 1;
  readonly url: string;
  private readonly opts: Required<Omit<RpcOptions, 'headers'>> & { headers: Record<string, string> };
  /** Retries made so far (for reports and tests). */
  retries = 0;

  constructor(opts: RpcOptions) {
    const u = new URL(opts.url);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
    if (u.username || u.password) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
    }
    this.url = u.toString();
    this.opts = { timeoutMs: 30_000, attempts: 5, backoffMs: 250, ...opts, url: this.url, headers };
  }

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const [r] = await this.batch<T>([{ method, params }]);
    return r as T;
  }

  /** Send calls as one JSON-RPC batch; results come back in call order. A failing call fails the batch. */
  async batch<T = unknown>(calls: RpcCall[]): Promise<T[]> {
    if (calls.length === 0) return [];
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        return await this.once<T>(calls);
      } catch (e) {
        const err = e instanceof RpcError ? e : new RpcError(String(e), null, true);
        if (!err.transient || attempt >= this.opts.attempts) {
          if (err.transient) {
            throw new RpcError(`${err.message} (gave up after ${attempt} attempts)`, err.rpcCode, true);
          }
          throw err;
        }
        this.retries++;
        const delay = this.opts.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async once<T>(calls: RpcCall[]): Promise<T[]> {
    const where = `${redact(this.url)} ${calls[0]!.method}${calls.length > 1 ? ` (+${calls.length - 1} more)` : ''}`;
    const body = calls.map((c) => ({ jsonrpc: '2.0', id: this.nextId++, method: c.method, params: c.params }));
    const firstId = body[0]!.id;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.opts.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: this.opts.headers,
        body: JSON.stringify(calls.length === 1 ? body[0] : body),
        signal: ctrl.signal,
      });
      text = await res.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'AbortError')
        throw new RpcError(`${where}: timed out after ${this.opts.timeoutMs} ms`, null, true);
      throw new RpcError(`${where}: ${err.cause?.code ?? err.message}`, null, true);
    } finally {
      clearTimeout(timer);
    }
    if (res.status === 429 || res.status >= 500) {
      // Bitcoin Core answers JSON-RPC errors with HTTP 500 and a JSON body: read it when it is there.
      const parsed = tryJson(text);
      if (!parsed || res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504) {
        throw new RpcError(`${where}: HTTP ${res.status}`, res.status, true);
      }
      return this.unpack<T>(parsed, calls, firstId, where);
    }
    if (res.status >= 400) {
      const parsed = tryJson(text);
      if (parsed) return this.unpack<T>(parsed, calls, firstId, where);
      throw new RpcError(
        `${where}: HTTP ${res.status}${res.status === 401 ? ' (check the user and password in the URL)' : ''}`,
        res.status,
      );
    }
    const parsed = tryJson(text);
    if (parsed === undefined) throw new RpcError(`${where}: the answer is not JSON`, null, true);
    return this.unpack<T>(parsed, calls, firstId, where);
  }

  private unpack<T>(parsed: unknown, calls: RpcCall[], firstId: number, where: string): T[] {
    const list = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{
      id: number;
      result?: unknown;
      error?: { code: number; message: string } | null;
    }>;
    const out: T[] = new Array(calls.length);
    const seen = new Array<boolean>(calls.length).fill(false);
    for (const r of list) {
      const k = calls.length === 1 && list.length === 1 ? 0 : Number(r.id) - firstId;
      if (k < 0 || k >= calls.length) continue;
      if (r.error) {
        const code = r.error.code;
        const msg = r.error.message ?? 'error';
        const transient = TRANSIENT_CODES.has(code) && /limit|rate|busy|try again|timeout|warm|loading/i.test(msg);
        throw new RpcError(
          `${redact(this.url)} ${calls[k]!.method}: node error ${code}: ${msg}`,
          code,
          transient || code === -28,
        );
      }
      out[k] = r.result as T;
      seen[k] = true;
    }
    if (seen.some((s) => !s))
      throw new RpcError(`${where}: the node left some calls of the batch unanswered`, null, true);
    return out;
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** GET a JSON document (Esplora REST) with the same timeout and retry rules as JSON-RPC calls. */
export class RestClient {
  readonly base: string;
  retries = 0;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(opts: { url: string; timeoutMs?: number; attempts?: number; backoffMs?: number }) {
    this.base = opts.url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.attempts = opts.attempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 250;
  }

  async get<T>(pathname: string): Promise<T> {
    const url = `${this.base}${pathname}`;
    for (let attempt = 1; ; attempt++) {
      let err: RpcError;
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), this.timeoutMs);
      try {
        const res = await fetch(url, { signal: ctrl.signal, headers: { accept: 'application/json' } });
        const text = await res.text();
        if (res.ok) {
          try {
            return JSON.parse(text) as T;
          } catch {
            err = new RpcError(`GET ${url}: the answer is not JSON`, null, true);
          }
        } else if (res.status === 429 || res.status >= 500)
          err = new RpcError(`GET ${url}: HTTP ${res.status}`, res.status, true);
        else if (res.status === 404) throw new RpcError(`GET ${url}: not found (HTTP 404): ${text.slice(0, 120)}`, 404);
        else throw new RpcError(`GET ${url}: HTTP ${res.status}: ${text.slice(0, 120)}`, res.status);
      } catch (e) {
        if (e instanceof RpcError && !e.transient) throw e;
        const x = e as Error & { cause?: { code?: string } };
        err =
          e instanceof RpcError
            ? e
            : x.name === 'AbortError'
              ? new RpcError(`GET ${url}: timed out after ${this.timeoutMs} ms`, null, true)
              : new RpcError(`GET ${url}: ${x.cause?.code ?? x.message}`, null, true);
      } finally {
        clearTimeout(timer);
      }
      if (attempt >= this.attempts)
        throw new RpcError(`${err.message} (gave up after ${attempt} attempts)`, err.rpcCode, true);
      this.retries++;
      await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5)));
    }
  }
}
