import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle, type VerifyReport, verifyBundle } from '../../src/cases/bundle.js';
import { addCaseItem, createCase } from '../../src/cases/cases.js';
import { screenFromStore } from '../../src/crypto/service.js';
import type { Finding } from '../../src/findings/finding.js';
import { capFindings, trackCap } from '../../src/maritime/cargo/cap.js';
import type { CargoEstimateDetails } from '../../src/maritime/cargo/events.js';
import { ownershipFindings } from '../../src/ownership/findings.js';
import { importOwnershipFile } from '../../src/ownership/import.js';
import { loadNetwork } from '../../src/ownership/load.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { FIXTURES } from '../ownership/helpers.js';
import { copyDemoStore } from '../support/demo-store.js';

/**
 * `verify` re-runs every kind of finding, not only the maritime detectors'. The store is the bundled demo (the four
 * lists, the ship-registry extract, the Yellow Sea AIS simulation through the NMEA importer and the detectors, the
 * Lazarus / Ronin transfers with a trace and an exposure, the trade shipments screened), plus a listed-counterparty
 * screen and the constructed front company of test/fixtures/ownership. A case holds one or two findings of each
 * kind; its bundle verifies and every finding reproduces. Then evidence is deleted or altered in the store, kind by
 * kind, and the findings resting on it are reported not reproducible (or differing, naming the field).
 */

let dir: string;
let store: Store;
let bundle: string;
let report: VerifyReport;
const picked: Record<string, Finding> = {};
let cargoB: Finding;

const one = (all: Finding[], kind: string, pred: (f: Finding) => boolean = () => true): Finding => {
  const f = all.find((x) => x.kind === kind && pred(x));
  if (!f) throw new Error(`the demo store has no ${kind} finding`);
  return f;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wk-bundle-kinds-'));
  store = await openStore({ url: await copyDemoStore('demo', path.join(dir, 'wk.duckdb')) });
  // A listed counterparty: the address the demo's exposure is computed for received from the Ronin exploiter.
  await screenFromStore(store, ['0x3Cffd56B47B7b41c56258D9C7731ABaDc360E073'], { chain: 'eth', save: true });
  // The constructed front company (YUJONG TRADING) and the registry extract behind it, as of their fixture date.
  await importOwnershipFile(store, path.join(FIXTURES, 'registry.csv'), {
    source: 'fixture_registry',
    fetchedAt: '2026-09-01T00:00:00.000Z',
  });
  await importOwnershipFile(store, path.join(FIXTURES, 'chains.ftm.jsonl'), { fetchedAt: '2026-09-01T00:00:00.000Z' });
  const net = await loadNetwork(store, { asOf: '2026-09-01' });
  const owned = await ownershipFindings(store, net, { kinds: ['network.front_company', 'vessel.ownership_exposure'] });
  const front = one(owned, 'network.front_company');
  const exposure = one(owned, 'vessel.ownership_exposure', (f) => f.evidence.some((r) => r.source === 'ship_registry'));
  await store.putFindings([front, exposure]);
  // The refined-petroleum cap over the demo's estimated STS deliveries, with a cap low enough for them to pass it
  // (the finding records its cap, and verify re-runs with the recorded one).
  const capParams = { capBbl: 1000, loadFractions: [0.33, 0.5, 0.9], confirmWindowDays: 30 };
  const capInputs = await store.queryFindings({ kinds: ['cargo.estimate', 'ais.port_visit'], limit: 10_000 });
  const cap = one(capFindings(trackCap(capInputs, [], capParams), capParams), 'trade.petroleum_cap');
  await store.putFindings([cap]);

  const all = await store.queryFindings({ limit: 10_000 });
  const estimates = all.filter((f) => f.kind === 'cargo.estimate');
  const banned = one(all, 'trade.banned_export');
  const bannedEstimate = String(banned.details?.estimateFinding);
  const mmsiOf = (f: Finding) => (f.details as unknown as CargoEstimateDetails).mmsi;
  const cargoA = estimates.find((f) => f.id !== bannedEstimate);
  cargoB = estimates.find((f) => f.id !== bannedEstimate && mmsiOf(f) !== mmsiOf(cargoA!))!;
  Object.assign(picked, {
    sanctions: one(
      all,
      'ais.sanctions_match',
      (f) => ![cargoA!, cargoB].some((c) => `ais-${mmsiOf(c)}` === f.subjects[0]),
    ),
    trace: one(all, 'crypto.trace'),
    exposure: one(all, 'crypto.exposure'),
    counterparty: one(all, 'crypto.sanctioned_counterparty'),
    cargoA: cargoA!,
    cargoB,
    banned,
    listedParty: one(all, 'trade.listed_party'),
    goods: one(all, 'trade.prohibited_goods'),
    origin: one(all, 'trade.origin_mismatch'),
    ownership: exposure,
    front,
    cap,
  });
  const c = await createCase(store, { title: 'Every kind of finding, re-run by verify' });
  for (const f of Object.values(picked)) await addCaseItem(store, c.id, { kind: 'finding', ref: f.id });
  bundle = path.join(dir, 'case.tar');
  await exportBundle(store, c.id, bundle, { pdf: false });
  report = await verifyBundle(bundle, store);
}, 600_000);

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const statusOf = (r: VerifyReport, f: Finding) => r.store?.findings.find((x) => x.findingId === f.id);

