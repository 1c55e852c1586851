/**
 * The constants every cargo estimate rests on, frozen and recorded in each finding's params so an estimate can be
 * reproduced and challenged.
 *
 * - Block coefficient (Cb) ranges by ship type: full-form merchant ships (tankers, bulk carriers) about 0.80-0.86
 *   and fine-form ships (container ships, ferries) below 0.6-0.7 (ranges as summarised from Schneekluth & Bertram,
 *   "Ship Design for Efficiency and Economy", by shipcalculators.com's block-coefficient reference; MAN Energy
 *   Solutions, "Basic Principles of Ship Propulsion" (2011) tabulates them by type). The "cargo" class (AIS 70-79)
 *   covers bulk carriers and general cargo ships alike, so its range 0.75-0.85 leans to the bulk carriers that move
 *   coal; a general cargo ship (Cb about 0.70) is over-estimated by up to 7 % at the mid value. The figures of the
 *   MAN table itself were not re-checked against the document (the search corpus held only its contents pages).
 *   The low/high ends of each range bound the estimate; the middle is the point estimate.
 * - Waterplane coefficient from Cb: Cwp ≈ (1 + 2·Cb) / 3 (Schneekluth & Bertram, "Ship Design for Efficiency and
 *   Economy", 2nd ed. 1998, §1.3), so tonnes per centimetre immersion TPC = ρ · L · B · Cwp / 100.
 * - Sea water density ρ = 1.025 t/m³ (the standard salt-water density used in load-line and draught surveys).
 * - Deadweight/displacement ratio for the deadweight method and for capacity: 0.80–0.86 for tankers and bulk
 *   carriers (Watson, "Practical Ship Design", 1998, Fig. 3.4, deadweight/displacement ratio against block
 *   coefficient by ship type); 0.83 as the point value.
 * - AIS draught is entered by the crew in 0.1 m steps (ITU-R M.1371-5, message 5): each reading is taken as good to
 *   ±0.1 m, so a change is good to ±0.2 m.
 * - Barrels per tonne of each product: BP, "Statistical Review of World Energy", Approximate conversion factors
 *   (updated July 2021), tonnes to barrels: gasoline 8.35, kerosene 7.88, gas oil/diesel 7.46, residual fuel oil
 *   6.35; crude oil 7.33 (worldwide average gravity). The UN Statistics Division's Energy Statistics Yearbook
 *   conversion table gives 8.50, 7.77, 7.23, 6.62 and 7.32 for the same products: the spread (up to 4 % for gas
 *   oil) is the uncertainty of any tonnes-to-barrels figure. Earlier code cited the IEA "Energy Statistics Manual"
 *   for 8.53/7.93/7.46/6.66, older BP rules of thumb that no source checked here gives under that name.
 *   1 barrel = 0.158987 m³.
 */

export type HullClass = 'tanker' | 'cargo' | 'container' | 'passenger' | 'other';

export type Product = 'gasoil' | 'gasoline' | 'kerosene' | 'fuel_oil' | 'crude';

export interface CargoParams {
  seawaterDensityTPerM3: number;
  /** Block coefficient [low, mid, high] per hull class. */
  blockCoefficient: Readonly<Record<HullClass, readonly [number, number, number]>>;
  /** Deadweight / displacement [low, mid, high]. */
  deadweightRatio: readonly [number, number, number];
  /** Error of one AIS draught reading (m). */
  draughtReadingErrorM: number;
  /** A draught change smaller than this (m) is not reported as cargo moved. */
  minDraughtChangeM: number;
  /** A report at most this long before an event counts as "draught before" (s). */
  beforeWindowS: number;
  /** "Draught after" is the last report within this long after an event ends (crews update it when done) (s). */
  afterWindowS: number;
  barrelsPerTonne: Readonly<Record<Product, number>>;
  /** Product assumed for a tanker's cargo when nothing says otherwise. */
  defaultProduct: Product;
}

export const CARGO_DEFAULTS: Readonly<CargoParams> = Object.freeze({
  seawaterDensityTPerM3: 1.025,
  blockCoefficient: Object.freeze({
    tanker: [0.8, 0.825, 0.85] as const,
    cargo: [0.75, 0.8, 0.85] as const,
    container: [0.5, 0.6, 0.7] as const,
    passenger: [0.5, 0.6, 0.7] as const,
    other: [0.55, 0.7, 0.85] as const,
  }),
  deadweightRatio: [0.8, 0.83, 0.86] as const,
  draughtReadingErrorM: 0.1,
  minDraughtChangeM: 0.3,
  beforeWindowS: 48 * 3600,
  afterWindowS: 6 * 3600,
  barrelsPerTonne: Object.freeze({ gasoil: 7.46, gasoline: 8.35, kerosene: 7.88, fuel_oil: 6.35, crude: 7.33 }),
  defaultProduct: 'gasoil' as Product,
});

