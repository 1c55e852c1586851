import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Finding } from '../../findings/finding.js';
import { type CapYear, capFindings } from '../../maritime/cargo/cap.js';
import { parseOfficialDeliveries } from '../../maritime/cargo/official.js';
import { capByYear, estimateFinding } from '../../maritime/cargo/store.js';
import { IdParams, Int, Opaque, Results } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * Cargo estimates and the refined-petroleum cap tracker: GET /cargo/estimate/{id} (the estimate(s) for a port
 * call, encounter or gap finding), GET /cargo/cap (per year, from the stored findings) and POST /cargo/cap (the
 * same with the official 1718 Committee deliveries as CSV in the body). Tag `maritime`.
 */

const tags = ['maritime'];

export const CargoEstimates = Results(Opaque<Finding>('a cargo.estimate finding: method, inputs and range in details'));
export type CargoEstimates = Static<typeof CargoEstimates>;

export const CapYears = Type.Object({
  results: Type.Array(
    Opaque<CapYear>('one calendar year: deliveries, running totals and per-scenario totals against the cap'),
  ),
  findings: Type.Array(
    Opaque<Finding>(
      'the trade.petroleum_cap finding of each year over the cap, computed for this answer (official deliveries included), not stored',
    ),
  ),
});
export type CapYears = Static<typeof CapYears>;

export const CapQuery = Type.Object(
  { year: Type.Optional(Int({ minimum: 1990, maximum: 2100 })) },
  { additionalProperties: false },
);
export type CapQuery = Static<typeof CapQuery>;

export const CapBody = Type.Object(
  {
    officialCsv: Type.String({ description: 'official deliveries CSV (docs/cargo.md)', maxLength: 5_000_000 }),
  },
  { additionalProperties: false },
);
export type CapBody = Static<typeof CapBody>;

export default async function cargoRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Params: Static<typeof IdParams>; Reply: CargoEstimates }>(
    '/cargo/estimate/:id',
    {
      schema: {
        operationId: 'estimateCargo',
        summary: 'Cargo loaded or discharged in a port call, encounter or gap finding, from the draught change',
        tags,
        params: IdParams,
        response: { 200: CargoEstimates },
      },
    },
    async (req) => ({ results: await estimateFinding(store, req.params.id) }),
  );

  app.get<{ Querystring: CapQuery; Reply: CapYears }>(
    '/cargo/cap',
    {
      schema: {
        operationId: 'petroleumCap',
        summary: 'Refined petroleum delivered to the DPRK per year against the 500,000-barrel cap',
        tags,
        querystring: CapQuery,
        response: { 200: CapYears },
      },
    },
    async (req) => {
      const years = await capByYear(store, { year: req.query.year });
      return { results: years, findings: capFindings(years) };
    },
  );

  app.post<{ Querystring: CapQuery; Body: CapBody; Reply: CapYears }>(
    '/cargo/cap',
    {
      schema: {
        operationId: 'petroleumCapWithOfficial',
        summary: 'The cap tracker with official deliveries (1718 Committee CSV) added',
        tags,
        querystring: CapQuery,
        body: CapBody,
        response: { 200: CapYears },
      },
    },
    async (req) => {
      const official = parseOfficialDeliveries(req.body.officialCsv, 'officialCsv');
      const years = await capByYear(store, { year: req.query.year, official });
      return { results: years, findings: capFindings(years) };
    },
  );
}
