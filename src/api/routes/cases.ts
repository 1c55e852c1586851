import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { forgetCase, setCaseOwner, visibleCases } from '../../auth/case-access.js';
import {
  addCaseItem,
  createCase,
  deleteCase,
  getCase,
  listCases,
  removeCaseItem,
  updateCase,
} from '../../cases/cases.js';
import { buildEvidenceList, loadCaseMaterial } from '../../cases/evidence.js';
import { htmlToPdf } from '../../cases/pdf.js';
import { renderCaseHtml } from '../../cases/report.js';
import { CASE_ITEM_KINDS } from '../../cases/types.js';
import { IdParams, NoContent, Nullable, Results, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * Cases: create, change, delete, items, evidence list and reports (HTML, PDF). The schemas below are the one
 * definition of each route's input and output: Fastify validates with them, /docs/json publishes them, and their
 * `Static` types are what the handlers return and what the web client (web/src/api.ts) receives.
 */

const tags = ['cases'];
const CaseStatus = StringEnum(['open', 'closed'] as const);

export const CaseSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  status: CaseStatus,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  itemCount: Type.Integer(),
});
export type CaseSummary = Static<typeof CaseSummary>;

export const CaseItem = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  kind: StringEnum(CASE_ITEM_KINDS),
  ref: Type.String({ description: 'finding id, entity id, address, or the text of a note' }),
  note: Nullable(Type.String()),
  addedAt: Type.String({ format: 'date-time' }),
});
export type CaseItem = Static<typeof CaseItem>;

export const CaseRecord = Type.Composite([CaseSummary, Type.Object({ items: Type.Array(CaseItem) })]);
export type CaseRecord = Static<typeof CaseRecord>;

export const EvidenceEntry = Type.Object({
  ref: Type.String({ description: 'E-1, E-2, ... in the order of the case items' }),
  citedBy: Type.String({ description: 'the finding, entity, address or note that cites it' }),
  kind: StringEnum(['finding-evidence', 'entity-statement', 'list-version', 'note'] as const),
  source: Type.String({ description: 'import id, list version, file or chain' }),
  record: Type.String({ description: 'record inside the source: file:line, tx hash, record key' }),
  contentHash: Nullable(Type.String({ description: 'sha256 of the record content' })),
  description: Type.String(),
});
export type EvidenceEntry = Static<typeof EvidenceEntry>;

export const CaseList = Results(CaseSummary);
export type CaseList = Static<typeof CaseList>;
export const EvidenceList = Results(EvidenceEntry);
export type EvidenceList = Static<typeof EvidenceList>;

export const CreateCaseBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    summary: Type.Optional(Type.String({ maxLength: 20000 })),
  },
  { additionalProperties: false },
);
export type CreateCaseBody = Static<typeof CreateCaseBody>;

export const UpdateCaseBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    summary: Type.Optional(Type.String({ maxLength: 20000 })),
    status: Type.Optional(CaseStatus),
  },
  { additionalProperties: false },
);
export type UpdateCaseBody = Static<typeof UpdateCaseBody>;

export const AddItemBody = Type.Object(
  {
    kind: StringEnum(CASE_ITEM_KINDS),
    ref: Type.String({ minLength: 1, maxLength: 20000, description: 'finding id, entity id, address, or note text' }),
    note: Type.Optional(Type.String({ maxLength: 20000 })),
  },
  { additionalProperties: false },
);
export type AddItemBody = Static<typeof AddItemBody>;

const ItemParams = Type.Object({ id: Type.String({ minLength: 1 }), itemId: Type.String({ minLength: 1 }) });
type Id = Static<typeof IdParams>;