export const BARREL_M3 = 0.158987;

/**
 * Hull class from the AIS ship type (ITU-R M.1371-5 table 53): 80–89 tankers, 70–79 cargo ships, 60–69 passenger.
 * AIS has no container or bulk code; the simulator's and some operators' use of 71 for container ships is not
 * relied on: 70–79 are all "cargo".
 */
export function hullClassOf(shipType: number | null | undefined): HullClass {
  if (shipType === null || shipType === undefined) return 'other';
  if (shipType >= 80 && shipType <= 89) return 'tanker';
  if (shipType >= 70 && shipType <= 79) return 'cargo';
  if (shipType >= 60 && shipType <= 69) return 'passenger';
  return 'other';
}

/**
 * DPRK ports the Panel of Experts names as coal-export ports (S/2019/171, S/2020/151, S/2021/211): Nampo, Songnim,
 * Taean, Chongjin, Rajin. Positions from the WPI (dprk_ports_wpi.csv) or, for Taean and Songnim, from
 * geo/ports.ts DPRK_EXTRA_PORTS; `names` match the port names the port-visit detector reports.
 */
export interface NamedPort {
  name: string;
  lat: number;
  lon: number;
  names: readonly string[];
}

export const DPRK_COAL_PORTS: readonly NamedPort[] = Object.freeze([
  { name: 'Nampo', lat: 38.716667, lon: 125.4, names: ['NAMPO', 'CHINNAMPO'] },
  { name: 'Songnim', lat: 38.745, lon: 125.62, names: ['SONGNIM', "KYOMIP'O", 'KYOMIPO'] },
  { name: 'Taean', lat: 38.868, lon: 125.255, names: ['TAEAN'] },
  { name: 'Chongjin', lat: 41.766667, lon: 129.816667, names: ["CH'ONGJIN", 'CHONGJIN'] },
  { name: 'Rajin', lat: 42.233333, lon: 130.3, names: ['NAJIN', 'RAJIN', 'RASHIN'] },
]);

/**
 * DPRK ports where tankers discharge refined petroleum: Nampo, the main oil terminal in the Panel's reports
 * (S/2019/171 annexes on STS deliveries), plus the east-coast ports with tanker berths (Chongjin, Hungnam, Rajin).
 */
export const DPRK_OIL_TERMINALS: readonly NamedPort[] = Object.freeze([
  { name: 'Nampo', lat: 38.716667, lon: 125.4, names: ['NAMPO', 'CHINNAMPO'] },
  { name: 'Chongjin', lat: 41.766667, lon: 129.816667, names: ["CH'ONGJIN", 'CHONGJIN'] },
  { name: 'Hungnam', lat: 39.833333, lon: 127.616667, names: ['HUNGNAM', 'KONAN'] },
  { name: 'Rajin', lat: 42.233333, lon: 130.3, names: ['NAJIN', 'RAJIN', 'RASHIN'] },
]);

export function portNamed(list: readonly NamedPort[], name: string | null | undefined): NamedPort | undefined {
  if (!name) return undefined;
  const n = name.toUpperCase().trim();
  return list.find((p) => p.names.some((x) => n === x || n.startsWith(`${x} `)));
}

/** Flatten params for a finding's `params` (numbers, strings and booleans only). */
export function flatParams(p: CargoParams, product?: Product): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {
    seawaterDensityTPerM3: p.seawaterDensityTPerM3,
    deadweightRatio: p.deadweightRatio.join('/'),
    draughtReadingErrorM: p.draughtReadingErrorM,
    minDraughtChangeM: p.minDraughtChangeM,
    beforeWindowS: p.beforeWindowS,
    afterWindowS: p.afterWindowS,
    waterplane: 'Cwp=(1+2Cb)/3',
  };
  for (const [k, v] of Object.entries(p.blockCoefficient)) out[`cb.${k}`] = v.join('/');
  if (product) {
    out.product = product;
    out.barrelsPerTonne = p.barrelsPerTonne[product];
  }
  return out;
}
