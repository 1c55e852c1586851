import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, UserError } from '../../errors.js';
import { loadNetwork } from '../../ownership/load.js';
import { controlOf } from '../../ownership/network.js';
import { type PartyVessels as PartyVesselsData, partyVessels } from '../../ownership/party-view.js';
import { type VesselView as VesselViewData, vesselView } from '../../ownership/vessel-view.js';
import { IdParams, Opaque } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * Who is behind a ship: the vessel registry by IMO (identity timeline with sources, owners and managers over
 * time, exposure) and the OFAC 50 % rule for any entity. Both are computed from the store's current statements.
 */

const tags = ['vessels'];

export const AsOfQuery = Type.Object(
  {
    asOf: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: 'ownership in force on this date (default today)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AsOfQuery = Static<typeof AsOfQuery>;

export const ImoParams = Type.Object({
  imo: Type.String({ minLength: 1, description: 'IMO number (check digit validated)' }),
});
export type ImoParams = Static<typeof ImoParams>;

export const PathStep = Type.Object({
  owner: Type.String(),
  ownerName: Type.String(),
  ownerListed: Type.Boolean(),
  asset: Type.String(),
  assetName: Type.String(),
  percentage: Type.Optional(Type.Number({ description: 'absent: no source states the share' })),
  role: Type.String(),
  startDate: Type.Optional(Type.String()),
  sources: Type.Array(Type.Object({ source: Type.String(), record: Type.String(), via: Type.String() })),
});

export const ControlReport = Type.Object({
  entity: Type.String(),
  node: Type.String({ description: 'the party group or hull (imo-<IMO>) the entity belongs to' }),
  name: Type.String(),
  listed: Type.Boolean(),
  blocked: Type.Union([Type.Boolean(), Type.Literal('possible')], {
    description: 'true: listed or owned 50 % or more by blocked persons; "possible": only with unknown shares',
  }),
  share: Type.Number({ description: 'aggregate share (%) held by blocked persons, known percentages only' }),
  upperShare: Type.Number({ description: 'upper bound counting unknown percentages in full' }),
  threshold: Type.Number(),
  asOf: Type.String(),
  paths: Type.Array(Type.Array(PathStep)),
});
export type ControlReport = Static<typeof ControlReport>;

export const VesselView = Opaque<VesselViewData>(
  'a hull by IMO: names (current, former), identity facts with sources and dates, owners and managers, the 50 % rule, exposure findings',
);
export type VesselView = Static<typeof VesselView>;

export const PartyVessels = Opaque<PartyVesselsData>(
  'the hulls a company or person owns, manages or operates over time (IMO, name, role, share, dates, source), with its own listing and 50 % rule status',
);
export type PartyVessels = Static<typeof PartyVessels>;

export default async function ownershipRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Params: ImoParams; Querystring: AsOfQuery; Reply: VesselView }>(
    '/ownership/vessels/:imo',
    {
      schema: {
        operationId: 'getRegistryVessel',
        summary: 'A hull by IMO: identity timeline, owners and managers over time, the 50 % rule, exposure',
        tags,
        params: ImoParams,
        querystring: AsOfQuery,
        response: { 200: VesselView },
      },
    },
    async (req) => vesselView(await loadNetwork(store, { asOf: req.query.asOf }), req.params.imo),
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: AsOfQuery; Reply: PartyVessels }>(
    '/ownership/parties/:id/vessels',
    {
      schema: {
        operationId: 'getPartyVessels',
        summary: 'The vessels a company or person owns, manages or operates over time, and its 50 % rule status',
        tags,
        params: IdParams,
        querystring: AsOfQuery,
        response: { 200: PartyVessels },
      },
    },
    async (req) => {
      if (req.params.id.length > 200) throw new UserError('id: at most 200 characters');
      return partyVessels(await loadNetwork(store, { asOf: req.query.asOf }), req.params.id);
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: AsOfQuery; Reply: ControlReport }>(
    '/ownership/control/:id',
    {
      schema: {
        operationId: 'getOwnershipControl',
        summary: 'The OFAC 50 % rule for an entity: blocked true/false/"possible", the aggregate share and the paths',
        tags,
        params: IdParams,
        querystring: AsOfQuery,
        response: { 200: ControlReport },
      },
    },
    async (req) => {
      if (req.params.id.length > 200) throw new UserError('id: at most 200 characters');
      const c = controlOf(await loadNetwork(store, { asOf: req.query.asOf }), req.params.id);
      if (!c) throw new NotFoundError(`no entity "${req.params.id}"`);
      return c;
    },
  );
}
