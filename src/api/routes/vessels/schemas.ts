import { type Static, Type } from '@sinclair/typebox';
import type { vesselProfile } from '../../../cases/vessel.js';
import { Int, Limit, Nullable, Num, Offset, Opaque, OrNull, Results, StringEnum } from '../../schemas/common.js';

/**
 * The schemas of the `vessels` resource: each is the JSON schema Fastify validates and serialises with and, through
 * `Static`, the type the handlers and the web client (web/src/api.ts) use.
 */

const epochMs = (description = 'epoch ms UTC') => Type.Integer({ description });

/** One identity a vessel broadcast (name, call sign, IMO, type) with when it was seen. */
export const Identity = Type.Object({
  mmsi: Type.Integer(),
  name: OrNull(Type.String()),
  callsign: OrNull(Type.String()),
  imo: OrNull(Type.Integer()),
  shipType: OrNull(Type.Integer()),
  flag: OrNull(Type.String()),
  firstSeen: epochMs(),
  lastSeen: epochMs(),
  messages: Type.Integer(),
});
export type Identity = Static<typeof Identity>;

export const VesselSummary = Type.Omit(Identity, ['messages']);
export type VesselSummary = Static<typeof VesselSummary>;

export const Position = Type.Object({
  mmsi: Type.Integer(),
  ts: epochMs(),
  time: Type.String({ format: 'date-time' }),
  lat: Type.Number(),
  lon: Type.Number(),
  sog: OrNull(Type.Number({ description: 'speed over ground, knots' })),
  cog: OrNull(Type.Number({ description: 'course over ground, degrees' })),
  heading: OrNull(Type.Integer()),
  navStatus: OrNull(Type.Integer()),
  msgType: Type.Integer(),
  class: OrNull(Type.String()),
});
export type Position = Static<typeof Position>;

export const MmsiParams = Type.Object({ mmsi: Int({ minimum: 1, maximum: 999999999 }) });
export type MmsiParams = Static<typeof MmsiParams>;

export const VesselListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: 'substring of name, call sign, MMSI or IMO (case-insensitive)' }),
    ),
    limit: Type.Optional(Limit({ maximum: 1000, default: 100 })),
    offset: Type.Optional(Offset()),
  },
  { additionalProperties: false },
);
export type VesselListQuery = Static<typeof VesselListQuery>;
export const VesselList = Results(VesselSummary);
export type VesselList = Static<typeof VesselList>;

export const VesselDetailQuery = Type.Object(
  { positions: Type.Optional(Int({ minimum: 0, maximum: 1000, default: 10 })) },
  { additionalProperties: false },
);
export type VesselDetailQuery = Static<typeof VesselDetailQuery>;
export const VesselDetail = Type.Object({
  mmsi: Type.Integer(),
  entityId: Type.String(),
  flag: OrNull(Type.String()),
  identities: Type.Array(Identity),
  positionCount: Type.Integer(),
  firstPosition: OrNull(Type.Integer()),
  lastPosition: OrNull(Type.Integer()),
  lastPositions: Type.Array(Position),
});
export type VesselDetail = Static<typeof VesselDetail>;

export const TrackQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ maxLength: 64, description: 'ISO-8601 time or epoch ms (inclusive)' })),
    until: Type.Optional(Type.String({ maxLength: 64, description: 'ISO-8601 time or epoch ms (exclusive)' })),
    limit: Type.Optional(Limit({ maximum: 100000, default: 10000 })),
  },
  { additionalProperties: false },
);
export type TrackQuery = Static<typeof TrackQuery>;
export const VesselTrack = Type.Object({ mmsi: Type.Integer(), positions: Type.Array(Position) });
export type VesselTrack = Static<typeof VesselTrack>;

// Risk ----------------------------------------------------------------------------------------------------------

const Evidence = Type.Object({
  source: Type.String(),
  record: Type.String(),
  contentHash: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
});

