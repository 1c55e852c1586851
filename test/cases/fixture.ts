import { type Finding, findingId } from '../../src/findings/finding.js';
import type { Statement } from '../../src/model/statement.js';
import type { Store } from '../../src/store/store.js';

/**
 * A small investigation scenario for the cases/web tests, seeded through the Store API. The listed tanker and its
 * owner are real OFAC SDN entries (sdn.csv 2024-05-03, ent_num 23729 CHON MA SAN, IMO 8660313, linked to 23707
 * KOREA ACHIM SHIPPING CO). The AIS identities, the trading company and the findings are synthetic (see
 * test/fixtures/web/PROVENANCE.md): they exercise the workspace, they are not claims about real ships.
 */
export const FX = {
  tanker: 'ofac-23729',
  owner: 'ofac-23707',
  sanction: 'ofac-23729-sanction',
  trader: 'fx-company-1',
  ownership: 'fx-ownership-1',
  aisTanker: 'ais-445123000',
  aisReceiver: 'ais-352001234',
  mmsiTanker: 445123000,
  mmsiReceiver: 352001234,
  wallet: 'wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96',
  address: '0x098B716B8Aaf21512996dC57EB0615e2383E2f96',
};

const SEEN = '2024-05-03T00:00:00.000Z';

function st(entityId: string, schema: string, prop: string, value: string, record: string): Statement {
  return { entityId, schema, prop, value, source: 'wk_fixture', sourceRecord: record, seenAt: SEEN };
}

export function fixtureFindings(): Finding[] {
  const sts: Omit<Finding, 'id'> = {
    kind: 'ais.encounter',
    subjects: [FX.aisTanker, FX.aisReceiver],
    start: '2024-03-14T21:40:00.000Z',
    end: '2024-03-15T03:10:00.000Z',
    geometry: { type: 'Point', coordinates: [123.92, 38.41] },
    score: 0.86,
    redFlags: ['SHIP_TO_SHIP_TRANSFER', 'AIS_MANIPULATION'],
    explanation:
      'CHON MA SAN (MMSI 445123000) and the tanker HAI XING 21 (MMSI 352001234) stayed within 180 m of each other at under 1 kn for 5.5 h at night in Korea Bay, consistent with a ship-to-ship transfer of refined petroleum.',
    evidence: [
      {
        source: 'ais-fixture-2024-03',
        record: 'mmsi:445123000@1710452400000',
        contentHash: 'a3f1c2d4e5b6978812345678',
        note: 'first position in the encounter',
      },
      { source: 'ais-fixture-2024-03', record: 'mmsi:352001234@1710452460000', note: 'receiver position' },
    ],
    params: { maxDistanceM: 500, maxSpeedKn: 2, minDurationS: 7200 },
    vessels: [
      { mmsi: FX.mmsiTanker, imo: 8660313, name: 'CHON MA SAN' },
      { mmsi: FX.mmsiReceiver, imo: null, name: 'HAI XING 21' },
    ],
    details: { medianDistanceM: 142, durationS: 19800 },
  };
  const gap: Omit<Finding, 'id'> = {
    kind: 'ais.gap',
    subjects: [FX.aisTanker],
    start: '2024-03-13T06:00:00.000Z',
    end: '2024-03-14T20:30:00.000Z',
    geometry: {
      type: 'LineString',
      coordinates: [
        [124.6, 38.95],
        [123.95, 38.45],
      ],
    },
    score: 0.72,
    redFlags: ['AIS_MANIPULATION'],
    explanation:
      'CHON MA SAN (MMSI 445123000) went dark for 38.5 h after leaving Nampo and reappeared 80 km away in Korea Bay.',
    evidence: [
      { source: 'ais-fixture-2024-03', record: 'mmsi:445123000@1710309600000', note: 'last position before the gap' },
    ],
    params: { minGapS: 43200 },
    vessels: [{ mmsi: FX.mmsiTanker, imo: 8660313, name: 'CHON MA SAN' }],
  };
  const identity: Omit<Finding, 'id'> = {
    kind: 'ais.identity_change',
    subjects: [FX.aisTanker],
    start: '2024-02-02T00:00:00.000Z',
    score: 0.9,
    redFlags: ['VESSEL_IDENTITY_ALTERATION'],
    explanation:
      'MMSI 445123000 broadcast IMO 8660313 as CHON MA SAN, then as "SEA STAR 7" under the flag of Sierra Leone.',
    evidence: [
      {
        source: 'ais-fixture-2024-02',
        record: 'mmsi:445123000@1706832000000',
        note: 'type 5 message with the new name',
      },
    ],
    params: { window: 'P30D' },
    vessels: [{ mmsi: FX.mmsiTanker, imo: 8660313, name: 'SEA STAR 7' }],
  };
  const match: Omit<Finding, 'id'> = {
    kind: 'screening.match',
    subjects: [FX.aisTanker, FX.tanker],
    start: '2024-05-03T00:00:00.000Z',
    score: 0.97,
    redFlags: ['SANCTIONS_LIST_MATCH'],
    explanation:
      'The AIS vessel MMSI 445123000 broadcasts IMO 8660313, the IMO number of OFAC-listed CHON MA SAN (천마산호).',
    evidence: [{ source: 'us_ofac_sdn', record: 'sdn.csv:23729' }],
    params: { threshold: 0.7 },
  };
  const crypto: Omit<Finding, 'id'> = {
    kind: 'crypto.exposure',
    subjects: [FX.wallet],
    start: '2022-03-29T00:00:00.000Z',
    score: 0.95,
    redFlags: ['CRYPTO_EXPOSURE'],
    explanation: 'The address received 173,600 ETH from the Ronin bridge exploit attributed to the Lazarus Group.',
    evidence: [
      { source: 'eth-fixture', record: 'tx:0xc28fad5e8d5e0ce6a2eaf67b6687be5d58113e16be590824d6cfa1a94467d0b7' },
    ],
    params: { method: 'haircut' },
  };
  return [sts, gap, identity, match, crypto].map((f) => ({ ...f, id: findingId(f.kind, f.subjects, f.start) }));
}

