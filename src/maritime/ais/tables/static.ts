import { epfdText, navaidText, shipTypeText } from '../legends.js';
import { b, type MessageTable, mdhm, t, u, x } from '../table.js';
import { course12, lat27, lon28 } from './position.js';

const dims = () => [u('to_bow', 9), u('to_stern', 9), u('to_port', 6), u('to_starboard', 6)];

const type5Order = [
  'imo',
  'ais_version',
  'callsign',
  'shipname',
  'shiptype',
  'to_bow',
  'to_stern',
  'to_port',
  'to_starboard',
  'epfd',
  'eta',
  'draught',
  'destination',
  'dte',
];

/** Type 5: static and voyage related data (Class A). */
export const staticVoyageData: MessageTable = {
  title: 'Static and voyage related data',
  minBits: 420,
  entries: [
    u('ais_version', 2),
    u('imo', 30),
    t('callsign', 7),
    t('shipname', 20),
    u('shiptype', 8, { legend: shipTypeText }),
    ...dims(),
    u('epfd', 4, { legend: epfdText }),
    u('month', 4, { hide: true }),
    u('day', 5, { hide: true }),
    u('hour', 5, { hide: true }),
    u('minute', 6, { hide: true }),
    { kind: 'c', name: 'eta', from: ['month', 'day', 'hour', 'minute'], render: mdhm(true) },
    u('draught', 8, { div: 10, digits: 1 }),
    t('destination', 20),
    u('dte', 1, { ifBits: 423 }),
    x(1),
  ],
  scaledOrder: type5Order,
  unscaledOrder: type5Order,
};

/** Type 19: extended Class B position report. */
export const extendedClassBReport: MessageTable = {
  title: 'Extended Class B position report',
  minBits: 312,
  entries: [
    u('reserved', 8),
    u('speed', 10, { div: 10, digits: 1 }),
    b('accuracy'),
    lon28(),
    lat27(),
    course12(),
    u('heading', 9),
    u('second', 6),
    u('regional', 4),
    t('shipname', 20),
    u('shiptype', 8, { legend: shipTypeText }),
    ...dims(),
    u('epfd', 4, { legend: epfdText }),
    b('raim'),
    u('dte', 1),
    b('assigned'),
    x(4),
  ],
};

const aidOrder = (scaled: boolean) => [
  'aid_type',
  'name',
  ...(scaled ? ['lon', 'lat', 'accuracy'] : ['accuracy', 'lon', 'lat']),
  'to_bow',
  'to_stern',
  'to_port',
  'to_starboard',
  'epfd',
  'second',
  'regional',
  'off_position',
  'raim',
  'virtual_aid',
];

/** Type 21: aid-to-navigation report (name extension appended after bit 272). */
export const aidToNavigationReport: MessageTable = {
  title: 'Aid-to-navigation report',
  minBits: 272,
  maxBits: 368,
  entries: [
    u('aid_type', 5, { legend: navaidText }),
    t('name', 20, { extendFrom: 272 }),
    b('accuracy'),
    lon28(),
    lat27(),
    ...dims(),
    u('epfd', 4, { legend: epfdText }),
    u('second', 6),
    b('off_position'),
    u('regional', 8),
    b('raim'),
    b('virtual_aid'),
    b('assigned', { hide: true }),
    x(1),
  ],
  scaledOrder: aidOrder(true),
  unscaledOrder: aidOrder(false),
};

/** Type 24 part A: name (gpsd merges it with the part B that follows). */
export const staticDataPartA: MessageTable = {
  title: 'Class B static data, part A',
  minBits: 160,
  maxBits: 168,
  entries: [u('partno', 2, { hide: true }), t('shipname', 20), x(8)],
};

const partB = (auxiliary: boolean): MessageTable => ({
  title: `Class B static data, part B${auxiliary ? ' (auxiliary craft)' : ''}`,
  minBits: 168,
  entries: [
    u('partno', 2, { hide: true }),
    u('shiptype', 8, { legend: shipTypeText }),
    t('vendorid', 7),
    u('model', 4, { at: 66 }),
    u('serial', 20),
    t('callsign', 7),
    ...(auxiliary ? [u('mothership_mmsi', 30)] : dims()),
  ],
});
export const staticDataPartB = partB(false);
/** MMSIs 98MIDxxxx are craft associated with a parent ship: the dimension bits carry the mother ship's MMSI. */
export const staticDataPartBAuxiliary = partB(true);
