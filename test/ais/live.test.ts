import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AisLiveIngest } from '../../src/maritime/ais-live.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wk-ais-live-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = readFileSync(dataPath('ais', 'nmea', 'dma-aislib_stream_example.txt'), 'latin1')
  .split('\n')
  .filter((l) => l !== '');
/** Split the file into pieces that start at a $PGHP line (so no multi-part message is cut in two). */
function pieces(n: number): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  const per = Math.ceil(LINES.length / n);
  for (const l of LINES) {
    if (l.startsWith('$PGHP') && cur.length >= per) {
      out.push(`${cur.join('\r\n')}\r\n`);
      cur = [];
    }
    cur.push(l);
  }
  out.push(`${cur.join('\r\n')}\r\n`);
  return out;
}

async function waitFor(cond: () => boolean, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the live feed');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function positions(store: Store): Promise<number> {
  const [r] = await store.db.query('SELECT count(*) AS n FROM positions');
  return Number(r!.n);
}

describe('live AIS feeds', () => {
  it('TCP client: replays the DMA file, survives a dropped connection, reconnects and stores everything', async () => {
    const store = await openStore({ url: path.join(dir, 'tcp.duckdb') });
    const [first, second] = pieces(2);
    let connections = 0;
    const sockets: Socket[] = [];
    const server: Server = createServer((sock) => {
      sockets.push(sock);
      connections++;
      // First connection: half the file, then the server drops it. Second: the rest, and it stays open.
      if (connections === 1) sock.end(first!);
      else sock.write(second!);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const events: string[] = [];
    const live = new AisLiveIngest({
      store,
      tcp: { host: '127.0.0.1', port },
      flushMs: 100,
      minBackoffMs: 20,
      onEvent: (e) => events.push(e),
    });
    try {
      await live.start();
      await waitFor(() => live.stats.messages >= 4051);
      await live.stop();
      expect(live.stats.messages).toBe(4051);
      expect(live.stats.reconnects).toBeGreaterThanOrEqual(1);
      expect(live.counters).toMatchObject({ badChecksum: 0, malformed: 0, incomplete: 0, messages: 4051 });
      expect(events.some((e) => e.includes('reconnecting'))).toBe(true);
      expect(await positions(store)).toBe(2965);
      const imports = await store.listImports('ais-live');
      expect(imports.length).toBeGreaterThanOrEqual(1);
      expect(imports.reduce((s, i) => s + i.rowCount, 0)).toBe(2965);
      const r = live.report();
      expect(r.positions).toBe(2965);
    } finally {
      await live.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    }
  });

  it('TCP client: a feed that stays connected but goes silent is dropped after the idle timeout and reconnected', async () => {
    const store = await openStore({ url: path.join(dir, 'tcp-silent.duckdb') });
    const [first, second] = pieces(2);
    let connections = 0;
    const sockets: Socket[] = [];
    // First connection: half the file, then silence with the connection left open (a hung feed). Second: the rest.
    const server: Server = createServer((sock) => {
      sockets.push(sock);
      connections++;
      sock.write(connections === 1 ? first! : second!);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const events: string[] = [];
    const live = new AisLiveIngest({
      store,
      tcp: { host: '127.0.0.1', port },
      flushMs: 100,
      minBackoffMs: 20,
      idleTimeoutMs: 400,
      onEvent: (e) => events.push(e),
    });
    try {
      await live.start();
      await waitFor(() => live.stats.messages >= 4051);
      await live.stop();
      expect(connections).toBeGreaterThanOrEqual(2);
      expect(live.stats.idleTimeouts).toBeGreaterThanOrEqual(1);
      expect(live.stats.reconnects).toBeGreaterThanOrEqual(1);
      expect(events.some((e) => e.includes('no data for 0.4 s; closing'))).toBe(true);
      expect(live.counters).toMatchObject({ badChecksum: 0, malformed: 0, messages: 4051 });
      expect(await positions(store)).toBe(2965);
    } finally {
      await live.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    }
  });

  it('a line with an implausible time in a batch costs that line only: the batch lands', async () => {
    const store = await openStore({ url: path.join(dir, 'tcp-badtime.duckdb') });
    // A position report of the file sent again with a 20-digit receiver time: one malformed line, nothing else lost.
    const bad = `12345678901234567890 ${LINES.find((l) => /^!AIVDM,1,1,,[AB],[13]/.test(l))}\r\n`;
    const feed = pieces(3).join(bad);
    const sockets: Socket[] = [];
    const server: Server = createServer((sock) => {
      sockets.push(sock);
      sock.write(feed);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const events: string[] = [];
    const live = new AisLiveIngest({
      store,
      tcp: { host: '127.0.0.1', port },
      flushMs: 100,
      onEvent: (e) => events.push(e),
    });
    try {
      await live.start();
      await waitFor(() => live.counters.lines >= LINES.length + 2);
      await live.stop();
      expect(live.counters).toMatchObject({ malformed: 2, messages: 4051 });
      expect(events.filter((e) => e.startsWith('write failed'))).toEqual([]);
      expect(await positions(store)).toBe(2965);
    } finally {
      await live.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    }
  });

  it('UDP listener: stores datagrams as they come', async () => {
    const store = await openStore({ url: path.join(dir, 'udp.duckdb') });
    const live = new AisLiveIngest({ store, udpPort: 0, flushMs: 100 });
    const sender = createSocket('udp4');
    try {
      await live.start();
      const port = live.udpPort!;
      for (const p of pieces(200)) {
        await new Promise<void>((r, j) =>
          sender.send(Buffer.from(p, 'latin1'), port, '127.0.0.1', (e) => (e ? j(e) : r())),
        );
        await new Promise((r) => setTimeout(r, 2));
      }
      await waitFor(() => live.stats.messages >= 4051);
      await live.stop();
      expect(live.counters).toMatchObject({ messages: 4051, badChecksum: 0, incomplete: 0 });
      expect(await positions(store)).toBe(2965);
    } finally {
      await live.stop();
      sender.close();
      await store.close();
    }
  });
});
