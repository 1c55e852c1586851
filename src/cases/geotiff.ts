import type { FileHandle } from 'node:fs/promises';
import type { FootprintPolygon } from './types.js';

/**
 * The footprint of a GeoTIFF from its own tags (no GDAL): the first image's size, ModelPixelScale (33550) with
 * ModelTiepoint (33922), or ModelTransformation (34264), and the GeoKeyDirectory (34735) for the model type,
 * raster type and CRS. Classic TIFF and BigTIFF, both byte orders.
 *
 * Geographic CRSs give longitude/latitude directly; EPSG:3857 (web mercator) and WGS 84 UTM zones (EPSG:326zz,
 * 327zz, as Sentinel-2 and Landsat products use) are projected back. Other projected CRSs (national grids) are
 * reported with their EPSG code and no footprint: the analyst gives the bounds.
 */

export interface TiffInfo {
  widthPx: number;
  heightPx: number;
  /** True when the file carries georeferencing tags. */
  georeferenced: boolean;
  /** EPSG code of the CRS when the GeoKeys name one. */
  epsg: number | null;
  /** 'geographic' | 'projected' | null (GTModelTypeGeoKey). */
  model: 'geographic' | 'projected' | null;
  /** The four corners in WGS84 lon/lat, when they could be computed. */
  footprint: FootprintPolygon | null;
  /** Why there is no footprint, when there is none. */
  problem: string | null;
}

const TAG_WIDTH = 256;
const TAG_HEIGHT = 257;
const TAG_PIXEL_SCALE = 33550;
const TAG_TIEPOINT = 33922;
const TAG_TRANSFORMATION = 34264;
const TAG_GEOKEYS = 34735;

const KEY_MODEL_TYPE = 1024;
const KEY_RASTER_TYPE = 1025;
const KEY_GEOGRAPHIC_TYPE = 2048;
const KEY_PROJECTED_TYPE = 3072;

/** Bytes per value of each TIFF field type. */
const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  16: 8,
  17: 8,
  18: 8,
};

const WEB_MERCATOR = new Set([3857, 900913, 3785, 102100, 102113]);
const EARTH_RADIUS_M = 6378137;

class Reader {
  constructor(
    private readonly fh: FileHandle,
    private readonly le: boolean,
    readonly size: number,
  ) {}
  async bytes(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new Error(`TIFF: a tag points outside the file (offset ${offset}, ${length} bytes)`);
    }
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.fh.read(buf, 0, length, offset);
    if (bytesRead < length) throw new Error('TIFF: the file ends inside a tag');
    return buf;
  }
  u16(b: Buffer, at: number): number {
    return this.le ? b.readUInt16LE(at) : b.readUInt16BE(at);
  }
  u32(b: Buffer, at: number): number {
    return this.le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  }
  u64(b: Buffer, at: number): number {
    const v = this.le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('TIFF: an offset beyond 2^53');
    return Number(v);
  }
  value(b: Buffer, at: number, type: number): number {
    switch (type) {
      case 1:
      case 7:
        return b.readUInt8(at);
      case 6:
        return b.readInt8(at);
      case 3:
        return this.u16(b, at);
      case 8:
        return this.le ? b.readInt16LE(at) : b.readInt16BE(at);
      case 4:
        return this.u32(b, at);
      case 9:
        return this.le ? b.readInt32LE(at) : b.readInt32BE(at);
      case 11:
        return this.le ? b.readFloatLE(at) : b.readFloatBE(at);
      case 12:
        return this.le ? b.readDoubleLE(at) : b.readDoubleBE(at);
      case 5:
        return this.u32(b, at) / this.u32(b, at + 4);
      case 10:
        return (
          (this.le ? b.readInt32LE(at) : b.readInt32BE(at)) / (this.le ? b.readInt32LE(at + 4) : b.readInt32BE(at + 4))
        );
      case 16:
      case 18:
        return this.u64(b, at);
      default:
        return Number.NaN;
    }
  }
}