const RiskFactor = Type.Object({
  code: Type.String({ description: 'red-flag code (findings/red-flags.ts) or DPRK_FLAGGED' }),
  title: Type.String(),
  description: Type.String(),
  weight: Type.Number(),
  reference: Type.String(),
  score: Type.Number(),
  count: Type.Integer(),
  explanation: Type.String(),
  findings: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      start: Type.String(),
      score: Type.Number(),
      explanation: Type.String(),
    }),
  ),
  evidence: Type.Array(Evidence),
});

export const RiskProfile = Type.Object({
  mmsis: Type.Array(Type.Integer()),
  imo: OrNull(Type.Integer()),
  name: OrNull(Type.String()),
  score: Type.Number({ minimum: 0, maximum: 1 }),
  severity: StringEnum(['high', 'medium', 'low', 'none'] as const),
  explanation: Type.String(),
  factors: Type.Array(RiskFactor),
  findingCount: Type.Integer(),
  findingsByKind: Type.Record(Type.String(), Type.Integer()),
});
export type RiskProfile = Static<typeof RiskProfile>;

export const RiskParams = Type.Object({
  mmsi: Type.String({ pattern: '^(IMO)?[0-9]{7,9}$', description: '9-digit MMSI, or a 7-digit IMO number' }),
});
export type RiskParams = Static<typeof RiskParams>;

export const RiskiestQuery = Type.Object(
  { top: Type.Optional(Int({ minimum: 1, maximum: 1000, default: 20 })) },
  { additionalProperties: false },
);
export type RiskiestQuery = Static<typeof RiskiestQuery>;
export const RiskList = Results(RiskProfile);
export type RiskList = Static<typeof RiskList>;

// Workspace read models -----------------------------------------------------------------------------------------

export const VesselProfile = Opaque<Awaited<ReturnType<typeof vesselProfile>>>(
  'a vessel: identity history, list entries, owners, findings and risk',
);
export type VesselProfile = Static<typeof VesselProfile>;

export const Track = Type.Object({
  mmsi: Type.Integer(),
  ts: Type.Array(Type.Number(), { description: 'epoch ms UTC, ascending' }),
  lat: Type.Array(Type.Number()),
  lon: Type.Array(Type.Number()),
  sog: Type.Array(Nullable(Type.Number()), { description: 'knots' }),
});
export const Tracks = Type.Object({
  tracks: Type.Array(Track),
  total: Type.Integer({ description: 'positions that matched' }),
  stride: Type.Integer({ description: 'every stride-th position is sent (1: all)' }),
});
export type Tracks = Static<typeof Tracks>;

const MmsiList = Type.Array(Int({ minimum: 0, maximum: 999999999 }), { maxItems: 500 });

export const TracksQuery = Type.Object(
  {
    mmsi: Type.Optional(MmsiList),
    since: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 time' })),
    until: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 time' })),
    maxPoints: Type.Optional(Int({ minimum: 100, maximum: 2_000_000, default: 250_000 })),
  },
  { additionalProperties: false },
);
export type TracksQuery = Static<typeof TracksQuery>;

export const TrackColumnsQuery = Type.Object(
  {
    mmsi: Type.Optional(MmsiList),
    since: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 time' })),
    until: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 time' })),
    zoom: Type.Optional(
      Num({
        minimum: 0,
        maximum: 30,
        description: 'slippy-map zoom the tracks are drawn at (omitted: every position)',
      }),
    ),
    bbox: Type.Optional(
      Type.String({
        pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$',
        maxLength: 100,
        description: 'west,south,east,north in degrees',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TrackColumnsQuery = Static<typeof TrackColumnsQuery>;

/** The binary body of GET /workspace/tracks/columns, described for OpenAPI. */
export const TrackColumnsBody = Type.Unsafe<Buffer>({
  description: 'the binary body described in the summary (application/octet-stream)',
  type: 'string',
  format: 'binary',
});
