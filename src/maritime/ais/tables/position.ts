import { epfdText, NAV_STATUS } from '../legends.js';
import { b, type Composite, i, type MessageTable, pad2, u, x } from '../table.js';

/** Scaled helpers shared by position tables. */
export const LATLON_DIV = 600000; // 1/10000 minute
export const lon28 = (name = 'lon') => i(name, 28, { div: LATLON_DIV, digits: 6 });
export const lat27 = (name = 'lat') => i(name, 27, { div: LATLON_DIV, digits: 6 });
export const course12 = () => u('course', 12, { div: 10, digits: 1 });

/** Rate of turn: ITU sends 4.733·√ROT with the sign of the turn; gpsd squares it (and so loses the sign). */
export const turnFmt = (raw: number): string => {
  if (raw === -128) return '"nan"';
  if (raw === -127) return '"fastleft"';
  if (raw === 127) return '"fastright"';
  const r = raw / 4.733;
  const v = Math.round(r * r) * Math.sign(raw);
  return v === 0 ? '0' : String(v);
};
const speedFmt = (raw: number): string => (raw === 1023 ? '"nan"' : raw === 1022 ? '"fast"' : (raw / 10).toFixed(1));

/** Types 1, 2, 3: Class A position report. */
export const positionReport: MessageTable = {
  title: 'Position report (Class A)',
  minBits: 163,
  maxBits: 204,
  entries: [
    u('status', 4, { legend: NAV_STATUS }),
    i('turn', 8, { fmt: turnFmt }),
    u('speed', 10, { fmt: speedFmt }),
    b('accuracy'),
    lon28(),
    lat27(),
    course12(),
    u('heading', 9),
    u('second', 6),
    u('maneuver', 2),
    x(3),
    b('raim'),
    u('radio', 19),
  ],
};

const isoTimestamp: Composite = {
  kind: 'c',
  name: 'timestamp',
  from: ['year', 'month', 'day', 'hour', 'minute', 'second'],
  render: (v) =>
    `"${v[0]! < 1000 ? String(v[0]).padStart(4, '0') : v[0]}-${pad2(v[1]!)}-${pad2(v[2]!)}T${pad2(v[3]!)}:${pad2(v[4]!)}:${pad2(v[5]!)}Z"`,
};

/** Types 4 and 11: base station report / UTC date response. */
export const baseStationReport: MessageTable = {
  title: 'Base station report / UTC and date response',
  minBits: 168,
  entries: [
    isoTimestamp,
    u('year', 14, { hide: true }),
    u('month', 4, { hide: true }),
    u('day', 5, { hide: true }),
    u('hour', 5, { hide: true }),
    u('minute', 6, { hide: true }),
    u('second', 6, { hide: true }),
    b('accuracy'),
    lon28(),
    lat27(),
    u('epfd', 4, { legend: epfdText }),
    x(10),
    b('raim'),
    u('radio', 19),
  ],
};

/** Type 9: standard SAR aircraft position report. */
export const sarAircraftReport: MessageTable = {
  title: 'SAR aircraft position report',
  minBits: 168,
  entries: [
    u('alt', 12, { fmt: (v) => (v === 4095 ? '"nan"' : v === 4094 ? '"high"' : String(v)) }),
    u('speed', 10, { fmt: (v) => (v === 1023 ? '"nan"' : v === 1022 ? '"fast"' : String(v)) }),
    b('accuracy'),
    lon28(),
    lat27(),
    course12(),
    u('second', 6),
    u('regional', 8),
    u('dte', 1),
    x(3),
    b('assigned', { hide: true }),
    b('raim'),
    u('radio', 20),
  ],
};

/** Type 18: standard Class B CS position report. */
export const classBPositionReport: MessageTable = {
  title: 'Standard Class B position report',
  minBits: 168,
  entries: [
    u('reserved', 8),
    u('speed', 10, { div: 10, digits: 1 }),
    b('accuracy'),
    lon28(),
    lat27(),
    course12(),
    u('heading', 9),
    u('second', 6),
    u('regional', 2),
    b('cs'),
    b('display'),
    b('dsc'),
    b('band'),
    b('msg22'),
    b('assigned', { hide: true }),
    b('raim'),
    u('radio', 20),
  ],
};

/** Type 27: long-range AIS broadcast (satellite). */
export const longRangeReport: MessageTable = {
  title: 'Long range AIS broadcast',
  minBits: 96,
  maxBits: 168,
  entries: [
    b('accuracy'),
    b('raim'),
    u('status', 4, { fmt: (v) => `"${NAV_STATUS[v]}"` }),
    i('lon', 18, { div: 600, digits: 1 }),
    i('lat', 17, { div: 600, digits: 1 }),
    u('speed', 6),
    u('course', 9),
    b('gnss'),
    x(1),
  ],
  scaledOrder: ['status', 'accuracy', 'lon', 'lat', 'speed', 'course', 'raim', 'gnss'],
  unscaledOrder: ['status', 'accuracy', 'lon', 'lat', 'speed', 'course', 'raim', 'gnss'],
};
