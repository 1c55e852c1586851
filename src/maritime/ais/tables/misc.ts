import { shipTypeText, stationTypeText } from '../legends.js';
import { type BitField, b, i, type MessageTable, t, u, x } from '../table.js';

/** Types 7 and 13: binary / safety acknowledge (up to four destinations). */
export const acknowledge: MessageTable = {
  title: 'Binary / safety related acknowledge',
  minBits: 72,
  maxBits: 168,
  entries: [
    x(2),
    ...[0, 1, 2, 3].flatMap((k) => [
      u(`mmsi${k + 1}`, 30, { at: 40 + 32 * k, ifBits: 41 + 32 * k }),
      u(`seqno${k + 1}`, 2, { hide: true, ifBits: 41 + 32 * k }),
    ]),
  ],
};

/** Type 10: UTC and date inquiry. */
export const utcInquiry: MessageTable = {
  title: 'UTC and date inquiry',
  minBits: 72,
  entries: [x(2), u('dest_mmsi', 30), x(2)],
};

/** Type 12: addressed safety related message. */
export const addressedSafety: MessageTable = {
  title: 'Addressed safety related message',
  minBits: 72,
  maxBits: 1008,
  entries: [u('seqno', 2), u('dest_mmsi', 30), b('retransmit'), x(1), t('text', 0, { toEnd: true })],
};

/** Type 14: safety related broadcast message. */
export const broadcastSafety: MessageTable = {
  title: 'Safety related broadcast message',
  minBits: 40,
  maxBits: 1008,
  entries: [x(2), t('text', 0, { toEnd: true })],
};

/** Type 15: interrogation. */
export const interrogation: MessageTable = {
  title: 'Interrogation',
  minBits: 88,
  maxBits: 168,
  entries: [
    x(2),
    u('mmsi1', 30),
    u('type1_1', 6),
    u('offset1_1', 12),
    x(2),
    u('type1_2', 6, { ifBits: 91 }),
    u('offset1_2', 12, { ifBits: 91 }),
    x(2),
    u('mmsi2', 30, { ifBits: 111 }),
    u('type2_1', 6, { ifBits: 111 }),
    u('offset2_1', 12, { ifBits: 111 }),
  ],
};

/** Type 16: assigned mode command. */
export const assignedMode: MessageTable = {
  title: 'Assigned mode command',
  minBits: 96,
  maxBits: 168,
  entries: [
    x(2),
    u('mmsi1', 30),
    u('offset1', 12),
    u('increment1', 10),
    u('mmsi2', 30, { ifBits: 144 }),
    u('offset2', 12, { ifBits: 144 }),
    u('increment2', 10, { ifBits: 144 }),
  ],
};

/** Type 17: DGNSS broadcast binary message (corrections kept as raw data). */
export const dgnssBroadcast: MessageTable = {
  title: 'DGNSS broadcast binary message',
  minBits: 80,
  maxBits: 816,
  entries: [
    x(2),
    i('lon', 18, { div: 600, digits: 1 }),
    i('lat', 17, { div: 600, digits: 1 }),
    x(5),
    { kind: 'd', name: 'data', bits: 0, toEnd: true },
  ],
};

/** Type 20: data link management. */
export const dataLinkManagement: MessageTable = {
  title: 'Data link management',
  minBits: 72,
  maxBits: 186,
  entries: [
    x(2),
    ...[1, 2, 3, 4].flatMap((k) => [
      u(`offset${k}`, 12),
      u(`number${k}`, 4),
      u(`timeout${k}`, 3),
      u(`increment${k}`, 11),
    ]),
  ],
};

const channelHead = (): BitField[] => [x(2), u('channel_a', 12), u('channel_b', 12), u('txrx', 4), b('power')];
const channelTail = (): BitField[] => [b('addressed', { at: 139 }), b('band_a'), b('band_b'), u('zonesize', 3)];
const quotedDeg = (name: string, bits: number): BitField => i(name, bits, { div: 600, digits: 6, quoteScaled: true });

/** Type 22: channel management, broadcast to an area. */
export const channelManagementArea: MessageTable = {
  title: 'Channel management (area)',
  minBits: 168,
  entries: [
    ...channelHead(),
    quotedDeg('ne_lon', 18),
    quotedDeg('ne_lat', 17),
    quotedDeg('sw_lon', 18),
    quotedDeg('sw_lat', 17),
    ...channelTail(),
  ],
};
/** Type 22: channel management, addressed to two stations. */
export const channelManagementAddressed: MessageTable = {
  title: 'Channel management (addressed)',
  minBits: 168,
  entries: [...channelHead(), u('dest1', 30), x(5), u('dest2', 30), ...channelTail()],
};

/** Type 23: group assignment command. */
export const groupAssignment: MessageTable = {
  title: 'Group assignment command',
  minBits: 160,
  entries: [
    x(2),
    quotedDeg('ne_lon', 18),
    quotedDeg('ne_lat', 17),
    quotedDeg('sw_lon', 18),
    quotedDeg('sw_lat', 17),
    u('stationtype', 4, { legend: stationTypeText }),
    u('shiptype', 8, { legend: shipTypeText }),
    x(22),
    u('txrx', 2, { hide: true }),
    u('interval', 4),
    u('quiet', 4),
    x(6),
  ],
};

/**
 * Types 25 and 26: binary message, single / multiple slot. Four layouts by the addressed and structured flags;
 * type 26 ends with a 20-bit radio status.
 */
export function binaryMessageSlot(type: 25 | 26, addressed: boolean, structured: boolean): MessageTable {
  const tail = type === 26 ? 20 : 0;
  const entries: BitField[] = [
    b('addressed'),
    b('structured'),
    addressed ? u('dest_mmsi', 30) : u('dest_mmsi', 0),
    structured ? u('app_id', 16) : u('app_id', 0),
    { kind: 'd', name: 'data', bits: 0, toEnd: true, tailBits: tail },
  ];
  if (type === 26) entries.push(u('radio', 20, { at: -20 }));
  return {
    title: `Binary message, ${type === 25 ? 'single' : 'multiple'} slot`,
    minBits: (type === 25 ? 40 : 60) + (addressed ? 30 : 0) + (structured ? 16 : 0),
    maxBits: type === 25 ? 168 : 1004,
    entries,
  };
}