/** Numeric values of the first IFD's tags we need (others are skipped without reading). */
async function readFirstIfd(fh: FileHandle, size: number): Promise<{ tags: Map<number, number[]> } | null> {
  const head = Buffer.alloc(16);
  await fh.read(head, 0, 16, 0);
  const order = head.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const r = new Reader(fh, order === 'II', size);
  const magic = r.u16(head, 2);
  const big = magic === 43;
  if (magic !== 42 && !big) return null;
  const ifdOffset = big ? r.u64(head, 8) : r.u32(head, 4);
  const countBytes = await r.bytes(ifdOffset, big ? 8 : 2);
  const count = big ? r.u64(countBytes, 0) : r.u16(countBytes, 0);
  if (count > 4096) throw new Error(`TIFF: ${count} tags in the first directory (corrupt?)`);
  const entrySize = big ? 20 : 12;
  const entries = await r.bytes(ifdOffset + countBytes.length, count * entrySize);
  const wanted = new Set([TAG_WIDTH, TAG_HEIGHT, TAG_PIXEL_SCALE, TAG_TIEPOINT, TAG_TRANSFORMATION, TAG_GEOKEYS]);
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const tag = r.u16(entries, at);
    if (!wanted.has(tag)) continue;
    const type = r.u16(entries, at + 2);
    const n = big ? r.u64(entries, at + 4) : r.u32(entries, at + 4);
    const unit = TYPE_SIZE[type];
    if (unit === undefined || n > 1_000_000) continue;
    const total = unit * n;
    const inline = total <= (big ? 8 : 4);
    const valueAt = at + (big ? 12 : 8);
    const data = inline
      ? entries.subarray(valueAt, valueAt + total)
      : await r.bytes(big ? r.u64(entries, valueAt) : r.u32(entries, valueAt), total);
    const values: number[] = new Array(n);
    for (let k = 0; k < n; k++) values[k] = r.value(data, k * unit, type);
    tags.set(tag, values);
  }
  return { tags };
}

function geoKeys(dir: number[] | undefined): Map<number, number> {
  const keys = new Map<number, number>();
  if (!dir || dir.length < 4) return keys;
  const n = dir[3]!;
  for (let i = 0; i < n; i++) {
    const at = 4 + i * 4;
    if (at + 3 >= dir.length) break;
    // Location 0: the value is inline (all the keys we read are SHORT codes).
    if (dir[at + 1] === 0) keys.set(dir[at]!, dir[at + 3]!);
  }
  return keys;
}

/** UTM zone of an EPSG code: 326zz (WGS 84 north) and 327zz (south); null for anything else. */
export function utmZoneOf(epsg: number | null): { zone: number; south: boolean } | null {
  if (epsg === null) return null;
  if (epsg >= 32601 && epsg <= 32660) return { zone: epsg - 32600, south: false };
  if (epsg >= 32701 && epsg <= 32760) return { zone: epsg - 32700, south: true };
  return null;
}

/**
 * Inverse transverse Mercator on WGS 84 (Snyder, Map Projections: A Working Manual, 1987, eq. 8-18 to 8-25):
 * better than a metre within a UTM zone, far below an image pixel.
 */
export function utmToLonLat(easting: number, northing: number, zone: number, south: boolean): [number, number] {
  const a = 6378137;
  const f = 1 / 298.257223563;
  const k0 = 0.9996;
  const e2 = f * (2 - f);
  const ep2 = e2 / (1 - e2);
  const x = easting - 500000;
  const y = south ? northing - 10000000 : northing;
  const mu = y / k0 / (a * (1 - e2 / 4 - (3 * e2 * e2) / 64 - (5 * e2 * e2 * e2) / 256));
  const e1 = (1 - Math.sqrt(1 - e2)) / (1 + Math.sqrt(1 - e2));
  const phi1 =
    mu +
    ((3 * e1) / 2 - (27 * e1 ** 3) / 32) * Math.sin(2 * mu) +
    ((21 * e1 ** 2) / 16 - (55 * e1 ** 4) / 32) * Math.sin(4 * mu) +
    ((151 * e1 ** 3) / 96) * Math.sin(6 * mu) +
    ((1097 * e1 ** 4) / 512) * Math.sin(8 * mu);
  const sin1 = Math.sin(phi1);
  const cos1 = Math.cos(phi1);
  const c1 = ep2 * cos1 * cos1;
  const t1 = Math.tan(phi1) ** 2;
  const n1 = a / Math.sqrt(1 - e2 * sin1 * sin1);
  const r1 = (a * (1 - e2)) / (1 - e2 * sin1 * sin1) ** 1.5;
  const d = x / (n1 * k0);
  const lat =
    phi1 -
    ((n1 * Math.tan(phi1)) / r1) *
      ((d * d) / 2 -
        ((5 + 3 * t1 + 10 * c1 - 4 * c1 * c1 - 9 * ep2) * d ** 4) / 24 +
        ((61 + 90 * t1 + 298 * c1 + 45 * t1 * t1 - 252 * ep2 - 3 * c1 * c1) * d ** 6) / 720);
  const lon0 = ((zone - 1) * 6 - 180 + 3) * (Math.PI / 180);
  const lon =
    lon0 +
    (d -
      ((1 + 2 * t1 + c1) * d ** 3) / 6 +
      ((5 - 2 * c1 + 28 * t1 - 3 * c1 * c1 + 8 * ep2 + 24 * t1 * t1) * d ** 5) / 120) /
      cos1;
  return [(lon * 180) / Math.PI, (lat * 180) / Math.PI];
}

