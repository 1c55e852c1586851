import type { Readable } from 'node:stream';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forgetCase, setCaseOwner, visibleCases } from '../../auth/case-access.js';
import {
  addAttachment,
  getAttachment,
  listAttachments,
  openAttachment,
  removeAttachment,
  UnsupportedTypeError,
  updateAttachment,
} from '../../cases/attachments.js';
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
import { type CaseActor, readCaseLog, verifyChain } from '../../cases/log.js';
import { closeSharedPdfRenderer, renderPdfShared } from '../../cases/pdf.js';
import { renderCaseHtml } from '../../cases/report.js';
import { ATTACHMENT_MEDIA_TYPES, CASE_ITEM_KINDS } from '../../cases/types.js';
import { ErrorReply, IdParams, NoContent, Nullable, Results, StringEnum } from '../schemas/common.js';
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

const Position = Type.Tuple([Type.Number(), Type.Number()]);
export const Footprint = Type.Object(
  { type: Type.Literal('Polygon'), coordinates: Type.Array(Type.Array(Position)) },
  { description: 'GeoJSON Polygon, WGS84 longitude/latitude' },
);

export const Attachment = Type.Object({
  caseId: Type.String(),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  mediaType: StringEnum(ATTACHMENT_MEDIA_TYPES, { description: 'sniffed from the first bytes, never from the name' }),
  kind: StringEnum(['image', 'document', 'web-capture'] as const),
  filename: Type.String(),
  sizeBytes: Type.Integer(),
  caption: Type.String(),
  source: Type.String(),
  date: Nullable(Type.String({ description: 'YYYY-MM-DD or ISO-8601 UTC' })),
  licence: Type.String(),
  footprint: Nullable(Footprint),
  bbox: Nullable(Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()])),
  footprintFrom: Nullable(StringEnum(['geotiff', 'given'] as const)),
  widthPx: Nullable(Type.Integer()),
  heightPx: Nullable(Type.Integer()),
  addedAt: Type.String({ format: 'date-time' }),
  addedBy: Type.String(),
});
export type Attachment = Static<typeof Attachment>;
export const AttachmentList = Results(Attachment);
export type AttachmentList = Static<typeof AttachmentList>;

export const AttachQuery = Type.Object(
  {
    caption: Type.String({ minLength: 1, maxLength: 2000, description: 'what it shows' }),
    source: Type.String({ minLength: 1, maxLength: 2000, description: 'who made it (operator, photographer, URL)' }),
    date: Type.Optional(Type.String({ maxLength: 40, description: 'YYYY-MM-DD or ISO-8601 UTC' })),
    licence: Type.Optional(Type.String({ maxLength: 500 })),
    bounds: Type.Optional(
      Type.String({ maxLength: 200, description: 'imagery footprint west,south,east,north in degrees' }),
    ),
    footprint: Type.Optional(Type.String({ maxLength: 200_000, description: 'imagery footprint, GeoJSON Polygon' })),
    filename: Type.Optional(Type.String({ maxLength: 255, description: 'the name to download it under' })),
  },
  { additionalProperties: false },
);
export type AttachQuery = Static<typeof AttachQuery>;

export const UpdateAttachmentBody = Type.Object(
  {
    caption: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    date: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'YYYY-MM-DD or ISO-8601 UTC' }))),
    licence: Type.Optional(Type.String({ maxLength: 500 })),
    bounds: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'west,south,east,north; null clears' }))),
    footprint: Type.Optional(Nullable(Footprint)),
  },
  { additionalProperties: false },
);
export type UpdateAttachmentBody = Static<typeof UpdateAttachmentBody>;

