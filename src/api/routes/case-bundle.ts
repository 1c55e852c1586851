import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { exportBundle } from '../../cases/bundle.js';
import { renderPdfShared } from '../../cases/pdf.js';
import { IdParams } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * `GET /cases/{id}/bundle`: the case exported as a bundle (src/cases/bundle.ts), the same file as
 * `watchkeeper cases export ID --format bundle`, streamed as a download. Any user who may see the case may export
 * it (the auth hook answers 404 for a case not shared with the caller). The tar is written to a temporary file
 * (its manifest holds the sha256 of every member, known only at the end), streamed, then removed.
 */

export const BundleQuery = Type.Object({
  pdf: Type.Optional(
    Type.Boolean({ default: true, description: 'include the PDF report (printed by headless Chromium)' }),
  ),
  sources: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'include the raw source files (NMEA, CSV) behind the evidence, not only their sha256',
    }),
  ),
});
export type BundleQuery = Static<typeof BundleQuery>;

export default async function caseBundleRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;
  app.get<{ Params: Static<typeof IdParams>; Querystring: BundleQuery }>(
    '/cases/:id/bundle',
    {
      schema: {
        operationId: 'getCaseBundle',
        summary:
          'The case as a verifiable bundle (tar: report, log, findings, evidence, excerpts, attachments, manifest)',
        description:
          'A ustar archive with manifest.json holding the sha256 of every member and the case log chain head, sent ' +
          'as a download (Content-Disposition: attachment). Check it with `watchkeeper verify FILE` (docs/evidence.md).',
        tags: ['cases'],
        params: IdParams,
        querystring: BundleQuery,
        response: {
          200: {
            description: 'The bundle',
            content: { 'application/x-tar': { schema: Type.String({ format: 'binary' }) } },
          },
        },
      },
    },
    async (req, reply) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'wk-bundle-'));
      const cleanup = () => rm(dir, { recursive: true, force: true });
      try {
        const file = path.join(dir, 'case.tar');
        const r = await exportBundle(store, req.params.id, file, {
          pdf: req.query.pdf !== false,
          withSources: req.query.sources === true,
          renderPdf: renderPdfShared,
        });
        const stream = createReadStream(file);
        stream.once('close', () => void cleanup());
        return reply
          .type('application/x-tar')
          .header('content-length', r.sizeBytes)
          .header('content-disposition', `attachment; filename="${r.manifest.caseId}.tar"`)
          .header('x-bundle-sha256', r.sha256)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store')
          .send(stream);
      } catch (err) {
        await cleanup();
        throw err;
      }
    },
  );
}
