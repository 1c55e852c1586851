import { beforeAll, describe, expect, it } from 'vitest';
import { assertFinding } from '../../src/findings/finding.js';
import { detectEncounters } from '../../src/maritime/events/encounter.js';
import { detectGaps } from '../../src/maritime/events/gap.js';
import { detectIdentity, imoValid } from '../../src/maritime/events/identity.js';
import { detectLoitering } from '../../src/maritime/events/loitering.js';
import { detectPortVisits } from '../../src/maritime/events/port-visit.js';
import { detectSpoofing } from '../../src/maritime/events/spoofing.js';
import { detectZoneEntries } from '../../src/maritime/events/zone.js';
import { buildGeoContext } from '../../src/maritime/geo/context.js';
import { destination } from '../../src/maritime/geo/distance.js';
import { buildTracks } from '../../src/maritime/tracks/segment.js';
import { PositionBuilder, type StaticReport } from '../../src/maritime/tracks/types.js';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const MIN = 60_000;
const H = 3_600_000;

type Fix = [mmsi: number, tsMs: number, lat: number, lon: number, sogKn: number];

/** A straight track from `from` on a bearing at a speed, one fix every `everyS` seconds. */
function sail(
  mmsi: number,
  t0: number,
  hours: number,
  from: [number, number],
  bearing: number,
  speedKn: number,
  everyS = 60,
): Fix[] {
  const out: Fix[] = [];
  for (let s = 0; s <= hours * 3600; s += everyS) {
    const [lat, lon] = destination(from[0], from[1], bearing, speedKn * 0.514444 * s);
    out.push([mmsi, t0 + s * 1000, lat, lon, speedKn]);
  }
  return out;
}

function tracksOf(fixes: Fix[], statics: StaticReport[] = []) {
  const pb = new PositionBuilder();
  const src = pb.sourceId('unit');
  for (const [m, t, lat, lon, sog] of fixes) pb.push(m, t, lat, lon, sog, 0, src);
  return buildTracks(pb.finish(), statics);
}

const st = (mmsi: number, tsMs: number, o: Partial<StaticReport>): StaticReport => ({
  mmsi,
  tsMs,
  imo: null,
  name: null,
  callsign: null,
  shipType: null,
  draughtM: null,
  destination: null,
  source: 'unit',
  ...o,
});

let geo: ReturnType<typeof buildGeoContext>;
beforeAll(() => {
  geo = buildGeoContext({ minLon: 119, minLat: 34, maxLon: 126, maxLat: 40 });
});

