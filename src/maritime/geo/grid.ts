import { haversineM, metresPerDegree } from './distance.js';

/**
 * A fixed-cell spatial hash over points (lat/lon degrees): nearest-within-radius queries touch only the cells the
 * radius can reach, so 60,000 anchorages cost a handful of distance computations per query.
 */
export class PointGrid {
  private readonly cells = new Map<number, number[]>();
  readonly lat: Float64Array;
  readonly lon: Float64Array;

  constructor(
    lat: ArrayLike<number>,
    lon: ArrayLike<number>,
    readonly cellDeg = 0.1,
  ) {
    this.lat = Float64Array.from(lat);
    this.lon = Float64Array.from(lon);
    for (let i = 0; i < this.lat.length; i++) {
      const key = this.key(this.cellY(this.lat[i]!), this.cellX(this.lon[i]!));
      let list = this.cells.get(key);
      if (!list) this.cells.set(key, (list = []));
      list.push(i);
    }
  }

  get size(): number {
    return this.lat.length;
  }

  private cellX(lon: number): number {
    return Math.floor((lon + 180) / this.cellDeg);
  }
  private cellY(lat: number): number {
    return Math.floor((lat + 90) / this.cellDeg);
  }
  private key(cy: number, cx: number): number {
    return cy * 100_000 + cx;
  }

  /** Index of the nearest point within `maxM` metres, and its distance; undefined when none. */
  nearest(lat: number, lon: number, maxM: number): { index: number; distanceM: number } | undefined {
    const m = metresPerDegree(Math.min(89, Math.abs(lat) + maxM / 111_000));
    const ry = Math.ceil(maxM / m.lat / this.cellDeg);
    const rx = Math.ceil(maxM / Math.max(1, m.lon) / this.cellDeg);
    const cy = this.cellY(lat);
    const cx = this.cellX(lon);
    let best = -1;
    let bestD = maxM;
    for (let y = cy - ry; y <= cy + ry; y++) {
      for (let x = cx - rx; x <= cx + rx; x++) {
        const list = this.cells.get(this.key(y, x));
        if (!list) continue;
        for (const i of list) {
          const d = haversineM(lat, lon, this.lat[i]!, this.lon[i]!);
          if (d <= bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best < 0 ? undefined : { index: best, distanceM: bestD };
  }

  /** True when any point lies within `maxM` metres. */
  anyWithin(lat: number, lon: number, maxM: number): boolean {
    return this.nearest(lat, lon, maxM) !== undefined;
  }
}
