import { imoValid } from '../events/identity.js';
import { destination } from '../geo/distance.js';
import { berthOf, SEA_NODES, SIM_PORTS, type SimPort, seaRoute } from './geography.js';
import { type Activity, sailActivity, sailTimeAt } from './motion.js';
import { Rng } from './prng.js';

/**
 * The Yellow Sea scenario: normal traffic (ferries, container ships, tankers, bulk carriers, fishing fleets) on sea
 * lanes between real ports, plus the injected evasion the brief asks for. Every injected event, and every port
 * call the traffic makes with AIS on, goes into the truth list.
 */

const H = 3_600_000;

export interface IdentityPhase {
  fromMs: number;
  mmsi: number;
  imo: number | null;
  name: string;
  callsign: string;
}

export interface SimVessel {
  key: string;
  role: string;
  aisClass: 'A' | 'B';
  shipType: number;
  lengthM: number;
  beamM: number;
  identities: IdentityPhase[];
  draughts: Array<{ fromMs: number; draughtM: number }>;
  activities: Activity[];
  /** Windows when the transponder is on; absent = always. */
  aisOn?: Array<[number, number]>;
  underwayIntervalS: number;
  destination: string;
  /** Injected spoofed fixes (a position the ship cannot be at), emitted between its real reports. */
  spoofFixes?: Array<{ tsMs: number; lat: number; lon: number }>;
  /** What a ship-registry extract says about the hull (owners and managers over time): `registryCsv` writes it. */
  registry?: RegistryRow[];
}

/**
 * One row of a ship-registry extract, in the CSV layout `watchkeeper ownership import` reads (docs/ownership.md):
 * the simulated registry side of a hull, so ownership detection runs end to end on simulated data.
 */
export interface RegistryRow {
  imo: number;
  vesselName: string;
  /** ISO alpha-2. */
  flag: string;
  role: string;
  companyName: string;
  /** The 7-digit IMO company number. */
  companyImo?: string;
  companyAddress?: string;
  companyCountry?: string;
  /** YYYY-MM-DD */
  effectiveDate: string;
  endDate?: string;
  share?: number;
  companyIncorporated?: string;
}

export interface TruthEvent {
  kind: string;
  mmsis: number[];
  start: string;
  end?: string;
  injected: boolean;
  note: string;
  /** Ownership truth (kinds vessel.* and network.*): the hull and the companies the finding must name. */
  imo?: number;
  subjects?: string[];
  details?: Record<string, unknown>;
}

/**
 * Cargo the scenario moves (what the cargo estimator should find): the tonnes are the truth, computed with the
 * simulated hull's own block coefficient (SIM_HULL_CB); the AIS draughts are rounded to 0.1 m as AIS carries them.
 */
export interface InjectedCargo {
  kind: 'petroleum_sts' | 'coal_loading';
  /** The receiving vessel (DPRK tanker, or the coal carrier). */
  mmsi: number;
  /** The supplying tanker (STS). */
  counterpart?: number;
  start: string;
  end: string;
  tonnes: number;
  barrels?: number;
  product?: 'gasoil';
  port?: string;
  note: string;
}

export interface Scenario {
  name: string;
  seed: number;
  startMs: number;
  endMs: number;
  vessels: SimVessel[];
  truth: TruthEvent[];
  cargo: InjectedCargo[];
}

/** Block coefficient of the simulated tankers' and bulk carriers' hulls (inside the estimator's 0.80–0.85). */
export const SIM_HULL_CB = 0.82;
/** Barrels per tonne of gas/diesel oil (IEA Energy Statistics Manual), the product the STS tankers carry. */
const SIM_GASOIL_BBL_PER_T = 7.46;