describe('ais.gap', () => {
  it('records positions, distance, implied speed and a draught change; intentional far from shore', () => {
    const mid: [number, number] = [35.5, 123.5]; // > 100 nm from shore
    const before = sail(372345000, T0, 2, mid, 0, 10);
    const last = before[before.length - 1]!;
    const after = sail(372345000, last[1] + 14 * H, 2, destination(last[2], last[3], 0, 100_000), 0, 10);
    const statics = [st(372345000, T0, { draughtM: 5.2 }), st(372345000, last[1] + 14 * H + MIN, { draughtM: 11.8 })];
    const f = detectGaps(tracksOf([...before, ...after], statics), geo);
    expect(f).toHaveLength(1);
    const g = f[0]!;
    assertFinding(g);
    expect(g.kind).toBe('ais.gap');
    expect(g.details).toMatchObject({
      durationH: 14,
      likelyIntentional: true,
      draughtBeforeM: 5.2,
      draughtAfterM: 11.8,
      draughtChangeM: 6.6,
      cargoMoved: true,
    });
    expect(g.details!.distanceNm as number).toBeCloseTo(54, 0);
    expect(g.details!.impliedSpeedKn as number).toBeCloseTo(3.86, 1);
    expect(g.redFlags).toEqual(['AIS_MANIPULATION', 'SHIP_TO_SHIP_TRANSFER']);
    expect(g.geometry?.type).toBe('LineString');
    expect(g.params).toMatchObject({ minGapS: 21600, intentionalMinGapS: 43200, intentionalMinShoreNm: 50 });
    expect(g.evidence[0]!.record).toBe(`mmsi:372345000@${last[1]}`);
  });
  it('writes draughts read back from the store (4-byte REAL) to the 0.1 m they were sent in', () => {
    // Issue 16: case evidence said "draught before: 9.800000190734863 m" (the note) in the API, CLI and web.
    const mid: [number, number] = [35.5, 123.5];
    const before = sail(372345000, T0, 2, mid, 0, 10);
    const last = before[before.length - 1]!;
    const after = sail(372345000, last[1] + 14 * H, 2, destination(last[2], last[3], 0, 100_000), 0, 10);
    const d1 = Math.fround(9.8);
    const d2 = Math.fround(5.2);
    expect(String(d1)).toBe('9.800000190734863');
    const statics = [st(372345000, T0, { draughtM: d1 }), st(372345000, last[1] + 14 * H + MIN, { draughtM: d2 })];
    const [g] = detectGaps(tracksOf([...before, ...after], statics), geo);
    expect(g!.evidence.map((e) => e.note).slice(2)).toEqual(['draught before: 9.8 m', 'draught after: 5.2 m']);
    expect(g!.explanation).toContain('draught changed from 9.8 m to 5.2 m across the gap');
  });
  it('a 5 h silence is no gap; a 7 h one near the coast is not intentional', () => {
    const coast: [number, number] = [36.0, 120.45]; // off Qingdao
    const a = sail(1, T0, 1, coast, 90, 5);
    const b = sail(1, T0 + 6 * H, 1, coast, 90, 5);
    expect(detectGaps(tracksOf([...a, ...b]), geo)).toHaveLength(0);
    const c = sail(1, T0 + 8 * H, 1, coast, 90, 5);
    const f = detectGaps(tracksOf([...a, ...c]), geo);
    expect(f).toHaveLength(1);
    expect(f[0]!.details!.likelyIntentional).toBe(false);
    expect(f[0]!.redFlags).toEqual([]);
  });
});

describe('ais.encounter', () => {
  const spot: [number, number] = [39.2, 123.75]; // Korea Bay, ~50 km from the nearest anchorage
  it('two slow vessels within 500 m for 3 h, one DPRK-flagged', () => {
    const a = sail(354771000, T0, 3, spot, 200, 0.3, 120);
    const b = sail(445112000, T0, 3, destination(spot[0], spot[1], 90, 80), 200, 0.3, 180);
    const f = detectEncounters(tracksOf([...a, ...b]), geo);
    expect(f).toHaveLength(1);
    const e = f[0]!;
    assertFinding(e);
    expect(e.subjects).toEqual(['ais-354771000', 'ais-445112000']);
    expect(e.redFlags).toEqual(['SHIP_TO_SHIP_TRANSFER', 'CONTACT_WITH_SANCTIONED_VESSEL', 'HIGH_RISK_AREA']);
    expect(e.details!.durationH).toBe(3);
    expect(e.details!.medianDistanceM as number).toBeGreaterThan(70);
    expect(e.details!.medianDistanceM as number).toBeLessThan(90);
    expect(e.details!.zones).toEqual(['sts-korea-bay']);
    expect(e.geometry?.type).toBe('LineString');
  });
  it('not when too short, too fast, too far apart, or near a port', () => {
    const a = sail(1, T0, 1.5, spot, 200, 0.3);
    const b = sail(2, T0, 1.5, destination(spot[0], spot[1], 90, 80), 200, 0.3);
    expect(detectEncounters(tracksOf([...a, ...b]), geo)).toHaveLength(0);
    const c = sail(1, T0, 3, spot, 200, 3);
    const d = sail(2, T0, 3, destination(spot[0], spot[1], 90, 80), 200, 3);
    expect(detectEncounters(tracksOf([...c, ...d]), geo)).toHaveLength(0);
    const e = sail(1, T0, 3, spot, 200, 0.3);
    const f = sail(2, T0, 3, destination(spot[0], spot[1], 90, 800), 200, 0.3);
    expect(detectEncounters(tracksOf([...e, ...f]), geo)).toHaveLength(0);
    const port: [number, number] = [38.93, 121.68]; // Dalian
    const g = sail(1, T0, 3, port, 0, 0);
    const h = sail(2, T0, 3, destination(port[0], port[1], 90, 50), 0, 0);
    expect(detectEncounters(tracksOf([...g, ...h]), geo)).toHaveLength(0);
  });
  it('merges meetings of the same pair less than 4 h apart, and does not interpolate over gaps > 1 h', () => {
    const a1 = sail(1, T0, 2.5, spot, 0, 0);
    const b1 = sail(2, T0, 2.5, destination(spot[0], spot[1], 90, 60), 0, 0);
    const a2 = sail(1, T0 + 5 * H, 2.5, spot, 0, 0);
    const b2 = sail(2, T0 + 5 * H, 2.5, destination(spot[0], spot[1], 90, 60), 0, 0);
    const f = detectEncounters(tracksOf([...a1, ...b1, ...a2, ...b2]), geo);
    expect(f).toHaveLength(1);
    expect(f[0]!.details!.durationH).toBe(7.5);
    // Two fixes 3 h apart would give an interpolated 3 h "encounter" if gaps were bridged.
    const c = [[1, T0, spot[0], spot[1], 0] as Fix, [1, T0 + 3 * H, spot[0], spot[1], 0] as Fix];
    const d = sail(2, T0, 3, destination(spot[0], spot[1], 90, 60), 0, 0);
    expect(detectEncounters(tracksOf([...c, ...d]), geo)).toHaveLength(0);
  });
});