export async function seedCaseFixture(store: Store): Promise<Finding[]> {
  const statements: Statement[] = [
    st(FX.tanker, 'Vessel', 'name', 'CHON MA SAN', 'sdn.csv:23729'),
    st(FX.tanker, 'Vessel', 'alias', '천마산호', 'sdn.csv:23729'),
    st(FX.tanker, 'Vessel', 'imoNumber', 'IMO8660313', 'sdn.csv:23729'),
    st(FX.tanker, 'Vessel', 'flag', 'kp', 'sdn.csv:23729'),
    st(FX.tanker, 'Vessel', 'topics', 'sanction', 'sdn.csv:23729'),
    st(FX.tanker, 'Vessel', 'owner', FX.owner, 'sdn.csv:23729'),
    st(FX.owner, 'Company', 'name', 'KOREA ACHIM SHIPPING CO', 'sdn.csv:23707'),
    st(FX.owner, 'Company', 'alias', '조선아침해운회사', 'sdn.csv:23707'),
    st(FX.owner, 'Company', 'topics', 'sanction', 'sdn.csv:23707'),
    st(FX.sanction, 'Sanction', 'entity', FX.tanker, 'sdn.csv:23729'),
    st(FX.sanction, 'Sanction', 'authority', 'US OFAC', 'sdn.csv:23729'),
    st(FX.sanction, 'Sanction', 'program', 'DPRK4', 'sdn.csv:23729'),
  ];
  await store.addListVersion(
    {
      id: 'wk_fixture@1',
      // Not "us_ofac_sdn": a version of that source would become the current OFAC list and hide the real one.
      source: 'wk_fixture',
      format: 'ofac-csv',
      url: null,
      fetchedAt: SEEN,
      sha256: 'f1c7e0b7a9d3c25e4f6a8b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6',
      recordCount: 2,
    },
    statements.map((s) => ({ ...s, versionId: 'wk_fixture@1' })),
  );
  const local = (entityId: string, schema: string, prop: string, value: string, source = 'fixture'): Statement => ({
    entityId,
    schema,
    prop,
    value,
    source,
    sourceRecord: `fixture:${entityId}`,
    seenAt: '2024-03-20T00:00:00.000Z',
  });
  await store.putStatements([
    local(FX.trader, 'Company', 'name', '示例海运有限公司'),
    local(FX.trader, 'Company', 'alias', 'Example Maritime Trading Ltd (fictional)'),
    local(FX.trader, 'Company', 'country', 'cn'),
    local(FX.ownership, 'Ownership', 'owner', FX.trader),
    local(FX.ownership, 'Ownership', 'asset', FX.aisReceiver),
    local(FX.aisTanker, 'Vessel', 'name', 'SEA STAR 7', 'ais'),
    local(FX.aisTanker, 'Vessel', 'mmsi', String(FX.mmsiTanker), 'ais'),
    local(FX.aisTanker, 'Vessel', 'imoNumber', 'IMO8660313', 'ais'),
    local(FX.aisReceiver, 'Vessel', 'name', 'HAI XING 21', 'ais'),
    local(FX.aisReceiver, 'Vessel', 'mmsi', String(FX.mmsiReceiver), 'ais'),
    local(FX.wallet, 'CryptoWallet', 'publicKey', FX.address.toLowerCase(), 'crypto'),
    local(FX.wallet, 'CryptoWallet', 'currency', 'ETH', 'crypto'),
  ]);
  const findings = fixtureFindings();
  await store.putFindings(findings);
  return findings;
}

