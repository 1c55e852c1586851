import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../server.js';
import { registerAisVessels } from './vessels/ais.js';
import { registerVesselRisk } from './vessels/risk.js';
import { registerTrackColumns } from './vessels/track-columns.js';
import { registerVesselWorkspace } from './vessels/workspace.js';

/**
 * The `vessels` resource, one plugin: every `/vessels...` route (AIS identity history, positions, tracks, risk),
 * the riskiest vessels (`/risk`), and the workspace's vessel page and map tracks. The routes are split by read
 * model in ./vessels/; their TypeBox schemas and `Static` types are in ./vessels/schemas.ts, re-exported here for
 * web/src/api.ts. AIS decoding is in ais.ts, detection runs and zones in maritime.ts.
 */

export * from './vessels/schemas.js';

export default async function vesselRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  registerAisVessels(app, deps);
  registerVesselRisk(app, deps);
  registerVesselWorkspace(app, deps);
  registerTrackColumns(app, deps);
}
