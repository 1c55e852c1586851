import type { FastifyInstance } from 'fastify';
import { NotFoundError, UserError } from '../../../errors.js';
import { listVessels, track, vesselDetail } from '../../../maritime/store/repository.js';
import type { ApiDeps } from '../../server.js';
import {
  MmsiParams,
  TrackQuery,
  VesselDetail,
  VesselDetailQuery,
  VesselList,
  VesselListQuery,
  VesselTrack,
} from './schemas.js';
import { isoOrEpochMs } from './time.js';

const tags = ['vessels'];

/** Vessels seen in AIS: the list, one vessel's identity history and last positions, its track. */
export function registerAisVessels(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: VesselListQuery; Reply: VesselList }>(
    '/vessels',
    {
      schema: {
        operationId: 'listVessels',
        summary: 'Vessels seen in AIS with their latest identity, most recently seen first',
        tags,
        querystring: VesselListQuery,
        response: { 200: VesselList },
      },
    },
    async (req) => ({ results: await listVessels(deps.store.db, req.query) }),
  );

  app.get<{ Params: MmsiParams; Querystring: VesselDetailQuery; Reply: VesselDetail }>(
    '/vessels/:mmsi',
    {
      schema: {
        operationId: 'getVessel',
        summary: 'One vessel: identity history (name, call sign, IMO, type, flag over time) and last positions',
        tags,
        params: MmsiParams,
        querystring: VesselDetailQuery,
        response: { 200: VesselDetail },
      },
    },
    async (req) => {
      const d = await vesselDetail(deps.store, req.params.mmsi, req.query.positions ?? 10);
      if (d.identities.length === 0 && d.positionCount === 0)
        throw new NotFoundError(`MMSI ${req.params.mmsi}: no AIS data`);
      return d;
    },
  );

  app.get<{ Params: MmsiParams; Querystring: TrackQuery; Reply: VesselTrack }>(
    '/vessels/:mmsi/track',
    {
      schema: {
        operationId: 'getVesselTrack',
        summary: 'Positions of a vessel in a time range, oldest first',
        tags,
        params: MmsiParams,
        querystring: TrackQuery,
        response: { 200: VesselTrack },
      },
    },
    async (req) => {
      const sinceMs = isoOrEpochMs(req.query.since, 'since');
      const untilMs = isoOrEpochMs(req.query.until, 'until');
      if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs)
        throw new UserError('until is before since');
      return {
        mmsi: req.params.mmsi,
        positions: await track(deps.store.db, req.params.mmsi, { sinceMs, untilMs, limit: req.query.limit }),
      };
    },
  );
}