describe('verify re-runs every kind of finding', () => {
  it('each one reproduces from its recorded params and the stored evidence', () => {
    expect(report.ok).toBe(true);
    const kinds = Object.values(picked).map((f) => f.kind);
    expect(new Set(kinds)).toEqual(
      new Set([
        'ais.sanctions_match',
        'crypto.trace',
        'crypto.exposure',
        'crypto.sanctioned_counterparty',
        'cargo.estimate',
        'trade.banned_export',
        'trade.listed_party',
        'trade.prohibited_goods',
        'trade.origin_mismatch',
        'vessel.ownership_exposure',
        'network.front_company',
        'trade.petroleum_cap',
      ]),
    );
    for (const f of Object.values(picked)) {
      const r = statusOf(report, f);
      expect([f.kind, r?.status, r?.message]).toEqual([
        f.kind,
        'reproduces',
        expect.stringMatching(/: same finding, same \d+ evidence record/),
      ]);
    }
    expect(statusOf(report, picked.trace!)?.message).toMatch(
      /^re-traced forward from 1 seed\(s\) over the stored transfers \(haircut, 4 hops\)/,
    );
    expect(report.reproducible).toBe(true);
  });

  it('reports findings whose evidence was deleted or altered as not reproducible, naming it', async () => {
    const db = store.db;
    const p = picked as Record<string, Finding>;
    // Screening: the static report the vessel was screened on.
    const st = p.sanctions!.evidence.find((r) => r.record.startsWith('static:'))!;
    const [, mmsi, ts] = /^static:mmsi:(\d+)@(-?\d+)$/.exec(st.record)!;
    await db.query('DELETE FROM vessel_static WHERE mmsi = $1 AND ts = $2', [Number(mmsi), Number(ts)]);
    // Crypto: the exposure's (and the counterparty's) transaction; a trace transaction not among them.
    const exTx = p.exposure!.evidence[0]!.record.slice(3);
    const trTx = p.trace!.evidence.map((r) => r.record.slice(3)).find((t) => t !== exTx)!;
    for (const tx of [exTx, trTx])
      await db.query('DELETE FROM crypto_transfers WHERE lower(tx_hash) = lower($1)', [tx]);
    // Cargo: A's draught after raised by one metre; B's draught before deleted.
    const after = p.cargoA!.evidence[2]!;
    const [, am, ats] = /^static:mmsi:(\d+)@(-?\d+)$/.exec(after.record)!;
    await db.query('UPDATE vessel_static SET draught = draught + 1 WHERE mmsi = $1 AND ts = $2', [
      Number(am),
      Number(ats),
    ]);
    const before = cargoB.evidence[1]!;
    const [, bm, bts] = /^static:mmsi:(\d+)@(-?\d+)$/.exec(before.record)!;
    await db.query('DELETE FROM vessel_static WHERE mmsi = $1 AND ts = $2', [Number(bm), Number(bts)]);
    // The banned export's cargo estimate; one of the cap's delivery estimates.
    const est = String(p.banned!.details?.estimateFinding);
    const delivery = p.cap!.evidence[0]!.record;
    for (const id of [est, delivery]) {
      await db.query('DELETE FROM finding_subjects WHERE finding_id = $1', [id]);
      await db.query('DELETE FROM findings WHERE id = $1', [id]);
    }
    // Trade: the listed party's shipment row deleted; the prohibited goods row's HS code altered.
    const line = (f: Finding) => Number(f.evidence[0]!.record.split(':').pop());
    await db.query('DELETE FROM trade_shipments WHERE line = $1', [line(p.listedParty!)]);
    await db.query("UPDATE trade_shipments SET hs_code = '0101' WHERE line = $1", [line(p.goods!)]);
    // Ownership: the registry row behind the exposure; the front company's registry entity.
    await db.query("DELETE FROM statements WHERE source = 'ship_registry' AND source_record = $1", [
      p.ownership!.evidence.find((r) => r.source === 'ship_registry')!.record,
    ]);
    await db.query('DELETE FROM statements WHERE entity_id = $1', [p.front!.evidence[0]!.record]);

    const r = await verifyBundle(bundle, store);
    expect(r.ok).toBe(true); // the bundle itself is intact
    expect(r.reproducible).toBe(false);
    const status = (f: Finding) => statusOf(r, f)!;
    const gone = (f: Finding, record: string) => {
      expect([f.kind, status(f).status]).toEqual([f.kind, 'not-reproducible']);
      expect(status(f).message).toContain(record);
    };
    gone(p.sanctions!, st.record);
    expect(status(p.sanctions!).message).toMatch(
      /^1 of 2 evidence record\(s\) \(static report, list entry\) are no longer in the store/,
    );
    gone(p.exposure!, `tx:${exTx}`);
    gone(p.counterparty!, `tx:${exTx}`);
    gone(p.trace!, `tx:${trTx}`);
    expect(status(p.cargoA!)).toMatchObject({ status: 'differs', field: 'details.draughtAfter' });
    expect(status(p.cargoA!).message).toMatch(
      /found again, but details\.draughtAfter differs: .*"m":\d+(\.\d+)?.* now, .* in the finding/,
    );
    gone(cargoB, before.record);
    gone(p.banned!, est);
    gone(p.cap!, delivery);
    gone(p.listedParty!, p.listedParty!.evidence[0]!.record);
    // The HS code altered (the row's recorded sha256 is left as it was): found again from the description's
    // words, so it differs, and the first field that does is named.
    expect(status(p.goods!)).toMatchObject({ status: 'differs', field: 'redFlags' });
    expect(status(p.goods!).message).toMatch(
      /^re-screened shipment row shipments\.csv:\d+ \(sha256 unchanged\): found again, but redFlags differs: \["PROHIBITED_GOODS","FALSIFIED_DOCUMENTS"\] now, \["PROHIBITED_GOODS"\] in the finding; also .*params\.hsCode/,
    );
    gone(p.ownership!, p.ownership!.evidence.find((r) => r.source === 'ship_registry')!.record);
    gone(p.front!, p.front!.evidence[0]!.record);
    // Evidence no one touched: the origin mismatch's row is another line.
    expect(status(p.origin!).status).toBe('reproduces');
  });
});