/** Deterministic PRNG (mulberry32) so synthetic tracks are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Synthetic AIS for the map: the tanker and the receiver converging on the STS point in Korea Bay, plus
 * `background` other vessels wandering the Yellow Sea, `pointsPerVessel` positions each at 60 s intervals.
 * Also the tanker's identity history (two names under one IMO) in vessel_identity.
 */
export async function seedFixtureTracks(store: Store, background = 38, pointsPerVessel = 2700): Promise<number> {
  const rnd = prng(7);
  const t0 = Date.parse('2024-03-13T00:00:00Z');
  const vessels: Array<{ mmsi: number; lat: number; lon: number; dLat: number; dLon: number }> = [
    {
      mmsi: FX.mmsiTanker,
      lat: 38.95,
      lon: 124.6,
      dLat: (38.41 - 38.95) / pointsPerVessel,
      dLon: (123.92 - 124.6) / pointsPerVessel,
    },
    {
      mmsi: FX.mmsiReceiver,
      lat: 37.6,
      lon: 122.4,
      dLat: (38.41 - 37.6) / pointsPerVessel,
      dLon: (123.92 - 122.4) / pointsPerVessel,
    },
  ];
  for (let i = 0; i < background; i++) {
    vessels.push({
      mmsi: 412000000 + i * 17,
      lat: 33 + rnd() * 6,
      lon: 120 + rnd() * 6,
      dLat: (rnd() - 0.5) * 0.004,
      dLon: (rnd() - 0.5) * 0.004,
    });
  }
  const n = vessels.length * pointsPerVessel;
  const mmsi = new Int32Array(n);
  const ts = new BigInt64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const sog = new Float32Array(n);
  const msgType = new Int16Array(n);
  let k = 0;
  for (const v of vessels) {
    let la = v.lat;
    let lo = v.lon;
    for (let i = 0; i < pointsPerVessel; i++, k++) {
      mmsi[k] = v.mmsi;
      ts[k] = BigInt(t0 + i * 60_000);
      la += v.dLat + (rnd() - 0.5) * 0.0005;
      lo += v.dLon + (rnd() - 0.5) * 0.0005;
      lat[k] = la;
      lon[k] = lo;
      sog[k] = 8 + rnd() * 4;
      msgType[k] = 1;
    }
  }
  const cols = [
    { name: 'mmsi', type: 'int' as const },
    { name: 'ts', type: 'bigint' as const },
    { name: 'lat', type: 'double' as const },
    { name: 'lon', type: 'double' as const },
    { name: 'sog', type: 'real' as const },
    { name: 'msg_type', type: 'smallint' as const },
  ];
  await store.db.bulkInsert('positions', cols, [{ length: n, columns: [mmsi, ts, lat, lon, sog, msgType] }]);
  const day = 86_400_000;
  const idRows: Array<[number, string, string, number, number, string, number, number, number]> = [
    [FX.mmsiTanker, 'CHON MA SAN', 'HMYV', 8660313, 80, 'KP', t0 - 90 * day, t0 - 40 * day, 412],
    [FX.mmsiTanker, 'SEA STAR 7', '9LU2170', 8660313, 80, 'SL', t0 - 40 * day, t0 + 2 * day, 958],
    [FX.mmsiReceiver, 'HAI XING 21', '3E2291', 0, 80, 'PA', t0 - 200 * day, t0 + 2 * day, 2210],
  ];
  for (const r of idRows) {
    await store.db.query(
      'INSERT INTO vessel_identity (mmsi, name, callsign, imo, ship_type, flag, first_seen, last_seen, messages) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [r[0], r[1], r[2], r[3] || null, r[4], r[5], r[6], r[7], r[8]],
    );
  }
  return n;
}