const AttachmentParams = Type.Object({
  id: Type.String({ minLength: 1 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
type AttachmentParams = Static<typeof AttachmentParams>;

export const CaseLogEntry = Type.Object({
  caseId: Type.String(),
  seq: Type.Integer(),
  ts: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  action: Type.String(),
  target: Nullable(Type.String()),
  detail: Type.Unsafe<unknown>({ description: 'what changed (JSON)' }),
  prevHash: Type.String(),
  hash: Type.String(),
});
export const CaseLog = Type.Object({
  caseId: Type.String(),
  verified: Type.Boolean({ description: 'every hash and link re-computed and found right' }),
  head: Type.String({ description: "the last entry's hash (64 zeros for an empty log)" }),
  broken: Nullable(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
  results: Type.Array(CaseLogEntry),
});
export type CaseLog = Static<typeof CaseLog>;

/**
 * The raw upload types: the body is streamed to disk as is (the type is sniffed from the bytes). The stored types
 * themselves, plus a plain byte stream and the other names MHTML goes by.
 */
const UPLOAD_TYPES = [
  'application/octet-stream',
  ...ATTACHMENT_MEDIA_TYPES,
  'message/rfc822',
  'application/x-mimearchive',
];

/** Who makes a change through the API, and (filled by the case functions) the log hashes it wrote. */
function actorOf(req: FastifyRequest): CaseActor & { hashes: string[] } {
  return { name: req.principal?.username ?? 'local', hashes: [] };
}

/** The case log head written by this request: the audit trail row of the request carries it. */
function markLogged(reply: FastifyReply, actor: { hashes: string[] }): void {
  const h = actor.hashes[actor.hashes.length - 1];
  if (h) reply.header('x-case-log-hash', h);
}

/** `Content-Disposition` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987). */
function disposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export default async function casesRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;
  // Attachments arrive as a raw body: handed to the route as the request stream, never buffered whole.
  app.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));
  app.addContentTypeParser(/^image\//, (_req, payload, done) => done(null, payload));

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
      const actor = actorOf(req);
      const c = await createCase(store, req.body, actor);
      markLogged(reply, actor);
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
    async (req, reply) => {
      const actor = actorOf(req);
      const c = await updateCase(store, req.params.id, req.body, actor);
      markLogged(reply, actor);
      return c;
    },
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
      const actor = actorOf(req);
      await deleteCase(store, req.params.id, actor);
      markLogged(reply, actor);
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
    async (req, reply) => {
      const actor = actorOf(req);
      const item = await addCaseItem(store, req.params.id, req.body, actor);
      markLogged(reply, actor);
      return reply.status(201).send(item);
    },
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
      const actor = actorOf(req);
      await removeCaseItem(store, req.params.id, req.params.itemId, actor);
      markLogged(reply, actor);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: Id; Reply: AttachmentList }>(
    '/cases/:id/attachments',
    {
      schema: {
        operationId: 'listCaseAttachments',
        summary: 'The images, documents and web captures a case holds',
        tags,
        params: IdParams,
        response: { 200: AttachmentList },
      },
    },
    async (req) => {
      await getCase(store, req.params.id);
      return { results: await listAttachments(store.db, req.params.id) };
    },
  );

  app.post<{ Params: Id; Querystring: AttachQuery; Body: unknown; Reply: Attachment }>(
    '/cases/:id/attachments',
    {
      schema: {
        operationId: 'addCaseAttachment',
        summary: 'Attach a file: the raw bytes as the body, caption, source, date, licence and bounds in the query',
        description:
          'Send the file itself as the body (Content-Type application/octet-stream or its own type). It is streamed ' +
          'to disk with a size cap (413 beyond; WATCHKEEPER_ATTACHMENT_MAX_MB, default 100), its type is read from ' +
          'its first bytes (PNG, JPEG, TIFF/GeoTIFF, PDF, HTML, MHTML; anything else is a 415) and it is stored by ' +
          "its sha256. A GeoTIFF's footprint is read from its tags unless `bounds` or `footprint` is given.",
        tags,
        params: IdParams,
        querystring: AttachQuery,
        body: {
          content: {
            'application/octet-stream': {
              schema: { description: 'the file bytes', type: 'string', format: 'binary' },
            },
          },
        },
        response: { 201: Attachment, 413: ErrorReply, 415: ErrorReply },
      },
      // The body is a stream: Fastify's JSON validation of it is skipped (the handler checks what it reads).
      validatorCompiler: ({ httpPart, schema }) =>
        httpPart === 'body' ? () => true : app.validatorCompiler!({ schema, method: 'POST', url: '', httpPart }),
    },
    async (req, reply) => {
      const body = req.body as Readable | undefined;
      if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
        throw new UnsupportedTypeError(
          'send the file itself as the body with Content-Type application/octet-stream (or its own type)',
        );
      }
      const actor = actorOf(req);
      const declared = Number(req.headers['content-length']);
      const a = await addAttachment(store.db, req.params.id, body, req.query, {
        actor,
        declaredBytes: Number.isFinite(declared) ? declared : undefined,
      });
      markLogged(reply, actor);
      return reply.status(201).send(a);
    },
  );

  app.get<{ Params: AttachmentParams }>(
    '/cases/:id/attachments/:sha256',
    {
      schema: {
        operationId: 'getCaseAttachment',
        summary: 'The bytes of an attachment, with the type sniffed when it was attached',
        description:
          'Images and PDFs are served inline, HTML and MHTML web captures always as a download ' +
          '(Content-Disposition: attachment), with X-Content-Type-Options: nosniff and a sandboxing CSP.',
        tags,
        params: AttachmentParams,
        response: {
          200: {
            description: 'The file',
            content: Object.fromEntries(
              ATTACHMENT_MEDIA_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]),
            ),
          },
        },
      },
    },
    async (req, reply) => {
      const a = await getAttachment(store.db, req.params.id, req.params.sha256);
      const f = await openAttachment(a.sha256, store.db);
      const inline = a.kind !== 'web-capture';
      return reply
        .type(a.mediaType)
        .header('content-length', f.sizeBytes)
        .header('content-disposition', disposition(inline ? 'inline' : 'attachment', a.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('etag', `"${a.sha256}"`)
        .send(f.stream);
    },
  );

  app.patch<{ Params: AttachmentParams; Body: UpdateAttachmentBody; Reply: Attachment }>(
    '/cases/:id/attachments/:sha256',
    {
      schema: {
        operationId: 'updateCaseAttachment',
        summary: "Change an attachment's caption, source, date, licence or footprint (logged, before and after)",
        tags,
        params: AttachmentParams,
        body: UpdateAttachmentBody,
        response: { 200: Attachment },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const a = await updateAttachment(store.db, req.params.id, req.params.sha256, req.body, actor);
      markLogged(reply, actor);
      return a;
    },
  );

  app.delete<{ Params: AttachmentParams; Reply: Attachment }>(
    '/cases/:id/attachments/:sha256',
    {
      schema: {
        operationId: 'removeCaseAttachment',
        summary: 'Remove an attachment from a case (logged); answers with what was removed',
        tags,
        params: AttachmentParams,
        response: { 200: Attachment },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const a = await removeAttachment(store.db, req.params.id, req.params.sha256, actor);
      markLogged(reply, actor);
      return a;
    },
  );

  app.get<{ Params: Id; Reply: CaseLog }>(
    '/cases/:id/log',
    {
      schema: {
        operationId: 'getCaseLog',
        summary: 'The case log: every change, by whom and when, as a hash chain, and whether it verifies',
        tags,
        params: IdParams,
        response: { 200: CaseLog },
      },
    },
    async (req) => {
      await getCase(store, req.params.id);
      const entries = await readCaseLog(store.db, req.params.id);
      const check = verifyChain(entries);
      return { caseId: req.params.id, verified: check.ok, head: check.head, broken: check.broken, results: entries };
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

  app.addHook('onClose', async () => closeSharedPdfRenderer());
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
      const pdf = await renderPdfShared(await renderCaseHtml(store, c.id), { title: c.title });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${c.id}.pdf"`).send(pdf);
    },
  );
}
