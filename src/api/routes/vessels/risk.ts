import type { FastifyInstance } from 'fastify';
import { topRiskFromStore, vesselRiskFromStore } from '../../../maritime/risk/store.js';
import type { ApiDeps } from '../../server.js';
import { RiskiestQuery, RiskList, RiskParams, RiskProfile } from './schemas.js';

const tags = ['vessels'];

/** Vessel risk: one vessel's profile (its maritime findings as advisory red flags) and the riskiest vessels. */
export function registerVesselRisk(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: RiskParams; Reply: RiskProfile }>(
    '/vessels/:mmsi/risk',
    {
      schema: {
        operationId: 'getVesselRisk',
        summary:
          'Risk profile of a vessel (MMSI or IMO): its maritime findings combined into the May 2020 advisory red flags',
        tags,
        params: RiskParams,
        response: { 200: RiskProfile },
      },
    },
    async (req) => vesselRiskFromStore(deps.store, req.params.mmsi),
  );

  app.get<{ Querystring: RiskiestQuery; Reply: RiskList }>(
    '/risk',
    {
      schema: {
        operationId: 'listRiskiestVessels',
        summary: 'The riskiest vessels by their maritime findings',
        tags,
        querystring: RiskiestQuery,
        response: { 200: RiskList },
      },
    },
    async (req) => ({ results: await topRiskFromStore(deps.store, req.query.top ?? 20) }),
  );
}
