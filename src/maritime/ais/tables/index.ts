/**
 * Message type → table. Types whose layout depends on a flag or sub-type (22, 24, 25, 26) pick a variant from
 * the bits; types 6 and 8 pick a binary application table by DAC/FID. Everything else is one table.
 */
import { ubits } from '../bits.js';
import { b, type CompiledTable, compile, type MessageTable, u, x } from '../table.js';
import { type BinaryTable, TYPE6_TABLES, TYPE8_TABLES } from './binary.js';
import {
  acknowledge,
  addressedSafety,
  assignedMode,
  binaryMessageSlot,
  broadcastSafety,
  channelManagementAddressed,
  channelManagementArea,
  dataLinkManagement,
  dgnssBroadcast,
  groupAssignment,
  interrogation,
  utcInquiry,
} from './misc.js';
import {
  baseStationReport,
  classBPositionReport,
  longRangeReport,
  positionReport,
  sarAircraftReport,
} from './position.js';
import {
  aidToNavigationReport,
  extendedClassBReport,
  staticDataPartA,
  staticDataPartB,
  staticDataPartBAuxiliary,
  staticVoyageData,
} from './static.js';

/** Every message starts with its type, repeat indicator and MMSI (read by the decoder before it picks a table). */
export const messageHeader: MessageTable = {
  title: 'Message header',
  entries: [u('type', 6), u('repeat', 2), u('mmsi', 30)],
};
export const HEADER: CompiledTable = compile(messageHeader);
/** Bits of the header (38): every message table starts after them. */
export const HEADER_BITS = (() => {
  const last = HEADER.fields[HEADER.fields.length - 1]!;
  return last.at! + last.bits;
})();

const c = (t: MessageTable): CompiledTable => compile(t, HEADER_BITS);

const addressedBinaryHeader: MessageTable = {
  title: 'Addressed binary message',
  minBits: 88,
  maxBits: 1008,
  entries: [
    u('seqno', 2),
    u('dest_mmsi', 30),
    b('retransmit'),
    x(1),
    u('dac', 10),
    u('fid', 6),
    { kind: 'd', name: 'data', bits: 0, toEnd: true },
  ],
};
const broadcastBinaryHeader: MessageTable = {
  title: 'Binary broadcast message',
  minBits: 56,
  maxBits: 1008,
  entries: [x(2), u('dac', 10), u('fid', 6), { kind: 'd', name: 'data', bits: 0, toEnd: true, maskTail: true }],
};

export const TABLES: ReadonlyArray<CompiledTable | null> = (() => {
  const a: Array<CompiledTable | null> = new Array(28).fill(null);
  const pos = c(positionReport);
  a[1] = pos;
  a[2] = pos;
  a[3] = pos;
  const base = c(baseStationReport);
  a[4] = base;
  a[11] = base;
  a[5] = c(staticVoyageData);
  a[6] = c(addressedBinaryHeader);
  const ack = c(acknowledge);
  a[7] = ack;
  a[13] = ack;
  a[8] = c(broadcastBinaryHeader);
  a[9] = c(sarAircraftReport);
  a[10] = c(utcInquiry);
  a[12] = c(addressedSafety);
  a[14] = c(broadcastSafety);
  a[15] = c(interrogation);
  a[16] = c(assignedMode);
  a[17] = c(dgnssBroadcast);
  a[18] = c(classBPositionReport);
  a[19] = c(extendedClassBReport);
  a[20] = c(dataLinkManagement);
  a[21] = c(aidToNavigationReport);
  a[23] = c(groupAssignment);
  a[27] = c(longRangeReport);
  return a;
})();

const TYPE22 = [c(channelManagementArea), c(channelManagementAddressed)];
const TYPE24 = { a: c(staticDataPartA), b: c(staticDataPartB), aux: c(staticDataPartBAuxiliary) };
const SLOT_TABLES = [25, 26].map((ty) =>
  [0, 1, 2, 3].map((k) => c(binaryMessageSlot(ty as 25 | 26, (k & 2) !== 0, (k & 1) !== 0))),
);

/** The table for a message, or null when the type (or type 24 part number) is not defined. */
export function tableFor(type: number, mmsi: number, bytes: Uint8Array): CompiledTable | null {
  switch (type) {
    case 22:
      return TYPE22[ubits(bytes, 139, 1)]!;
    case 24: {
      const part = ubits(bytes, 38, 2);
      if (part === 0) return TYPE24.a;
      if (part === 1) return Math.floor(mmsi / 10000000) === 98 ? TYPE24.aux : TYPE24.b;
      return null;
    }
    case 25:
    case 26:
      return SLOT_TABLES[type - 25]![ubits(bytes, 38, 2)]!;
    default:
      return TABLES[type] ?? null;
  }
}

const compileBinary = (tables: Record<string, BinaryTable>, header: number) =>
  new Map(
    Object.entries(tables).map(([k, t]) => {
      const [dac, fid] = k.split(':').map(Number);
      return [dac! * 64 + fid!, { ...compile(t, header), accept: t.accept }] as const;
    }),
  );
export type CompiledBinaryTable = CompiledTable & { accept?: BinaryTable['accept'] };
const BINARY6 = compileBinary(TYPE6_TABLES, 88);
const BINARY8 = compileBinary(TYPE8_TABLES, 56);

/** The binary application table for a type 6 or 8 message (before the length check), if any. */
export function binaryTableFor(type: number, dac: number, fid: number): CompiledBinaryTable | undefined {
  return (type === 6 ? BINARY6 : BINARY8).get(dac * 64 + fid);
}

export { TYPE24 };