describe('ais.loitering, ais.port_visit, ais.zone_entry', () => {
  it('loitering: slow for 5 h far from shore, not near the coast', () => {
    const far = sail(1, T0, 5, [35.5, 123.5], 0, 1);
    const f = detectLoitering(tracksOf(far), geo);
    expect(f).toHaveLength(1);
    expect(f[0]!.details).toMatchObject({ durationH: 5, medianSpeedKn: 1 });
    const near = sail(2, T0, 5, [36.0, 120.45], 0, 1);
    expect(detectLoitering(tracksOf(near), geo)).toHaveLength(0);
  });
  it('port visit at Nampo is a DPRK port call; passing a port is not a visit', () => {
    const inbound = sail(671200000, T0, 1, destination(38.716667, 125.4, 270, 9260), 90, 5);
    const last = inbound[inbound.length - 1]!;
    const stay = sail(671200000, last[1] + 180_000, 6, [last[2], last[3]], 0, 0, 180);
    const outbound = sail(671200000, stay[stay.length - 1]![1] + 60_000, 1, [last[2], last[3]], 270, 5);
    const f = detectPortVisits(tracksOf([...inbound, ...stay, ...outbound]), geo);
    expect(f).toHaveLength(1);
    expect(f[0]!.redFlags).toEqual(['DPRK_PORT_CALL']);
    expect(f[0]!.details).toMatchObject({ port: { name: 'NAMPO', iso3: 'PRK' }, dprkPort: true, open: false });
    expect(f[0]!.details!.stopDurationH as number).toBeGreaterThan(5.9);
    const passing = sail(2, T0, 2, destination(38.916667, 121.666667, 180, 8000), 0, 12);
    expect(detectPortVisits(tracksOf(passing), geo)).toHaveLength(0);
  });
  it('zone entry into the Korea Bay hotspot', () => {
    const f = detectZoneEntries(tracksOf(sail(1, T0, 10, [38.5, 123.5], 0, 10)), geo);
    expect(f.map((x) => (x.details!.zone as { id: string }).id)).toEqual(['sts-korea-bay']);
    expect(f[0]!.redFlags).toEqual(['HIGH_RISK_AREA']);
  });
});