/** Tonnes per metre of draught of a simulated hull: ρ · L · B · Cwp with Cwp = (1 + 2·Cb)/3. */
export function simTonnesPerM(lengthM: number, beamM: number): number {
  return 1.025 * lengthM * beamM * ((1 + 2 * SIM_HULL_CB) / 3);
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

export const SCENARIOS = ['yellow-sea', 'evasion-only', 'sale-reflag'] as const;

/** The IMO number with these six leading digits and the check digit that makes it valid. */
export function imoWithCheckDigit(six: number): number {
  for (let d = 0; d <= 9; d++) if (imoValid(six * 10 + d)) return six * 10 + d;
  throw new Error(`scenario: no IMO number starts with ${six}`);
}

const NAMES_A = [
  'OCEAN',
  'SEA',
  'GOLDEN',
  'EASTERN',
  'PACIFIC',
  'GRAND',
  'BRIGHT',
  'HAPPY',
  'LUCKY',
  'NORTH',
  'JIN',
  'HUA',
  'XIN',
  'HAN',
  'DONG',
];
const NAMES_B = [
  'PIONEER',
  'GLORY',
  'STAR',
  'HARMONY',
  'FORTUNE',
  'PEARL',
  'WISDOM',
  'BRIDGE',
  'HAI',
  'YANG',
  'FENG',
  'SHUN',
  'DA',
  'LONG',
];

class Planner {
  readonly acts: Activity[] = [];
  constructor(
    public t: number,
    private readonly rng: Rng,
  ) {}
  berth(port: SimPort, untilMs: number): this {
    // A berth a little off the port's berth point (which is in the water), never far enough to reach the shore.
    const [bLat, bLon] = berthOf(port);
    const [lat, lon] = destination(bLat, bLon, this.rng.range(0, 360), this.rng.range(20, 200));
    this.acts.push({ kind: 'berth', startMs: this.t, endMs: untilMs, lat, lon, port: port.id });
    this.t = untilMs;
    return this;
  }
  sail(path: Array<[number, number]>, speedKn: number): Activity & { kind: 'sail' } {
    // Leave from where the last berth put the ship.
    const last = this.acts[this.acts.length - 1];
    const p = [...path];
    if (last && last.kind === 'berth') p[0] = [last.lat, last.lon];
    const a = sailActivity(this.t, p, speedKn);
    this.acts.push(a);
    this.t = a.endMs;
    return a;
  }
  hold(lat: number, lon: number, untilMs: number, refMs: number, driftKn: number, offsetE = 0, offsetN = 0): this {
    this.acts.push({
      kind: 'drift',
      startMs: this.t,
      endMs: untilMs,
      lat,
      lon,
      refMs,
      driftKn,
      driftDeg: 200,
      offsetE,
      offsetN,
    });
    this.t = untilMs;
    return this;
  }
}

interface Builder {
  rng: Rng;
  startMs: number;
  endMs: number;
  vessels: SimVessel[];
  truth: TruthEvent[];
  usedMmsi: Set<number>;
}

function newMmsi(b: Builder, mids: number[]): number {
  for (;;) {
    const m = b.rng.pick(mids) * 1_000_000 + b.rng.int(100_000, 999_999);
    if (!b.usedMmsi.has(m)) {
      b.usedMmsi.add(m);
      return m;
    }
  }
}
/**
 * Synthetic IMO numbers use the 1xxxxxx range with a valid check digit: ship IMO numbers start at 5-9, so these never
 * collide with a real (possibly sanctioned) ship. The STS partner (a DPRK tanker) alone carries a real listed identity on purpose.
 */
const newImo = (b: Builder) => imoWithCheckDigit(b.rng.int(100_000, 199_999));
const newName = (b: Builder) =>
  `${b.rng.pick(NAMES_A)} ${b.rng.pick(NAMES_B)}${b.rng.next() < 0.5 ? ` ${b.rng.int(1, 99)}` : ''}`;
const newCallsign = (b: Builder, prefix: string) =>
  prefix + Array.from({ length: 4 }, () => 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'[b.rng.int(0, 32)]).join('');

const iso = (ms: number) => new Date(ms).toISOString();
/** The UTC date of an instant, and of the day before it (registry dates are days). */
const dayOf = (ms: number) => iso(ms).slice(0, 10);
const dayBefore = (ms: number) => iso(Date.parse(dayOf(ms)) - 86_400_000).slice(0, 10);

function portPath(from: string, to: string): Array<[number, number]> {
  return seaRoute(from, to);
}

/** Plain commercial traffic: a random itinerary of port calls. */
function trader(
  b: Builder,
  role: string,
  shipType: number,
  mids: number[],
  ports: string[],
  speed: [number, number],
  dwellH: [number, number],
  draughtM: number,
  lengthM: number,
): SimVessel {
  const { rng } = b;
  const p = new Planner(b.startMs, rng);
  let port = rng.pick(ports);
  p.berth(SIM_PORTS[port]!, b.startMs + rng.range(0.5, dwellH[1]) * H);
  while (p.t < b.endMs) {
    let next = rng.pick(ports);
    while (next === port) next = rng.pick(ports);
    p.sail(portPath(port, next), rng.range(speed[0], speed[1]));
    if (p.t >= b.endMs) break;
    p.berth(SIM_PORTS[next]!, p.t + rng.range(dwellH[0], dwellH[1]) * H);
    port = next;
  }
  return {
    key: `${role}-${b.vessels.length}`,
    role,
    aisClass: 'A',
    shipType,
    lengthM,
    beamM: Math.round(lengthM / 6.5),
    identities: [
      { fromMs: b.startMs, mmsi: newMmsi(b, mids), imo: newImo(b), name: newName(b), callsign: newCallsign(b, 'B') },
    ],
    draughts: [{ fromMs: b.startMs, draughtM }],
    activities: p.acts,
    underwayIntervalS: rng.range(10, 30),
    destination: SIM_PORTS[port]!.wpiName,
  };
}

function ferry(b: Builder, a: string, c: string): SimVessel {
  const { rng } = b;
  const p = new Planner(b.startMs, rng);
  let here = a;
  let there = c;
  p.berth(SIM_PORTS[here]!, b.startMs + rng.range(1, 8) * H);
  while (p.t < b.endMs) {
    p.sail(portPath(here, there), rng.range(17, 21));
    if (p.t >= b.endMs) break;
    p.berth(SIM_PORTS[there]!, p.t + rng.range(3, 6) * H);
    [here, there] = [there, here];
  }
  return {
    key: `ferry-${b.vessels.length}`,
    role: 'ferry',
    aisClass: 'A',
    shipType: 60,
    lengthM: 180,
    beamM: 28,
    identities: [
      {
        fromMs: b.startMs,
        mmsi: newMmsi(b, [412, 413, 440, 441]),
        imo: newImo(b),
        name: newName(b),
        callsign: newCallsign(b, 'D'),
      },
    ],
    draughts: [{ fromMs: b.startMs, draughtM: 6.2 }],
    activities: p.acts,
    underwayIntervalS: rng.range(10, 15),
    destination: SIM_PORTS[there]!.wpiName,
  };
}

function fishingFleet(b: Builder, centre: [number, number], n: number): void {
  const { rng } = b;
  for (let k = 0; k < n; k++) {
    const [lat, lon] = destination(
      destination(centre[0], centre[1], 90, (k % 3) * 9000)[0],
      destination(centre[0], centre[1], 90, (k % 3) * 9000)[1],
      0,
      Math.floor(k / 3) * 9000,
    );
    b.vessels.push({
      key: `fishing-${b.vessels.length}`,
      role: 'fishing',
      aisClass: 'B',
      shipType: 30,
      lengthM: 40,
      beamM: 8,
      identities: [
        {
          fromMs: b.startMs,
          mmsi: newMmsi(b, [412, 413]),
          imo: null,
          name: `LU RONG YU ${rng.int(1000, 9999)}`,
          callsign: newCallsign(b, 'B'),
        },
      ],
      draughts: [{ fromMs: b.startMs, draughtM: 3 }],
      activities: [
        {
          kind: 'fish',
          startMs: b.startMs,
          endMs: b.endMs,
          lat,
          lon,
          radiusM: rng.range(1500, 3000),
          speedKn: rng.range(3, 4.5),
          phase: rng.range(0, 6.28),
        },
      ],
      underwayIntervalS: 30,
      destination: 'FISHING',
    });
  }
}

/** Port calls made with AIS on become truth events (kind ais.port_visit). */
function portVisitTruth(b: Builder, v: SimVessel, injected: (port: string) => boolean): void {
  for (const a of v.activities) {
    if (a.kind !== 'berth') continue;
    const s = Math.max(a.startMs, b.startMs);
    const e = Math.min(a.endMs, b.endMs);
    if (e - s < 35 * 60_000) continue;
    if (v.aisOn && !v.aisOn.some(([x, y]) => x <= s + H && y >= e - H)) continue;
    const mmsi = identityAt(v, s).mmsi;
    const port = SIM_PORTS[a.port]!;
    b.truth.push({
      kind: 'ais.port_visit',
      mmsis: [mmsi],
      start: iso(s),
      end: iso(e),
      injected: injected(a.port),
      note: `${v.role} ${mmsi} at ${port.wpiName} (${port.iso3})`,
      details: { port: port.wpiName, dprk: port.iso3 === 'PRK' },
    });
  }
}

export function identityAt(v: SimVessel, t: number): IdentityPhase {
  let cur = v.identities[0]!;
  for (const i of v.identities) if (i.fromMs <= t) cur = i;
  return cur;
}

function mmsiOf(v: SimVessel): number {
  return v.identities[0]!.mmsi;
}

function pathIndexOf(path: Array<[number, number]>, node: string): number {
  const n = SEA_NODES[node]!;
  const k = path.findIndex((p) => p[0] === n[0] && p[1] === n[1]);
  if (k < 0) throw new Error(`scenario: route does not pass ${node}`);
  return k;
}

export function buildScenario(name: string, seed: number, startIso = '2024-03-01T00:00:00Z', hours = 72): Scenario {
  if (!(SCENARIOS as readonly string[]).includes(name))
    throw new Error(`unknown scenario "${name}"; use one of ${SCENARIOS.join(', ')}`);
  const startMs = Date.parse(startIso);
  const b: Builder = {
    rng: new Rng(seed),
    startMs,
    endMs: startMs + hours * H,
    vessels: [],
    truth: [],
    usedMmsi: new Set(),
  };
  const cargo: InjectedCargo[] = [];
  const { rng } = b;
  const at = (h: number) => startMs + h * H;

  // ---- normal traffic -------------------------------------------------------------------------------------
  if (name === 'yellow-sea') {
    const cn = ['lianyungang', 'rizhao', 'qingdao', 'yantai', 'dalian', 'tianjin', 'zhoushan', 'longkou', 'dandong'];
    const all = [...cn, 'kunsan', 'daesan'];
    for (const [x, y] of [
      ['dalian', 'yantai'],
      ['dalian', 'yantai'],
      ['qingdao', 'kunsan'],
      ['dalian', 'daesan'],
    ] as const)
      b.vessels.push(ferry(b, x, y));
    for (let k = 0; k < 6; k++)
      b.vessels.push(trader(b, 'container', 71, [412, 413, 477, 636, 538], all, [15, 19], [4, 12], 11, 260));
    for (let k = 0; k < 6; k++)
      b.vessels.push(trader(b, 'bulk', 70, [412, 413, 352, 636, 538, 370], cn, [10, 13], [8, 20], 12, 190));
    for (let k = 0; k < 4; k++)
      b.vessels.push(trader(b, 'tanker', 80, [412, 413, 636, 538, 356], all, [11, 14], [6, 16], 10, 180));
    fishingFleet(b, [34.3, 122.0], 5);
    fishingFleet(b, [36.1, 122.6], 5);
    fishingFleet(b, [33.6, 124.2], 5);
    for (const v of b.vessels) portVisitTruth(b, v, () => false);
  }
  const normalCount = b.vessels.length;

  // ---- injected: tanker goes dark, meets a listed DPRK tanker in Korea Bay (STS) ------------------------------
  const MP: [number, number] = [SEA_NODES.korea_bay![0], SEA_NODES.korea_bay![1]];
  const tp = new Planner(startMs, rng);
  tp.berth(SIM_PORTS.zhoushan!, at(2));
  const zs = SIM_PORTS.zhoushan!;
  const tPath: Array<[number, number]> = [
    berthOf(zs),
    ...zs.channel!,
    SEA_NODES.zs_app!,
    SEA_NODES.ecs_n!,
    SEA_NODES.ys_sw!,
    SEA_NODES.ys_mid!,
    [37.5, 124.0],
    MP,
  ];
  const [mpE] = [destination(MP[0], MP[1], 90, 60)];
  tPath[tPath.length - 1] = [mpE[0], mpE[1]];
  const tSail = tp.sail(tPath, 12);
  const darkFrom = sailTimeAt(tSail, pathIndexOf(tPath, 'ys_mid')) + 0.5 * H;
  const tArrive = tSail.endMs;
  const darkTo = tArrive - 1.5 * H;
  const stsEnd = tArrive + 7.5 * H;
  tp.hold(MP[0], MP[1], stsEnd, tArrive, 0.3, 60, 0);
  tp.sail(
    [
      destination(
        destination(MP[0], MP[1], 200, 0.3 * 1852 * 7.5)[0],
        destination(MP[0], MP[1], 200, 0.3 * 1852 * 7.5)[1],
        90,
        60,
      ),
      SEA_NODES.kb_w!,
      SEA_NODES.sd_n!,
      SEA_NODES.yt_app!,
      berthOf(SIM_PORTS.yantai!),
    ],
    12,
  );
  if (tp.t < b.endMs) tp.berth(SIM_PORTS.yantai!, b.endMs);
  const tanker: SimVessel = {
    key: 'inj-tanker',
    role: 'tanker (goes dark, STS with DPRK tanker)',
    aisClass: 'A',
    shipType: 80,
    lengthM: 183,
    beamM: 32,
    identities: [
      {
        fromMs: startMs,
        mmsi: 354_771_000 + rng.int(0, 999),
        imo: imoWithCheckDigit(117_235),
        name: 'OCEAN GRACE',
        callsign: '3FQK7',
      },
    ],
    // Gas oil for the DPRK tanker: the supplier's draught falls by the same tonnes (computed below).
    draughts: [{ fromMs: startMs, draughtM: 9.8 }],
    activities: tp.acts,
    aisOn: [
      [startMs, darkFrom],
      [darkTo, b.endMs],
    ],
    underwayIntervalS: 12,
    destination: 'YANTAI',
  };
  const np = SIM_PORTS.nampo!;
  const dIn: Array<[number, number]> = [berthOf(np), ...np.channel!, SEA_NODES.np_app!, SEA_NODES.nampo_sea!, MP];
  const dTravel = sailActivity(0, dIn, 10).endMs;
  const dp = new Planner(startMs, rng);
  dp.berth(np, tArrive - 1.3 * H - dTravel);
  const dSail = dp.sail(dIn, 10);
  const dArrive = dSail.endMs;
  dp.hold(MP[0], MP[1], tArrive, tArrive, 0);
  dp.hold(MP[0], MP[1], stsEnd, tArrive, 0.3);
  const dOut = [...dIn].reverse();
  dOut[0] = destination(MP[0], MP[1], 200, 0.3 * 1852 * 7.5);
  dp.sail(dOut, 10);
  if (dp.t < b.endMs) dp.berth(np, b.endMs);
  // The STS partner is a listed DPRK tanker with its real OFAC SDN identity (YU JONG 2, IMO 8604917), so screening
  // links it when lists are loaded. It broadcasts an earlier name under the same IMO and renames itself at Nampo
  // 3 h before sailing, so its identity history shows the change.
  const LISTED_IMO = 8_604_917;
  const dMmsi = 445_112_000 + rng.int(0, 999);
  const dRename = tArrive - 1.3 * H - dTravel - 3 * H;
  const dprk: SimVessel = {
    key: 'inj-dprk-tanker',
    role: 'DPRK tanker (STS partner; listed: YU JONG 2, OFAC SDN)',
    aisClass: 'A',
    shipType: 80,
    lengthM: 96,
    beamM: 15,
    identities: [
      { fromMs: startMs, mmsi: dMmsi, imo: LISTED_IMO, name: 'RYONG BONG 7', callsign: 'HMYJ2' },
      { fromMs: dRename, mmsi: dMmsi, imo: LISTED_IMO, name: 'YU JONG 2', callsign: 'HMYJ2' },
    ],
    draughts: [{ fromMs: startMs, draughtM: 3.8 }],
    activities: dp.acts,
    underwayIntervalS: 20,
    destination: 'NAMPO',
    // Its registered owner as the lists give it (OFAC "Linked To", UN KPe.066 with company number and address);
    // the effective date is constructed (the lists give none).
    registry: [
      {
        imo: LISTED_IMO,
        vesselName: 'YU JONG 2',
        flag: 'KP',
        role: 'registered owner',
        companyName: 'KOREA YUJONG SHIPPING CO LTD',
        companyImo: '5434358',
        companyAddress: 'Puksong 2-dong, Pyongchon-guyok, Pyongyang',
        companyCountry: 'KP',
        effectiveDate: '2017-01-01',
      },
    ],
  };
  // The STS delivery: 3,000 t of gas oil from the foreign tanker to the DPRK tanker, both draughts updated when the
  // transfer ends.
  const stsT = 3000;
  tanker.draughts.push({ fromMs: stsEnd, draughtM: round1(9.8 - stsT / simTonnesPerM(tanker.lengthM, tanker.beamM)) });
  dprk.draughts.push({ fromMs: stsEnd, draughtM: round1(3.8 + stsT / simTonnesPerM(dprk.lengthM, dprk.beamM)) });
  cargo.push({
    kind: 'petroleum_sts',
    mmsi: dMmsi,
    counterpart: mmsiOf(tanker),
    start: iso(tArrive),
    end: iso(stsEnd),
    tonnes: stsT,
    barrels: Math.round(stsT * SIM_GASOIL_BBL_PER_T),
    product: 'gasoil',
    note: 'STS delivery of gas oil from OCEAN GRACE to the DPRK tanker in Korea Bay',
  });
  b.vessels.push(tanker, dprk);
  b.truth.push(
    {
      kind: 'ais.gap',
      mmsis: [mmsiOf(tanker)],
      start: iso(darkFrom),
      end: iso(darkTo),
      injected: true,
      note: 'tanker goes dark in the Yellow Sea on its way to Korea Bay',
    },
    {
      kind: 'ais.encounter',
      mmsis: [mmsiOf(tanker), mmsiOf(dprk)],
      start: iso(tArrive),
      end: iso(stsEnd),
      injected: true,
      note: 'STS transfer with a DPRK tanker in Korea Bay',
    },
    {
      kind: 'ais.loitering',
      mmsis: [mmsiOf(tanker)],
      start: iso(tArrive),
      end: iso(stsEnd),
      injected: true,
      note: 'tanker drifting during the STS transfer',
    },
    {
      kind: 'ais.loitering',
      mmsis: [mmsiOf(dprk)],
      start: iso(dArrive),
      end: iso(stsEnd),
      injected: true,
      note: 'DPRK tanker waiting and drifting during the STS transfer',
    },
    {
      kind: 'ais.identity_change',
      mmsis: [mmsiOf(dprk)],
      start: iso(startMs),
      injected: true,
      note: 'DPRK-flagged MMSI (MID 445)',
    },
    {
      kind: 'ais.identity_change',
      mmsis: [mmsiOf(dprk)],
      start: iso(dRename),
      injected: true,
      note: 'listed DPRK tanker renames itself from RYONG BONG 7 to its listed name YU JONG 2 at Nampo',
    },
  );
  portVisitTruth(b, tanker, () => false);
  portVisitTruth(b, dprk, (p) => p === 'nampo');

  // ---- injected: coal carrier calls at Nampo under a false identity -------------------------------------------
  const cp = new Planner(startMs, rng);
  cp.berth(SIM_PORTS.lianyungang!, at(4));
  const cIn = portPath('lianyungang', 'nampo');
  const cSail = cp.sail(cIn, 12.5);
  const switchOut = sailTimeAt(cSail, pathIndexOf(cIn, 'ys_ne'));
  cp.berth(np, cp.t + 10 * H);
  const cLoaded = cp.t;
  const cOutPath = portPath('nampo', 'lianyungang');
  const cOut = cp.sail(cOutPath, 12.5);
  const switchBack = sailTimeAt(cOut, pathIndexOf(cOutPath, 'ys_ne'));
  const cMmsi = 671_200_000 + rng.int(0, 99_999);
  const falseImo = 8_912_345;
  if (imoValid(falseImo)) throw new Error('scenario: the false IMO must fail its check digit');
  const coal: SimVessel = {
    key: 'inj-coal',
    role: 'coal carrier (false identity at Nampo)',
    aisClass: 'A',
    shipType: 70,
    lengthM: 169,
    beamM: 27,
    identities: [
      { fromMs: startMs, mmsi: cMmsi, imo: imoWithCheckDigit(134_106), name: 'XIN HAI', callsign: '5VDK2' },
      { fromMs: switchOut, mmsi: cMmsi, imo: falseImo, name: 'GREAT LUCK', callsign: 'T8AB3' },
      { fromMs: switchBack, mmsi: cMmsi, imo: imoWithCheckDigit(134_106), name: 'XIN HAI', callsign: '5VDK2' },
    ],
    draughts: [{ fromMs: startMs, draughtM: 6.1 }],
    activities: cp.acts,
    underwayIntervalS: 15,
    destination: 'NAMPO',
  };
  // It loads 20,000 t of coal at Nampo: the draught goes up when it sails.
  const coalT = 20_000;
  coal.draughts.push({ fromMs: cLoaded, draughtM: round1(6.1 + coalT / simTonnesPerM(coal.lengthM, coal.beamM)) });
  if (cLoaded < b.endMs)
    cargo.push({
      kind: 'coal_loading',
      mmsi: cMmsi,
      start: iso(cLoaded - 10 * H),
      end: iso(cLoaded),
      tonnes: coalT,
      port: 'NAMPO',
      note: 'coal carrier loads coal at Nampo under a false identity',
    });
  b.vessels.push(coal);
  b.truth.push({
    kind: 'ais.identity_change',
    mmsis: [cMmsi],
    start: iso(switchOut),
    injected: true,
    note: 'coal carrier switches to a false name and an invalid IMO before Nampo',
  });
  if (switchBack < b.endMs)
    b.truth.push({
      kind: 'ais.identity_change',
      mmsis: [cMmsi],
      start: iso(switchBack),
      injected: true,
      note: 'coal carrier switches back to its own identity',
    });
  portVisitTruth(b, coal, (p) => p === 'nampo');

  // ---- injected: flag hopping (same IMO and name, new MMSI with another MID, in port at Dalian) ---------------
  const fp = new Planner(startMs, rng);
  fp.berth(SIM_PORTS.qingdao!, at(6));
  fp.sail(portPath('qingdao', 'dalian'), 11);
  const hopAt = fp.t + 6 * H;
  const dl = SIM_PORTS.dalian!;
  const [fLat, fLon] = destination(...berthOf(dl), 45, 150);
  fp.acts.push({ kind: 'berth', startMs: fp.t, endMs: hopAt, lat: fLat, lon: fLon, port: 'dalian' });
  fp.acts.push({ kind: 'berth', startMs: hopAt, endMs: hopAt + 8 * H, lat: fLat, lon: fLon, port: 'dalian' });
  fp.t = hopAt + 8 * H;
  fp.sail(portPath('dalian', 'tianjin'), 11);
  if (fp.t < b.endMs) fp.berth(SIM_PORTS.tianjin!, b.endMs);
  const hopImo = imoWithCheckDigit(121_877);
  const hopper: SimVessel = {
    key: 'inj-flag-hopper',
    role: 'bulk carrier (flag hopping)',
    aisClass: 'A',
    shipType: 70,
    lengthM: 177,
    beamM: 28,
    identities: [
      { fromMs: startMs, mmsi: 511_100_000 + rng.int(0, 999), imo: hopImo, name: 'SEA PEARL', callsign: 'T8SP1' },
      { fromMs: hopAt, mmsi: 667_100_000 + rng.int(0, 999), imo: hopImo, name: 'SEA PEARL', callsign: '9LSP4' },
    ],
    draughts: [{ fromMs: startMs, draughtM: 10.5 }],
    activities: fp.acts,
    underwayIntervalS: 20,
    destination: 'TIANJIN',
    // Sold to an ordinary company on the day it re-flags: a new owner and a new flag, but no acquisition (the
    // control for vessel.acquisition).
    registry: [
      {
        imo: hopImo,
        vesselName: 'SEA PEARL',
        flag: 'PW',
        role: 'registered owner',
        companyName: 'PEARL LINE CORPORATION',
        companyImo: '9910001',
        companyAddress: 'Main Street, Koror',
        companyCountry: 'PW',
        effectiveDate: '2018-04-01',
        endDate: dayBefore(hopAt),
        share: 100,
        companyIncorporated: '2011-06-20',
      },
      {
        imo: hopImo,
        vesselName: 'SEA PEARL',
        flag: 'SL',
        role: 'registered owner',
        companyName: 'AEGEAN CROWN NAVIGATION SA',
        companyImo: '9910002',
        companyAddress: 'Akti Miaouli 59, Piraeus',
        companyCountry: 'GR',
        effectiveDate: dayOf(hopAt),
        share: 100,
        companyIncorporated: '2006-02-14',
      },
    ],
  };
  b.vessels.push(hopper);
  b.truth.push({
    kind: 'ais.identity_change',
    mmsis: hopper.identities.map((i) => i.mmsi),
    start: iso(hopAt),
    injected: true,
    note: 'flag hopping: the same IMO re-appears under an MMSI of another flag (Palau → Sierra Leone)',
  });
  portVisitTruth(b, hopper, () => false);

  // ---- injected: cloned MMSI (a second ship broadcasting a container ship's identity far away) ---------------
  const kp = new Planner(startMs, rng);
  kp.berth(SIM_PORTS.rizhao!, at(3));
  kp.sail(portPath('rizhao', 'zhoushan'), 16);
  kp.berth(SIM_PORTS.zhoushan!, kp.t + 10 * H);
  kp.sail(portPath('zhoushan', 'lianyungang'), 16);
  if (kp.t < b.endMs) kp.berth(SIM_PORTS.lianyungang!, b.endMs);
  const kIdentity: IdentityPhase = {
    fromMs: startMs,
    mmsi: 477_300_000 + rng.int(0, 999),
    imo: imoWithCheckDigit(151_320),
    name: 'ORIENT STAR',
    callsign: 'VRKS5',
  };
  const genuine: SimVessel = {
    key: 'inj-clone-genuine',
    role: 'container ship (its MMSI is cloned)',
    aisClass: 'A',
    shipType: 71,
    lengthM: 222,
    beamM: 32,
    identities: [kIdentity],
    draughts: [{ fromMs: startMs, draughtM: 10.1 }],
    activities: kp.acts,
    underwayIntervalS: 12,
    destination: 'LIANYUNGANG',
  };
  const cloneFrom = at(24);
  const cloneTo = at(50);
  const kq = new Planner(cloneFrom, rng);
  const loop: Array<[number, number]> = [
    SEA_NODES.ys_n!,
    SEA_NODES.ys_ne!,
    SEA_NODES.kb_w!,
    SEA_NODES.sd_n!,
    SEA_NODES.sd_e!,
    SEA_NODES.ys_n!,
    SEA_NODES.ys_ne!,
    SEA_NODES.kb_w!,
  ];
  kq.sail(loop, 10);
  const clone: SimVessel = {
    key: 'inj-clone',
    role: 'unknown ship broadcasting a cloned MMSI',
    aisClass: 'A',
    shipType: 71,
    lengthM: 222,
    beamM: 32,
    identities: [{ ...kIdentity, fromMs: cloneFrom }],
    draughts: [{ fromMs: cloneFrom, draughtM: 10.1 }],
    activities: kq.acts,
    aisOn: [[cloneFrom, cloneTo]],
    underwayIntervalS: 20,
    destination: 'LIANYUNGANG',
  };
  b.vessels.push(genuine, clone);
  b.truth.push({
    kind: 'ais.spoofing',
    mmsis: [kIdentity.mmsi],
    start: iso(cloneFrom),
    end: iso(cloneTo),
    injected: true,
    note: 'cloned MMSI: a second transmitter uses the identity in the northern Yellow Sea',
  });
  portVisitTruth(b, genuine, () => false);

  // ---- injected: draught change across a dark period (loads at Nampo while dark) -----------------------------
  const bp = new Planner(startMs, rng);
  bp.berth(SIM_PORTS.longkou!, at(3));
  const bIn = portPath('longkou', 'nampo');
  const bSail = bp.sail(bIn, 12);
  const bDark = sailTimeAt(bSail, pathIndexOf(bIn, 'kb_w'));
  bp.berth(np, bp.t + 8 * H);
  const bLoaded = bp.t;
  const bOutPath = portPath('nampo', 'qingdao');
  const bOut = bp.sail(bOutPath, 12);
  const bBack = sailTimeAt(bOut, pathIndexOf(bOutPath, 'sd_e'));
  if (bp.t < b.endMs) bp.berth(SIM_PORTS.qingdao!, b.endMs);
  const bulk: SimVessel = {
    key: 'inj-draught',
    role: 'bulk carrier (loads while dark)',
    aisClass: 'A',
    shipType: 70,
    lengthM: 190,
    beamM: 32,
    identities: [
      {
        fromMs: startMs,
        mmsi: 372_345_000 + rng.int(0, 999),
        imo: imoWithCheckDigit(147_550),
        name: 'FORTUNE BAY',
        callsign: '3EBF9',
      },
    ],
    draughts: [
      { fromMs: startMs, draughtM: 5.2 },
      { fromMs: bLoaded, draughtM: 11.8 },
    ],
    activities: bp.acts,
    aisOn: [
      [startMs, bDark],
      [bBack, b.endMs],
    ],
    underwayIntervalS: 15,
    destination: 'QINGDAO',
  };
  b.vessels.push(bulk);
  if (bLoaded < b.endMs)
    cargo.push({
      kind: 'coal_loading',
      mmsi: mmsiOf(bulk),
      start: iso(bLoaded - 8 * H),
      end: iso(bLoaded),
      tonnes: Math.round((11.8 - 5.2) * simTonnesPerM(bulk.lengthM, bulk.beamM)),
      port: 'NAMPO',
      note: 'bulk carrier loads at Nampo while dark',
    });
  b.truth.push({
    kind: 'ais.gap',
    mmsis: [mmsiOf(bulk)],
    start: iso(bDark),
    end: iso(bBack),
    injected: true,
    note: 'bulk carrier goes dark, loads at Nampo, reappears with draught 5.2 → 11.8 m',
    details: { draughtBeforeM: 5.2, draughtAfterM: 11.8 },
  });
  portVisitTruth(b, bulk, () => false);

  // ---- injected: one spoofed position deep inland (Shandong) in a ferry's track: an impossible jump on land -----
  const ferry0 = b.vessels.find((v) => v.role === 'ferry');
  if (ferry0) {
    const tsMs = at(30) + 7_000;
    ferry0.spoofFixes = [{ tsMs, lat: 36.2, lon: 118.3 }];
    b.truth.push({
      kind: 'ais.spoofing',
      mmsis: [mmsiOf(ferry0)],
      start: iso(tsMs),
      end: iso(tsMs),
      injected: true,
      note: 'one spoofed fix 100+ km inland in Shandong: impossible jump and position on land',
    });
  }

  // ---- injected: a second STS delivery in Korea Bay, from a tanker coming out of Dalian's approaches to a second
  // DPRK tanker that sails from Nampo, takes 2,500 t of gas oil and returns to Nampo (calls that confirm the
  // delivery). Built last so the rest of the scenario (and its random draws) is unchanged.
  // 20 km SSE of the first meeting point: ~29 nm from shore, so the drifting counts as loitering (≥ 20 nm).
  const MP2 = destination(MP[0], MP[1], 160, 20_000);
  const tArrive2 = at(30);
  const stsEnd2 = tArrive2 + 6.5 * H;
  const drift2 = 0.3 * 1852 * 6.5;
  const d2In: Array<[number, number]> = [berthOf(np), ...np.channel!, SEA_NODES.np_app!, SEA_NODES.nampo_sea!, MP2];
  const d2p = new Planner(startMs, rng);
  d2p.berth(np, tArrive2 - 1.3 * H - sailActivity(0, d2In, 10).endMs);
  const d2Arrive = d2p.sail(d2In, 10).endMs;
  d2p.hold(MP2[0], MP2[1], tArrive2, tArrive2, 0);
  d2p.hold(MP2[0], MP2[1], stsEnd2, tArrive2, 0.3);
  const d2Out = [...d2In].reverse();
  d2Out[0] = destination(MP2[0], MP2[1], 200, drift2);
  d2p.sail(d2Out, 10);
  if (d2p.t < b.endMs) d2p.berth(np, b.endMs);
  const d2Mmsi = 445_113_000 + rng.int(0, 999);
  const dprk2: SimVessel = {
    key: 'inj-dprk-tanker-2',
    role: 'DPRK tanker (second STS delivery)',
    aisClass: 'A',
    shipType: 80,
    lengthM: 105,
    beamM: 16,
    identities: [
      { fromMs: startMs, mmsi: d2Mmsi, imo: imoWithCheckDigit(162_418), name: 'CHON MA 3', callsign: 'HMCM3' },
    ],
    draughts: [{ fromMs: startMs, draughtM: 4.2 }],
    activities: d2p.acts,
    underwayIntervalS: 20,
    destination: 'NAMPO',
  };
  const t2Path: Array<[number, number]> = [SEA_NODES.kb_w!, destination(MP2[0], MP2[1], 90, 60)];
  const t2p = new Planner(tArrive2 - sailActivity(0, t2Path, 12).endMs, rng);
  t2p.sail(t2Path, 12);
  t2p.hold(MP2[0], MP2[1], stsEnd2, tArrive2, 0.3, 60, 0);
  t2p.sail([destination(...destination(MP2[0], MP2[1], 200, drift2), 90, 60), SEA_NODES.kb_w!, SEA_NODES.sd_n!], 12);
  const tanker2: SimVessel = {
    key: 'inj-tanker-2',
    role: 'tanker (second STS with a DPRK tanker)',
    aisClass: 'A',
    shipType: 80,
    lengthM: 176,
    beamM: 31,
    identities: [
      {
        fromMs: startMs,
        mmsi: 538_772_000 + rng.int(0, 999),
        imo: imoWithCheckDigit(158_306),
        name: 'LUCKY STAR',
        callsign: 'V7LS8',
      },
    ],
    draughts: [{ fromMs: startMs, draughtM: 10.4 }],
    activities: t2p.acts,
    underwayIntervalS: 12,
    destination: 'DALIAN',
  };
  const sts2T = 2500;
  tanker2.draughts.push({
    fromMs: stsEnd2,
    draughtM: round1(10.4 - sts2T / simTonnesPerM(tanker2.lengthM, tanker2.beamM)),
  });
  dprk2.draughts.push({ fromMs: stsEnd2, draughtM: round1(4.2 + sts2T / simTonnesPerM(dprk2.lengthM, dprk2.beamM)) });
  b.vessels.push(tanker2, dprk2);
  cargo.push({
    kind: 'petroleum_sts',
    mmsi: d2Mmsi,
    counterpart: mmsiOf(tanker2),
    start: iso(tArrive2),
    end: iso(stsEnd2),
    tonnes: sts2T,
    barrels: Math.round(sts2T * SIM_GASOIL_BBL_PER_T),
    product: 'gasoil',
    note: 'second STS delivery of gas oil, LUCKY STAR to CHON MA 3, in Korea Bay',
  });
  b.truth.push(
    {
      kind: 'ais.encounter',
      mmsis: [mmsiOf(tanker2), d2Mmsi],
      start: iso(tArrive2),
      end: iso(stsEnd2),
      injected: true,
      note: 'second STS transfer with a DPRK tanker in Korea Bay',
    },
    {
      kind: 'ais.loitering',
      mmsis: [mmsiOf(tanker2)],
      start: iso(tArrive2),
      end: iso(stsEnd2),
      injected: true,
      note: 'tanker drifting during the second STS transfer',
    },
    {
      kind: 'ais.loitering',
      mmsis: [d2Mmsi],
      start: iso(d2Arrive),
      end: iso(stsEnd2),
      injected: true,
      note: 'second DPRK tanker waiting and drifting during the STS transfer',
    },
    {
      kind: 'ais.identity_change',
      mmsis: [d2Mmsi],
      start: iso(startMs),
      injected: true,
      note: 'DPRK-flagged MMSI (MID 445)',
    },
  );
  portVisitTruth(b, dprk2, (p) => p === 'nampo');

  if (name === 'sale-reflag') saleAndReflag(b, at);

  // Keep only truth inside the window.
  b.truth = b.truth.filter((t) => Date.parse(t.start) < b.endMs);
  void normalCount;
  return {
    name,
    seed,
    startMs,
    endMs: b.endMs,
    vessels: b.vessels,
    truth: b.truth,
    cargo: cargo.filter((c) => Date.parse(c.end) < b.endMs),
  };
}

/**
 * A listed DPRK company's real address (UN KPe.055 CHANG AN SHIPPING & TECHNOLOGY, as the UN list gives it): the
 * simulated front company registers there, the way the Panel reports front companies sharing listed addresses.
 */
export const SIM_FRONT_ADDRESS = 'Room 2105, DL1849, Trend Centre, 29-31 Cheung Lee Street, Chai Wan, Hong Kong, China';

/**
 * The UN Panel's "newly acquired vessel" pattern (the `sale-reflag` scenario, built after everything else so the
 * other scenarios and their random draws are unchanged): a Sierra Leone-flagged bulk carrier trading in the Bohai
 * is sold on the second day to a Hong Kong company incorporated six weeks earlier at the address of a listed DPRK
 * company, with that listed company as its new ship manager; a day later it goes dark for more than 24 h and
 * reappears under a DPRK MMSI (MID 445) with a DPRK name and call sign, sailing into Nampo. The registry extract
 * keeps the Sierra Leone flag. A control bulk carrier with an ordinary, unchanged owner trades alongside.
 */
function saleAndReflag(b: Builder, at: (h: number) => number): void {
  const { rng, startMs } = b;
  const imo = imoWithCheckDigit(139_542);
  const saleDay = dayOf(at(24));
  const darkFrom = at(25);
  const np = SIM_PORTS.nampo!;
  const path = portPath('longkou', 'nampo');
  const speedKn = 10;
  // Sail so as to reappear 3 h before Nampo, 27 h after going dark.
  const arrive = Math.max(darkFrom + 30 * H, startMs + 2 * H + sailActivity(0, path, speedKn).endMs);
  const reappear = arrive - 3 * H;
  const p = new Planner(startMs, rng);
  p.berth(SIM_PORTS.longkou!, arrive - sailActivity(0, path, speedKn).endMs);
  p.sail(path, speedKn);
  p.berth(np, Math.max(p.t + H, b.endMs));
  const oldMmsi = 667_200_000 + rng.int(0, 999);
  const newMmsi = 445_114_000 + rng.int(0, 999);
  b.usedMmsi.add(oldMmsi);
  b.usedMmsi.add(newMmsi);
  const front = {
    companyName: 'GOLDEN WAVE TRADING LTD',
    companyImo: '9910004',
    companyAddress: SIM_FRONT_ADDRESS,
    companyCountry: 'HK',
  };
  const seller = {
    companyName: 'BRIGHT HARBOUR SHIPPING SA',
    companyImo: '9910003',
    companyAddress: 'Akti Kondyli 12, Piraeus',
    companyCountry: 'GR',
    companyIncorporated: '2008-09-30',
  };
  const base = { imo, vesselName: 'PACIFIC BRIDGE', flag: 'SL' };
  const sold: SimVessel = {
    key: 'inj-sale-reflag',
    role: 'bulk carrier (sold to a front company, re-flagged to the DPRK and renamed)',
    aisClass: 'A',
    shipType: 70,
    lengthM: 150,
    beamM: 23,
    identities: [
      { fromMs: startMs, mmsi: oldMmsi, imo, name: 'PACIFIC BRIDGE', callsign: '9LPB7' },
      { fromMs: reappear, mmsi: newMmsi, imo, name: 'SONG HWA 8', callsign: 'HMSH8' },
    ],
    draughts: [{ fromMs: startMs, draughtM: 5.4 }],
    activities: p.acts,
    aisOn: [
      [startMs, darkFrom],
      [reappear, b.endMs],
    ],
    underwayIntervalS: 20,
    destination: 'NAMPO',
    registry: [
      {
        ...base,
        ...seller,
        role: 'registered owner',
        effectiveDate: '2016-07-01',
        endDate: dayBefore(at(24)),
        share: 100,
      },
      { ...base, ...seller, role: 'ship manager', effectiveDate: '2016-07-01', endDate: dayBefore(at(24)) },
      {
        ...base,
        ...front,
        role: 'registered owner',
        effectiveDate: saleDay,
        share: 100,
        companyIncorporated: dayOf(at(24) - 43 * 24 * H),
      },
      {
        ...base,
        role: 'ship manager',
        companyName: 'CHANG AN SHIPPING & TECHNOLOGY',
        companyAddress: SIM_FRONT_ADDRESS,
        companyCountry: 'HK',
        effectiveDate: saleDay,
      },
    ],
  };
  const control = trader(
    b,
    'bulk',
    70,
    [636, 538],
    ['qingdao', 'dalian', 'tianjin', 'yantai'],
    [10, 13],
    [8, 20],
    11,
    190,
  );
  control.key = 'control-bulk';
  control.role = 'bulk carrier (control: ordinary owner, no change)';
  const c = control.identities[0]!;
  control.registry = [
    {
      imo: c.imo!,
      vesselName: c.name,
      flag: c.mmsi >= 636_000_000 ? 'LR' : 'MH',
      role: 'registered owner',
      companyName: 'NORTHERN LIGHT BULK SA',
      companyImo: '9910005',
      companyAddress: 'Kifissias Avenue 280, Halandri, Athens',
      companyCountry: 'GR',
      effectiveDate: '2019-11-15',
      share: 100,
      companyIncorporated: '2003-03-03',
    },
    {
      imo: c.imo!,
      vesselName: c.name,
      flag: c.mmsi >= 636_000_000 ? 'LR' : 'MH',
      role: 'ship manager',
      companyName: 'NORTHERN LIGHT BULK SA',
      companyImo: '9910005',
      companyAddress: 'Kifissias Avenue 280, Halandri, Athens',
      companyCountry: 'GR',
      effectiveDate: '2019-11-15',
    },
  ];
  b.vessels.push(sold, control);
  // YU JONG 2's registered owner is listed (its registry row is in every scenario).
  const yuJong = b.vessels.find((v) => v.key === 'inj-dprk-tanker');
  if (yuJong)
    b.truth.push({
      kind: 'vessel.ownership_exposure',
      mmsis: [yuJong.identities[0]!.mmsi],
      imo: 8_604_917,
      subjects: ['un-kpe-066'],
      start: '2017-01-01T00:00:00.000Z',
      injected: true,
      note: 'YU JONG 2 is owned by the listed KOREA YUJONG SHIPPING CO LTD (UN KPe.066)',
    });
  const acquired = Date.parse(saleDay);
  b.truth.push(
    {
      kind: 'vessel.acquisition',
      mmsis: [oldMmsi, newMmsi],
      imo,
      subjects: ['reg-company-9910004'],
      start: iso(acquired),
      injected: true,
      note: `PACIFIC BRIDGE (IMO ${imo}) sold to the front company GOLDEN WAVE TRADING LTD, dark for ${Math.round((reappear - darkFrom) / H)} h, back as SONG HWA 8 under MID 445 and into Nampo`,
    },
    {
      kind: 'vessel.ownership_exposure',
      mmsis: [oldMmsi, newMmsi],
      imo,
      subjects: ['un-kpe-055'],
      start: iso(acquired),
      injected: true,
      note: 'PACIFIC BRIDGE is managed by the listed CHANG AN SHIPPING & TECHNOLOGY (UN KPe.055) from the sale',
    },
    {
      kind: 'network.front_company',
      mmsis: [],
      subjects: ['reg-company-9910004'],
      start: iso(acquired),
      injected: true,
      note: 'GOLDEN WAVE TRADING LTD: incorporated six weeks before buying its one ship, at a listed company address',
    },
    {
      kind: 'ais.identity_change',
      mmsis: [newMmsi],
      start: iso(reappear),
      injected: true,
      note: 'DPRK-flagged MMSI (MID 445) after the sale',
    },
  );
  portVisitTruth(b, sold, (port) => port === 'nampo');
  portVisitTruth(b, control, () => false);
}