function mercatorToLonLat(x: number, y: number): [number, number] {
  const lon = (x / EARTH_RADIUS_M) * (180 / Math.PI);
  const lat = (2 * Math.atan(Math.exp(y / EARTH_RADIUS_M)) - Math.PI / 2) * (180 / Math.PI);
  return [lon, lat];
}

/** Round to 1e-9 degrees (about 0.1 mm): keeps float noise out of stored footprints. */
function round9(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

export async function readTiffInfo(fh: FileHandle, sizeBytes: number): Promise<TiffInfo> {
  const ifd = await readFirstIfd(fh, sizeBytes);
  if (!ifd) throw new Error('TIFF: not a TIFF header');
  const { tags } = ifd;
  const widthPx = tags.get(TAG_WIDTH)?.[0] ?? 0;
  const heightPx = tags.get(TAG_HEIGHT)?.[0] ?? 0;
  const scale = tags.get(TAG_PIXEL_SCALE);
  const tie = tags.get(TAG_TIEPOINT);
  const matrix = tags.get(TAG_TRANSFORMATION);
  const keys = geoKeys(tags.get(TAG_GEOKEYS));
  const modelType = keys.get(KEY_MODEL_TYPE);
  const model = modelType === 2 ? 'geographic' : modelType === 1 ? 'projected' : null;
  const epsg = (model === 'projected' ? keys.get(KEY_PROJECTED_TYPE) : keys.get(KEY_GEOGRAPHIC_TYPE)) ?? null;
  const georeferenced = (scale !== undefined && tie !== undefined) || matrix !== undefined;
  const info: TiffInfo = { widthPx, heightPx, georeferenced, epsg, model, footprint: null, problem: null };
  if (!georeferenced) {
    info.problem = 'no ModelTiepoint/ModelPixelScale or ModelTransformation tags';
    return info;
  }
  if (widthPx <= 0 || heightPx <= 0) {
    info.problem = 'no image width/height';
    return info;
  }
  // Raster space (i, j) → model space (x, y). PixelIsPoint puts the tie on a pixel centre: shift half a pixel so
  // the corners are the outer edges of the image.
  const half = keys.get(KEY_RASTER_TYPE) === 2 ? 0.5 : 0;
  let toModel: (i: number, j: number) => [number, number];
  if (matrix && matrix.length >= 16) {
    const m = matrix;
    toModel = (i, j) => [m[0]! * i + m[1]! * j + m[3]!, m[4]! * i + m[5]! * j + m[7]!];
  } else {
    const [ti, tj, , tx, ty] = tie as number[];
    const [sx, sy] = scale as number[];
    if (!(sx! > 0) || !(sy! > 0) || tx === undefined || ty === undefined) {
      info.problem = 'ModelPixelScale/ModelTiepoint values unusable';
      return info;
    }
    toModel = (i, j) => [tx + (i - ti!) * sx!, ty - (j - tj!) * sy!];
  }
  const corners: Array<[number, number]> = [
    [-half, -half],
    [widthPx - half, -half],
    [widthPx - half, heightPx - half],
    [-half, heightPx - half],
  ].map(([i, j]) => toModel(i!, j!));
  let lonLat: Array<[number, number]>;
  const isMercator = model === 'projected' && epsg !== null && WEB_MERCATOR.has(epsg);
  if (
    model === 'geographic' ||
    (model === null && corners.every(([x, y]) => Math.abs(x) <= 360 && Math.abs(y) <= 90))
  ) {
    lonLat = corners;
  } else if (isMercator) {
    lonLat = corners.map(([x, y]) => mercatorToLonLat(x, y));
  } else if (model === 'projected' && utmZoneOf(epsg)) {
    const { zone, south } = utmZoneOf(epsg)!;
    lonLat = corners.map(([x, y]) => utmToLonLat(x, y, zone, south));
  } else {
    info.problem = `projected CRS${epsg ? ` EPSG:${epsg}` : ''} is not read here: give the footprint as bounds (west,south,east,north)`;
    return info;
  }
  if (lonLat.some(([x, y]) => !Number.isFinite(x) || !Number.isFinite(y) || Math.abs(y) > 90 || Math.abs(x) > 360)) {
    info.problem = 'the georeferencing gives corners outside longitude/latitude range';
    return info;
  }
  const ring = lonLat.map(([x, y]) => [round9(x), round9(y)] as [number, number]);
  ring.push([ring[0]![0], ring[0]![1]]);
  info.footprint = { type: 'Polygon', coordinates: [ring] };
  return info;
}
