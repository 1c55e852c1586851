import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { NotFoundError, UserError } from '../errors.js';
import { vesselRiskFromStore } from '../maritime/risk/store.js';
import { identityHistory, mmsisForImo } from '../maritime/store/repository.js';
import { screeningService } from '../screening/service.js';
import type { Store } from '../store/store.js';
import { answer } from './result.js';

/** A vessel: list entries naming its IMO or MMSI, AIS identity history, risk profile from its findings. */
export function registerVesselTools(server: McpServer, store: Store): void {
  server.registerTool(
    'vessel',
    {
      title: 'Vessel: identity history and risk',
      description:
        'A vessel by IMO (7 digits) or MMSI (9 digits): the list entries that name it, every AIS identity it broadcast (names, call signs, flags, first and last seen) and its risk profile (May 2020 advisory red flags from its findings).',
      inputSchema: {
        key: z.string().min(1).describe('IMO number (7 digits, "IMO" prefix allowed) or MMSI (9 digits)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ key }) =>
      answer(async () => {
        const k = key.trim().replace(/^imo\s*/i, '');
        if (!/^\d{7}$|^\d{9}$/.test(k)) throw new UserError(`key: a 7-digit IMO or 9-digit MMSI, got "${key}"`);
        const isImo = k.length === 7;
        const mmsis = isImo ? await mmsisForImo(store.db, Number(k)) : [Number(k)];
        const prop = isImo ? 'imoNumber' : 'mmsi';
        const service = await screeningService(store);
        const hits = await service.match(
          { id: 'vessel', schema: 'Vessel', properties: { [prop]: [k] } },
          { limit: 10 },
        );
        const listed = hits
          .filter((h) => (h.properties[prop] ?? []).some((v) => v.replace(/^IMO\s*/i, '') === k))
          .map((h) => ({ id: h.id, caption: h.caption, datasets: h.datasets, properties: h.properties }));
        const identities: Record<string, unknown[]> = {};
        for (const m of mmsis) identities[String(m)] = await identityHistory(store.db, m);
        let risk: unknown = null;
        try {
          risk = await vesselRiskFromStore(store, k);
        } catch (e) {
          if (!(e instanceof NotFoundError)) throw e;
        }
        if (listed.length === 0 && mmsis.length === 0 && risk === null)
          throw new NotFoundError(`no list entry, AIS identity or finding for ${isImo ? 'IMO' : 'MMSI'} ${k}`);
        return { key: k, kind: isImo ? 'imo' : 'mmsi', listed, mmsis, identities, risk };
      }),
  );
}
