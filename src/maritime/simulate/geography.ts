/**
 * The simulator's sea: real ports (World Port Index positions) and a small graph of sea-lane waypoints across the
 * Yellow Sea, Bohai, Korea Bay and the northern East China Sea. Ships lie at a berth in the water near the WPI point
 * (which can fall on Natural Earth land) and reach the lanes through channel points; the lanes keep clear of the
 * coast. test/maritime/simulate.test.ts keeps it so against Natural Earth 10m land: no berth, channel or lane on
 * land, open-sea lanes at least 5 km off the coast. Positions are [lat, lon].
 */

export interface SimPort {
  id: string;
  /** The name as in gfw_wpi_ports.csv / dprk_ports_wpi.csv. */
  wpiName: string;
  iso3: string;
  lat: number;
  lon: number;
  /** Where ships lie, in the water within 2 km of the WPI point (default: the WPI point itself). */
  berth?: [number, number];
  /** The sea node a ship uses to enter and leave. */
  approach: string;
  /** Channel points between the berth and the approach node, berth side first. */
  channel?: Array<[number, number]>;
}

export const SIM_PORTS: Record<string, SimPort> = {
  zhoushan: {
    id: 'zhoushan',
    wpiName: 'ZHOUSHAN',
    iso3: 'CHN',
    lat: 30.0,
    lon: 122.1,
    approach: 'zs_app',
    channel: [
      [29.93, 122.16],
      [29.92, 122.24],
      [29.9, 122.32],
      [29.8, 122.34],
    ],
  },
  lianyungang: {
    id: 'lianyungang',
    wpiName: 'LIANYUNGANG',
    iso3: 'CHN',
    lat: 34.733333,
    lon: 119.45,
    berth: [34.738, 119.465],
    approach: 'lyg_app',
  },
  rizhao: { id: 'rizhao', wpiName: 'RIZHAO', iso3: 'CHN', lat: 35.383333, lon: 119.566667, approach: 'rz_app' },
  qingdao: { id: 'qingdao', wpiName: 'QINGDAO GANG', iso3: 'CHN', lat: 36.033333, lon: 120.266667, approach: 'qd_app' },
  yantai: { id: 'yantai', wpiName: 'YANTAI', iso3: 'CHN', lat: 37.55, lon: 121.45, approach: 'yt_app' },
  longkou: { id: 'longkou', wpiName: 'LONGKOU GANG', iso3: 'CHN', lat: 37.633333, lon: 120.283333, approach: 'lk_app' },
  dalian: {
    id: 'dalian',
    wpiName: 'DALIAN',
    iso3: 'CHN',
    lat: 38.916667,
    lon: 121.666667,
    // The WPI point is on the headland; the ships lie in Dalian Bay to its north-east and leave round its east side.
    berth: [38.932, 121.684],
    approach: 'dl_app',
    channel: [
      [38.93, 121.72],
      [38.88, 121.78],
    ],
  },
  tianjin: {
    id: 'tianjin',
    wpiName: 'TIANJIN XIN GANG',
    iso3: 'CHN',
    lat: 38.966667,
    lon: 117.833333,
    approach: 'tj_app',
  },
  dandong: { id: 'dandong', wpiName: 'DANDONG', iso3: 'CHN', lat: 39.816667, lon: 124.15, approach: 'dd_app' },
  kunsan: {
    id: 'kunsan',
    wpiName: 'KUNSAN',
    iso3: 'KOR',
    lat: 35.983333,
    lon: 126.616667,
    approach: 'ks_app',
    channel: [[35.99, 126.5]],
  },
  daesan: { id: 'daesan', wpiName: 'DAESAN HANG', iso3: 'KOR', lat: 37.016667, lon: 126.4, approach: 'ds_app' },
  nampo: {
    id: 'nampo',
    wpiName: 'NAMPO',
    iso3: 'PRK',
    lat: 38.716667,
    lon: 125.4,
    approach: 'np_app',
    // Down the Taedong estuary, south of the headland at 125.3 E.
    channel: [
      [38.705, 125.36],
      [38.695, 125.3],
      [38.7, 125.2],
      [38.7, 125.12],
      [38.72, 124.95],
    ],
  },
};

