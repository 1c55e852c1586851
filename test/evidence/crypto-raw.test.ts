import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCryptoDemo } from '../../src/crypto/demo.js';
import { refKey } from '../../src/evidence/ais-raw.js';
import { resolveTransferEvidence } from '../../src/evidence/crypto-raw.js';
import { dataPath } from '../../src/paths.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

describe('provenance of crypto transfer evidence (issue 16)', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'wk-evidence-crypto-'));
    store = await openStore({ url: path.join(dir, 'store.duckdb') });
    await seedCryptoDemo(store);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resolves a trace finding's transfers to their rows and the file they came from, with its sha256", async () => {
    const file = dataPath('crypto', 'traces', 'dspytdao_LazarusTabularTxs1322519.csv');
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const csv = readFileSync(file, 'utf8').split(/\r?\n/);
    const [trace] = await store.queryFindings({ kinds: ['crypto.trace'], limit: 1, offset: 0 });
    expect(trace).toBeDefined();
    const got = await resolveTransferEvidence(store, trace!.evidence);
    expect(got.size).toBe(trace!.evidence.filter((e) => e.record.startsWith('tx:')).length);
    for (const ev of trace!.evidence) {
      const p = got.get(refKey(ev))!;
      expect(p.imports.map((i) => [path.basename(i.location), i.sha256])).toEqual([[path.basename(file), sha]]);
      // The record names the file's line; the stored transfer has that row's sender and receiver.
      const line = Number(/:L(\d+)$/.exec(ev.record)![1]);
      const [, from, to] = csv[line - 1]!.split(',');
      expect(p.transfers[0]).toContain(`${from!.slice(2).toLowerCase()} -> 0x${to!.slice(2).toLowerCase()}`);
    }
  });
});