describe('ais.identity_change', () => {
  it('IMO check digit', () => {
    expect(imoValid(9074729)).toBe(true);
    expect(imoValid(8814275)).toBe(true);
    expect(imoValid(8912345)).toBe(false);
    expect(imoValid(123)).toBe(false);
  });
  it('a DPRK MID is read in every MMSI form: group 0MID and handheld 8MID too, SAR 111MID as a station', () => {
    // Before one MID reader, events said 0 for 044512345 (group) and the AIS table said 445; 844512345 (handheld)
    // the other way round.
    const fixes: Fix[] = [44512345, 844512345, 111445123, 412123456].map((m, k) => [m, T0 + k * H, 39, 124, 0]);
    const f = detectIdentity(tracksOf(fixes));
    const dprk = f.filter((x) => (x.details as { check: string }).check === 'dprk_mid');
    expect(dprk.map((x) => [x.subjects[0], (x.details as { mmsiForm: string }).mmsiForm])).toEqual([
      ['ais-44512345', 'group'],
      ['ais-111445123', 'sar_aircraft'],
      ['ais-844512345', 'handheld'],
    ]);
    expect(dprk[0]!.explanation).toContain('group call identity under MID 445');
  });
  it('name/IMO change, invalid IMO, DPRK MID, one IMO under two MMSIs with different flags', () => {
    const statics = [
      st(671200000, T0, { name: 'XIN HAI', imo: 9341067, callsign: '5VDK2' }),
      st(671200000, T0 + H, { name: 'XIN HAI', imo: 9341067, callsign: '5VDK2' }),
      st(671200000, T0 + 2 * H, { name: 'GREAT LUCK', imo: 8912345, callsign: 'T8AB3' }),
      st(511100000, T0, { name: 'SEA PEARL', imo: 9218777 }),
      st(667100000, T0 + 5 * H, { name: 'SEA PEARL', imo: 9218777 }),
      st(445112000, T0 + 3 * H, { name: 'RYONG BONG 7' }),
    ];
    const f = detectIdentity(tracksOf([[445112000, T0 + 2 * H, 39, 124, 0]], statics));
    const checks = f.map((x) => `${(x.details as { check: string }).check}:${x.subjects.join('+')}`).sort();
    expect(checks).toEqual([
      'dprk_mid:ais-445112000',
      'field_change:ais-671200000',
      'flag_hopping:ais-511100000+ais-667100000',
      'imo_check_digit:ais-671200000',
    ]);
    const change = f.find((x) => (x.details as { check: string }).check === 'field_change')!;
    expect((change.details as { changes: Array<{ field: string }> }).changes.map((c) => c.field)).toEqual([
      'name',
      'callsign',
      'imo',
    ]);
    expect(change.start).toBe(new Date(T0 + 2 * H).toISOString());
    const dprk = f.find((x) => (x.details as { check: string }).check === 'dprk_mid')!;
    expect(dprk.start).toBe(new Date(T0 + 2 * H).toISOString()); // first seen: the position before the static
  });
});