/** Sea nodes: port approaches and open-water waypoints. */
export const SEA_NODES: Record<string, [number, number]> = {
  zs_app: [29.78, 122.6],
  lyg_app: [34.85, 119.85],
  rz_app: [35.35, 119.9],
  qd_app: [35.95, 120.45],
  yt_app: [37.68, 121.5],
  lk_app: [37.65, 120.15],
  dl_app: [38.8, 121.85],
  tj_app: [38.95, 118.2],
  dd_app: [39.55, 124.0],
  ks_app: [35.95, 126.3],
  ds_app: [37.05, 126.2],
  np_app: [38.72, 124.85],
  ecs_n: [30.8, 123.0],
  ys_sw: [33.0, 122.8],
  ys_w: [34.9, 120.6],
  ys_qd: [35.7, 121.2],
  ys_mid: [35.3, 123.8],
  sd_e: [37.3, 123.0],
  sd_n: [38.1, 121.9],
  bohai_str: [38.45, 121.05],
  bohai_c: [38.7, 119.6],
  ys_n: [37.2, 124.4],
  kor_w: [36.4, 125.6],
  ys_ne: [37.9, 124.1],
  nampo_sea: [38.45, 124.55],
  korea_bay: [39.2, 123.75],
  kb_w: [38.9, 122.9],
  // Off-coast turning points that keep the lanes clear of the Shandong peninsula, the islands off the Liaodong
  // peninsula and the Caofeidian reclamation.
  sd_se: [36.7, 122.95],
  kb_s: [38.85, 123.35],
  bohai_w: [38.75, 118.6],
};

/** Undirected sea-lane edges. */
export const SEA_EDGES: Array<[string, string]> = [
  ['zs_app', 'ecs_n'],
  ['ecs_n', 'ys_sw'],
  ['ys_sw', 'ys_w'],
  ['ys_sw', 'ys_mid'],
  ['ys_w', 'lyg_app'],
  ['ys_w', 'rz_app'],
  ['ys_w', 'ys_qd'],
  ['ys_qd', 'qd_app'],
  ['ys_qd', 'ys_mid'],
  ['ys_qd', 'sd_se'],
  ['sd_se', 'sd_e'],
  ['ys_mid', 'sd_e'],
  ['ys_mid', 'kor_w'],
  ['ys_mid', 'ys_n'],
  ['sd_e', 'ys_n'],
  ['sd_e', 'sd_n'],
  ['sd_n', 'yt_app'],
  ['sd_n', 'dl_app'],
  ['sd_n', 'bohai_str'],
  ['bohai_str', 'bohai_c'],
  ['bohai_str', 'dl_app'],
  ['bohai_c', 'bohai_w'],
  ['bohai_w', 'tj_app'],
  ['bohai_c', 'lk_app'],
  ['ys_n', 'ds_app'],
  ['ys_n', 'ys_ne'],
  ['kor_w', 'ks_app'],
  ['kor_w', 'ys_n'],
  ['sd_e', 'ys_ne'],
  ['ys_ne', 'nampo_sea'],
  ['nampo_sea', 'np_app'],
  ['nampo_sea', 'korea_bay'],
  ['ys_ne', 'kb_w'],
  ['kb_w', 'kb_s'],
  ['kb_s', 'korea_bay'],
  ['kb_w', 'dl_app'],
  ['kb_w', 'sd_n'],
  ['korea_bay', 'dd_app'],
];

/** Where ships lie in a port: its berth, else its WPI position. */
export function berthOf(port: SimPort): [number, number] {
  return port.berth ?? [port.lat, port.lon];
}

/** Position of a node or port (its berth) by id. */
export function nodePosition(id: string): [number, number] {
  const p = SIM_PORTS[id];
  if (p) return berthOf(p);
  const n = SEA_NODES[id];
  if (!n) throw new Error(`simulator: unknown node ${id}`);
  return n;
}

/** Shortest path (by great-circle length) from one port to another through the sea graph, ports included. */
export function seaRoute(fromPort: string, toPort: string): Array<[number, number]> {
  const a = SIM_PORTS[fromPort]!;
  const b = SIM_PORTS[toPort]!;
  const adj = new Map<string, string[]>();
  for (const [x, y] of SEA_EDGES) {
    adj.set(x, [...(adj.get(x) ?? []), y]);
    adj.set(y, [...(adj.get(y) ?? []), x]);
  }
  const dist = new Map<string, number>([[a.approach, 0]]);
  const prev = new Map<string, string>();
  const todo = new Set<string>([a.approach]);
  while (todo.size) {
    let u = '';
    let best = Infinity;
    for (const t of todo)
      if (dist.get(t)! < best) {
        best = dist.get(t)!;
        u = t;
      }
    todo.delete(u);
    if (u === b.approach) break;
    for (const v of adj.get(u) ?? []) {
      const [la, lo] = SEA_NODES[u]!;
      const [lb, lob] = SEA_NODES[v]!;
      const d = best + Math.hypot(la - lb, (lo - lob) * Math.cos((la * Math.PI) / 180));
      if (d < (dist.get(v) ?? Infinity)) {
        dist.set(v, d);
        prev.set(v, u);
        todo.add(v);
      }
    }
  }
  if (!dist.has(b.approach)) throw new Error(`simulator: no sea route ${fromPort} → ${toPort}`);
  const path: string[] = [b.approach];
  while (path[0] !== a.approach) path.unshift(prev.get(path[0]!)!);
  return [
    berthOf(a),
    ...(a.channel ?? []),
    ...path.map((n) => SEA_NODES[n]!),
    ...[...(b.channel ?? [])].reverse(),
    berthOf(b),
  ];
}
