import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { getCase } from '../cases/cases.js';
import { buildReportData } from '../cases/report.js';
import type { Store } from '../store/store.js';
import { answer } from './result.js';

const READ = { readOnlyHint: true, openWorldHint: false } as const;

/** Findings with filters, and the summary of a case. */
export function registerFindingTools(server: McpServer, store: Store): void {
  server.registerTool(
    'findings',
    {
      title: 'Findings',
      description:
        'Findings of every analyser (AIS gaps, ship-to-ship encounters, identity changes, screening matches, crypto exposure, ...), newest first, filtered by kind, subject entity, time, score or red flag. Each has its explanation and evidence.',
      inputSchema: {
        kinds: z.array(z.string()).optional().describe('e.g. ["ais.gap", "ais.encounter"]'),
        subject: z
          .string()
          .optional()
          .describe('only findings naming this entity id (ais-<mmsi>, ofac-..., wallet-...)'),
        since: z.string().optional().describe('ISO time: findings starting at or after'),
        until: z.string().optional().describe('ISO time: findings starting before'),
        minScore: z.number().min(0).max(1).optional(),
        redFlag: z.string().optional().describe('red-flag code'),
        limit: z.number().int().min(1).max(500).optional().describe('default 50'),
        offset: z.number().int().min(0).optional(),
      },
      annotations: READ,
    },
    (f) =>
      answer(async () => {
        const filter = { ...f, limit: f.limit ?? 50 };
        const [total, findings] = await Promise.all([
          store.countFindings({ ...filter, limit: undefined, offset: undefined }),
          store.queryFindings(filter),
        ]);
        return { total, findings };
      }),
  );

  server.registerTool(
    'case_summary',
    {
      title: 'Case summary',
      description:
        "A case: title, status, summary, its items (entities, findings, addresses, notes) and the size and digest of its evidence list (the case report's sources).",
      inputSchema: { id: z.string().min(1).describe('case id') },
      annotations: READ,
    },
    ({ id }) =>
      answer(async () => {
        const c = await getCase(store, id);
        const report = await buildReportData(store, id);
        const bySource: Record<string, number> = {};
        for (const e of report.evidence) bySource[e.kind] = (bySource[e.kind] ?? 0) + 1;
        return {
          ...c,
          evidence: { count: report.evidence.length, byKind: bySource, digest: report.digest },
        };
      }),
  );
}