describe('ais.spoofing and segmentation', () => {
  it('a cloned MMSI gives two interleaved segments and one finding', () => {
    const a = sail(477300000, T0, 6, [35.0, 121.0], 0, 12, 30);
    const b = sail(477300000, T0 + 2 * H, 3, [38.0, 123.0], 90, 10, 40);
    const tracks = tracksOf([...a, ...b]);
    expect(tracks.segments).toHaveLength(2);
    const f = detectSpoofing(tracks, geo);
    expect(f).toHaveLength(1);
    expect(f[0]!.details).toMatchObject({ check: 'cloned_mmsi', overlapH: 3 });
    expect(f[0]!.details!.distanceKm as number).toBeGreaterThan(300);
    expect(f[0]!.redFlags).toEqual(['AIS_MANIPULATION', 'VESSEL_IDENTITY_ALTERATION']);
  });
  it('a lone fix 200 km away is an impossible jump (and here on land)', () => {
    const a = sail(1, T0, 2, [36.0, 123.0], 0, 12, 60);
    const jump: Fix = [1, T0 + 30 * MIN + 10_000, 39.03, 125.75, 12]; // Pyongyang
    const tracks = tracksOf([...a, jump]);
    const f = detectSpoofing(tracks, geo);
    expect(f.map((x) => (x.details as { check: string }).check).sort()).toEqual(['impossible_jump', 'on_land']);
    const land = f.find((x) => (x.details as { check: string }).check === 'on_land')!;
    expect(land.details!.inlandKm as number).toBeGreaterThan(20);
  });
  it('a track that jumps 300 km in a minute and carries on normally is a teleport', () => {
    // Six hours in the Yellow Sea, then the same transmitter reports 300 km to the north-east a minute later and
    // sails on from there for six hours: two long segments back to back, joined only at ~9,700 kn.
    const a = sail(412000001, T0, 6, [35.0, 122.0], 0, 12, 60);
    const far = destination(a[a.length - 1]![2], a[a.length - 1]![3], 45, 300_000);
    const b = sail(412000001, a[a.length - 1]![1] + MIN, 6, far, 0, 12, 60);
    const tracks = tracksOf([...a, ...b]);
    expect(tracks.segments.map((x) => x.idx.length)).toEqual([a.length, b.length]);
    const f = detectSpoofing(tracks, geo);
    expect(f.map((x) => (x.details as { check: string }).check)).toEqual(['teleport']);
    expect(f[0]!.details).toMatchObject({ distanceKm: 300, gapH: 0.02, jumps: 1, segmentPoints: [361, 361] });
    expect(f[0]!.details!.impliedSpeedKn as number).toBeGreaterThan(9000);
    expect(f[0]!.start).toBe(new Date(a[a.length - 1]![1]).toISOString());
    expect(f[0]!.explanation).toContain('jumped 300 km in 60 s');
    expect(f[0]!.evidence.map((e) => e.note)).toEqual(['last fix before the jump', 'first fix after the jump']);
  });
  it('out and back: a long stretch of fixes elsewhere between two parts of one track is one teleport finding', () => {
    const a = sail(412000002, T0, 3, [35.0, 122.0], 90, 10, 60);
    const endA = a[a.length - 1]!;
    const away = sail(412000002, endA[1] + MIN, 1, [37.5, 124.0], 0, 10, 60);
    const back = sail(412000002, away[away.length - 1]![1] + MIN, 3, [endA[2], endA[3] + 0.01], 90, 10, 60);
    const f = detectSpoofing(tracksOf([...a, ...away, ...back]), geo);
    expect(f.map((x) => (x.details as { check: string; jumps: number }).jumps)).toEqual([2]);
    expect(f[0]!.explanation).toContain('and back once');
  });
  it('a ship that reappears 2,500 km away after a 4-day gap (15 kn over the gap) is not spoofing', () => {
    const a = sail(412000003, T0, 6, [30.5, 123.0], 0, 12, 60);
    const last = a[a.length - 1]!;
    const far = destination(last[2], last[3], 60, 2_500_000);
    const b = sail(412000003, last[1] + 96 * H, 6, far, 0, 12, 60);
    const tracks = tracksOf([...a, ...b]);
    expect(tracks.segments).toHaveLength(2); // the 96 h gap closes the first segment (72 h)
    expect(detectSpoofing(tracks, geo)).toEqual([]);
    // The same pair of tracks 10 h apart needs 135 kn: that is a teleport.
    const soon = sail(412000003, last[1] + 10 * H, 6, far, 0, 12, 60);
    const g = detectSpoofing(tracksOf([...a, ...soon]), geo);
    expect(g.map((x) => (x.details as { check: string }).check)).toEqual(['teleport']);
    expect(g[0]!.details!.impliedSpeedKn).toBe(135);
  });
});