export default async function casesRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;

  app.get<{ Reply: CaseList }>(
    '/cases',
    {
      schema: {
        operationId: 'listCases',
        summary: 'List cases, most recently changed first',
        tags,
        response: { 200: CaseList },
      },
    },
    async (req) => ({ results: await visibleCases(store.db, req.principal, await listCases(store)) }),
  );

  app.post<{ Body: CreateCaseBody; Reply: CaseRecord }>(
    '/cases',
    {
      schema: {
        operationId: 'createCase',
        summary: 'Create a case',
        tags,
        body: CreateCaseBody,
        response: { 201: CaseRecord },
      },
    },
    async (req, reply) => {
      const c = await createCase(store, req.body);
      // With auth on, the creator owns the case (src/auth/case-access.ts): nobody else sees it until shared.
      if (req.principal?.userId) await setCaseOwner(store.db, c.id, req.principal.userId);
      return reply.status(201).send(c);
    },
  );

  app.get<{ Params: Id; Reply: CaseRecord }>(
    '/cases/:id',
    {
      schema: {
        operationId: 'getCase',
        summary: 'A case with its items',
        tags,
        params: IdParams,
        response: { 200: CaseRecord },
      },
    },
    async (req) => getCase(store, req.params.id),
  );

  app.patch<{ Params: Id; Body: UpdateCaseBody; Reply: CaseRecord }>(
    '/cases/:id',
    {
      schema: {
        operationId: 'updateCase',
        summary: 'Change a case title, summary or status',
        tags,
        params: IdParams,
        body: UpdateCaseBody,
        response: { 200: CaseRecord },
      },
    },
    async (req) => updateCase(store, req.params.id, req.body),
  );

  app.delete<{ Params: Id }>(
    '/cases/:id',
    {
      schema: {
        operationId: 'deleteCase',
        summary: 'Delete a case and its items',
        tags,
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await deleteCase(store, req.params.id);
      await forgetCase(store.db, req.params.id);
      return reply.status(204).send();
    },
  );

  app.post<{ Params: Id; Body: AddItemBody; Reply: CaseItem }>(
    '/cases/:id/items',
    {
      schema: {
        operationId: 'addCaseItem',
        summary: 'Add a finding, entity, address or note to a case',
        tags,
        params: IdParams,
        body: AddItemBody,
        response: { 201: CaseItem },
      },
    },
    async (req, reply) => reply.status(201).send(await addCaseItem(store, req.params.id, req.body)),
  );

  app.delete<{ Params: Static<typeof ItemParams> }>(
    '/cases/:id/items/:itemId',
    {
      schema: {
        operationId: 'removeCaseItem',
        summary: 'Remove an item from a case',
        tags,
        params: ItemParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await removeCaseItem(store, req.params.id, req.params.itemId);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: Id; Reply: EvidenceList }>(
    '/cases/:id/evidence',
    {
      schema: {
        operationId: 'getCaseEvidence',
        summary: 'The evidence list of a case: sources, record references and hashes',
        tags,
        params: IdParams,
        response: { 200: EvidenceList },
      },
    },
    async (req) => {
      const c = await getCase(store, req.params.id);
      return { results: buildEvidenceList(c, await loadCaseMaterial(store, c)) };
    },
  );

  app.get<{ Params: Id }>(
    '/cases/:id/report.html',
    {
      schema: {
        operationId: 'getCaseReportHtml',
        summary: 'The case as a report (UN Panel of Experts structure), self-contained HTML',
        tags,
        params: IdParams,
        response: {
          200: {
            description: 'The report',
            content: { 'text/html': { schema: Type.String({ description: 'self-contained HTML document' }) } },
          },
        },
      },
    },
    async (req, reply) => reply.type('text/html; charset=utf-8').send(await renderCaseHtml(store, req.params.id)),
  );

  app.get<{ Params: Id }>(
    '/cases/:id/report.pdf',
    {
      schema: {
        operationId: 'getCaseReportPdf',
        summary: 'The case report as PDF (printed by headless Chromium)',
        tags,
        params: IdParams,
        response: {
          200: {
            description: 'The report',
            content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
          },
        },
      },
    },
    async (req, reply) => {
      const c = await getCase(store, req.params.id);
      const pdf = await htmlToPdf(await renderCaseHtml(store, c.id), { title: c.title });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${c.id}.pdf"`).send(pdf);
    },
  );
}
