import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { storeDataDir } from '../../cases/attachments.js';
import { UserError } from '../../errors.js';
import { receiveFormFiles } from '../../imports/form.js';
import { importJobRunner, JOB_STATES, type JobActor, newJobId } from '../../imports/jobs.js';
import {
  capText,
  checkParams,
  type ImportKind,
  type ImportParams,
  maxImportBytes,
  sniffImport,
} from '../../imports/kinds.js';
import { formDataBoundary } from '../../imports/multipart.js';
import { checkOfacPart, OFAC_PARTS, ofacRole, ofacSet, ofacSetSha256 } from '../../imports/ofac-set.js';
import { streamToFile, TooLargeError, UnsupportedTypeError } from '../../imports/upload.js';
import { LIST_FORMATS } from '../../lists/formats.js';
import { effectiveRole } from '../auth/policy.js';
import { ErrorReply, IdParams, Limit, Nullable, Offset, StringEnum } from '../schemas/common.js';
import type { ApiDeps } from '../server.js';

/**
 * Imports over HTTP: `POST /imports/lists`, `/imports/ais`, `/imports/transfers` take the raw file as the body, or
 * as a multipart/form-data file part (lists: several parts make OFAC's CSV set, src/imports/ofac-set.ts), stream it
 * to disk under the store's data dir with a per-kind size cap (gzip is decompressed on the way; the cap
 * counts its content), check its type from the first bytes, and queue a job that runs the CLI's own importer.
 * `GET /imports/jobs[/{id}]` shows state, progress and counts; `DELETE /imports/jobs/{id}` cancels (nothing is
 * written). Analysts and admins only; creations and cancels go to the audit trail like every write.
 */

const tags = ['imports'];

/** Bytes a form's framing (boundaries, part headers) may add to an announced Content-Length over the cap. */
const FORM_SLACK_BYTES = 64 * 1024;

export const ImportJobProgress = Type.Object({
  step: Type.String({ description: 'reading, hashing, counting, writing (lists); importing (AIS, transfers)' }),
  unit: Type.String({ description: 'bytes, entities, records, lines or rows' }),
  done: Type.Number(),
  total: Nullable(Type.Number()),
});

export const ImportJobParams = Type.Object({
  format: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  allowEmpty: Type.Optional(Type.Boolean()),
  strictProperties: Type.Optional(Type.Boolean()),
  map: Type.Optional(Type.String()),
  startTime: Type.Optional(Type.String()),
  chain: Type.Optional(Type.String()),
  skipBad: Type.Optional(Type.Boolean()),
});

export const ImportJob = Type.Object({
  id: Type.String(),
  kind: StringEnum(['lists', 'ais', 'transfers'] as const),
  state: StringEnum(JOB_STATES),
  owner: Type.String({ description: 'the user who sent the file' }),
  filename: Type.String({
    description:
      'the name the file was imported under (its importer names it in errors); for an OFAC set, its files ' +
      '("sdn.csv, add.csv, alt.csv, sdn_comments.csv")',
  }),
  sizeBytes: Type.Integer({ description: 'bytes of the file (after gunzip); for an OFAC set, of all its files' }),
  sha256: Type.String({
    description: "the file's sha256; for an OFAC set, the set's, as `lists import DIR` computes it (the version id's)",
  }),
  format: Type.String({ description: 'as read from the first bytes (or given)' }),
  params: ImportJobParams,
  cancelRequested: Type.Boolean(),
  progress: Nullable(ImportJobProgress),
  result: Nullable(
    Type.Record(Type.String(), Type.Unknown(), { description: 'counts of a finished import (per kind)' }),
  ),
  error: Nullable(Type.String({ description: 'why the job failed, naming file and line as the importer does' })),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type ImportJob = Static<typeof ImportJob>;

export const ImportJobList = Type.Object({ total: Type.Integer(), results: Type.Array(ImportJob) });
export type ImportJobList = Static<typeof ImportJobList>;

const Filename = Type.Optional(
  Type.String({
    maxLength: 200,
    description: 'the file name, for messages (default upload.<ext>); the extension is set from the content',
  }),
);

export const ListsImportQuery = Type.Object({
  format: Type.Optional(StringEnum(LIST_FORMATS)),
  source: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'dataset name (default per format)',
    }),
  ),
  url: Type.Optional(Type.String({ maxLength: 2000, description: 'where the file came from' })),
  allowEmpty: Type.Optional(Type.Boolean()),
  strictProperties: Type.Optional(Type.Boolean()),
  filename: Filename,
});
export const AisImportQuery = Type.Object({
  format: Type.Optional(StringEnum(['auto', 'nmea', 'csv'] as const)),
  map: Type.Optional(
    Type.String({ maxLength: 2000, description: 'CSV columns: col=field,... as in ais import --map' }),
  ),
  startTime: Type.Optional(
    Type.String({ maxLength: 40, description: 'ISO-8601 time for NMEA messages the file gives no time for' }),
  ),
  filename: Filename,
});
export const TransfersImportQuery = Type.Object({
  chain: Type.Optional(Type.String({ maxLength: 20, description: 'chain for rows without one (default eth)' })),
  skipBad: Type.Optional(Type.Boolean({ description: 'import the good rows and report the bad ones' })),
  filename: Filename,
});

export const ImportJobsQuery = Type.Object({
  state: Type.Optional(StringEnum(JOB_STATES)),
  limit: Type.Optional(Limit({ maximum: 500, default: 50 })),
  offset: Type.Optional(Offset()),
});

function actorOf(req: FastifyRequest): JobActor {
  const p = req.principal;
  return {
    userId: p?.userId ?? null,
    username: p?.username ?? 'local',
    admin: p ? effectiveRole(p) === 'admin' : false,
  };
}

/** A name for the uploaded file: its base name, tame characters, the extension the importer reads. */
function fileName(given: string | undefined, ext: string): string {
  const base = path
    .basename(String(given ?? '').replace(/\\/g, '/'))
    .replace(/\.gz$/i, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
  const stem = base.replace(/\.[A-Za-z0-9]{1,8}$/, '') || 'upload';
  return `${stem}.${ext}`;
}

const WHAT: Record<ImportKind, string> = {
  lists: 'a sanctions list file (UN SC XML, OFAC CSV, FtM JSON lines, EU or UK YAML), as `watchkeeper lists import`',
  ais: 'an AIS file (NMEA or CSV), as `watchkeeper ais import`',
  transfers: 'a transfers file (CSV or JSON lines), as `watchkeeper crypto import FILE`',
};

export default async function importRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { store } = deps;
  const runner = importJobRunner(store);
  runner.log = (msg, err) => app.log.error({ err }, msg);
  await runner.sweepInterrupted();
  app.addHook('onClose', async () => {
    await runner.stop();
  });

  // Every body in this plugin is a file: handed over as the request stream, never buffered or parsed.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  const binary = (description: string) => ({ description, type: 'string', format: 'binary' });
  const bodySchema = (kind: ImportKind) => ({
    content: {
      'application/octet-stream': { schema: binary('the file bytes (gzip allowed)') },
      'multipart/form-data': {
        schema: {
          type: 'object',
          description:
            kind === 'lists'
              ? "one list file (any field name), or OFAC's CSV set as several file parts, each named by its field " +
                'or by its file name (sdn.csv, add.csv, alt.csv, sdn_comments.csv); sdn is required'
              : 'one file part (any field name); plain fields are refused (options go in the query string)',
          properties:
            kind === 'lists'
              ? {
                  sdn: binary("OFAC's sdn.csv"),
                  add: binary("OFAC's add.csv (addresses)"),
                  alt: binary("OFAC's alt.csv (aliases)"),
                  comments: binary("OFAC's sdn_comments.csv (remarks overflow)"),
                  file: binary('a single list file (UN XML, OFAC sdn.csv, FtM JSON lines, EU or UK YAML)'),
                }
              : { file: binary('the file (gzip allowed)') },
        },
      },
    },
  });
  const skipBodyValidation = ({ httpPart, schema }: { httpPart?: string; schema: unknown }) =>
    httpPart === 'body'
      ? () => true
      : app.validatorCompiler!({ schema: schema as TSchema, method: 'POST', url: '', httpPart });

  /** Refuse bad options and an announced body over the cap (`slack`: the multipart framing) before reading. */
  function precheck(kind: ImportKind, req: FastifyRequest, params: ImportParams, slack: number): number {
    checkParams(kind, params);
    const maxBytes = maxImportBytes(kind);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + slack) {
      throw new TooLargeError(`${kind} import: ${declared} bytes is over the ${capText(kind)} limit`);
    }
    return maxBytes;
  }

  function bodyStream(kind: ImportKind, req: FastifyRequest): Readable {
    const body = req.body as Readable | undefined;
    if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
      throw new UnsupportedTypeError(`send ${WHAT[kind]} as the body (Content-Type application/octet-stream)`);
    }
    return body;
  }

  /** One file in the job's directory: type check, name it for the importer, queue the job. */
  async function submitOne(
    kind: ImportKind,
    req: FastifyRequest,
    id: string,
    dir: string,
    up: { file: string; sizeBytes: number; lines: number; sha256: string },
    params: ImportParams,
    given: string | undefined,
  ) {
    const { format, ext } = await sniffImport(kind, up.file, params);
    const filename = fileName(given, ext);
    const file = path.join(dir, filename);
    await rename(up.file, file);
    return runner.submit({
      id,
      kind,
      actor: actorOf(req),
      filename,
      dir,
      file,
      sizeBytes: up.sizeBytes,
      lines: up.lines,
      sha256: up.sha256,
      format,
      params,
    });
  }

  /** The raw file as the body. */
  async function accept(kind: ImportKind, req: FastifyRequest, params: ImportParams, given: string | undefined) {
    const maxBytes = precheck(kind, req, params, 0);
    const body = bodyStream(kind, req);
    const id = newJobId();
    const dir = path.join(storeDataDir(store.db), 'imports', id);
    try {
      const up = await streamToFile(body, {
        label: `${kind} import`,
        maxBytes,
        file: path.join(dir, 'body.part'),
        gunzip: true,
        countLines: true,
        sync: false,
      }).catch((err) => {
        if (err instanceof TooLargeError) throw new TooLargeError(`${kind} import: over the ${capText(kind)} limit`);
        throw err;
      });
      if (up.sizeBytes === 0) throw new UserError(`${kind} import: the body is empty; send ${WHAT[kind]}`);
      return await submitOne(kind, req, id, dir, up, params, given);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * A multipart/form-data body: its file parts stream to the job's directory under one cap. Lists take several
   * files as OFAC's CSV set (written under their OFAC names into one directory, which the importer reads as
   * `lists import DIR` does); one file of any kind is imported as if it were the body.
   */
  async function acceptForm(
    kind: ImportKind,
    req: FastifyRequest,
    params: ImportParams,
    given: string | undefined,
    boundary: string,
  ) {
    const maxBytes = precheck(kind, req, params, FORM_SLACK_BYTES);
    const body = bodyStream(kind, req);
    const label = `${kind} import`;
    const id = newJobId();
    const dir = path.join(storeDataDir(store.db), 'imports', id);
    try {
      const parts = await receiveFormFiles(body, boundary, {
        label,
        maxBytes,
        capText: capText(kind),
        dir: path.join(dir, 'parts'),
        maxFiles: kind === 'lists' ? OFAC_PARTS.length : 1,
      });
      const first = parts[0];
      if (!first) {
        throw new UserError(`${label}: the form has no file; send ${WHAT[kind]} as a file part (curl -F file=@FILE)`);
      }
      const asSet = kind === 'lists' && (parts.length > 1 || ofacRole(first.field, first.given) !== null);
      if (!asSet) {
        return await submitOne(kind, req, id, dir, first, params, given ?? first.given).catch((err) => {
          // Name the part, as for the parts of a set: `ais import: part "x.pdf": not NMEA ...`.
          if (err instanceof UnsupportedTypeError && /^\w+ import: /.test(err.message)) {
            throw new UnsupportedTypeError(err.message.replace(/^(\w+ import): /, `$1: part "${first.given}": `));
          }
          throw err;
        });
      }
      if (params.format && params.format !== 'ofac-csv') {
        throw new UserError(
          `${label}: format=${params.format}, but OFAC files were sent; several files are an OFAC CSV set (format=ofac-csv)`,
        );
      }
      const set = ofacSet(parts, label);
      for (const s of set) await checkOfacPart(s.ofac, s.part.file, s.part.given, label);
      const setDir = path.join(dir, 'set');
      await mkdir(setDir, { recursive: true });
      for (const s of set) await rename(s.part.file, path.join(setDir, s.ofac.file));
      return await runner.submit({
        id,
        kind,
        actor: actorOf(req),
        filename: set.map((s) => s.ofac.file).join(', '),
        dir,
        file: setDir,
        sizeBytes: set.reduce((n, s) => n + s.part.sizeBytes, 0),
        lines: set.reduce((n, s) => n + s.part.lines, 0),
        sha256: ofacSetSha256(set),
        format: 'ofac-csv',
        params: { ...params, format: 'ofac-csv' },
      });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The body as sent: a form (multipart/form-data) or the raw file. */
  function receive(kind: ImportKind, req: FastifyRequest, params: ImportParams, given: string | undefined) {
    const boundary = formDataBoundary(req.headers['content-type']);
    return boundary ? acceptForm(kind, req, params, given, boundary) : accept(kind, req, params, given);
  }

  const responses = { 202: ImportJob, 413: ErrorReply, 415: ErrorReply };
  const description = (kind: ImportKind) =>
    `Send ${WHAT[kind]} as the body (Content-Type application/octet-stream; gzip is decompressed), or as a file ` +
    'part of a multipart/form-data body (a browser form, `curl -F file=@FILE`)' +
    (kind === 'lists'
      ? ". Several parts are OFAC's CSV set: `curl -F sdn=@sdn.csv -F add=@add.csv -F alt=@alt.csv " +
        '-F comments=@sdn_comments.csv`, imported as `watchkeeper lists import DIR` imports the same files. '
      : '. ') +
    `It is streamed to disk with a size cap counted over all the files (413 beyond it; default ` +
    `${maxImportBytes(kind, {}) / 1024 / 1024} MB, WATCHKEEPER_IMPORT_MAX_MB_${kind.toUpperCase()}), each file's ` +
    'type is read from its first bytes (415 otherwise, naming the part), and a job is queued (202) that runs the ' +
    'same importer as the CLI. Follow it with GET /imports/jobs/{id}.';

  // The read routes first: the POST routes' validator compiler below is the one Fastify sets up for them.
  app.get<{ Querystring: Static<typeof ImportJobsQuery>; Reply: ImportJobList }>(
    '/imports/jobs',
    {
      config: { auth: 'analyst' },
      schema: {
        operationId: 'listImportJobs',
        summary: "Your import jobs, newest first (an admin's: everyone's)",
        tags,
        querystring: ImportJobsQuery,
        response: { 200: ImportJobList },
      },
    },
    async (req) =>
      runner.list(actorOf(req), {
        state: req.query.state,
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      }),
  );

  app.get<{ Params: Static<typeof IdParams>; Reply: ImportJob }>(
    '/imports/jobs/:id',
    {
      config: { auth: 'analyst' },
      schema: {
        operationId: 'getImportJob',
        summary: 'An import job: state, progress, counts, or the error naming file and line',
        tags,
        params: IdParams,
        response: { 200: ImportJob },
      },
    },
    async (req) => runner.get(req.params.id, actorOf(req)),
  );

  app.delete<{ Params: Static<typeof IdParams>; Reply: ImportJob }>(
    '/imports/jobs/:id',
    {
      schema: {
        operationId: 'cancelImportJob',
        summary: 'Cancel an import job: a queued one at once, a running one rolls back (nothing is written)',
        description:
          'Answers with the job: `cancelled` once it has rolled back (a job this server runs), or with ' +
          '`cancelRequested` true while the server running it stops it. A job that has ended is a 409.',
        tags,
        params: IdParams,
        response: { 200: ImportJob },
      },
    },
    async (req) => runner.cancel(req.params.id, actorOf(req)),
  );

  app.post<{ Querystring: Static<typeof ListsImportQuery>; Body: unknown; Reply: ImportJob }>(
    '/imports/lists',
    {
      schema: {
        operationId: 'importList',
        summary: "Import a sanctions list file, or OFAC's CSV set as a form of several files, as a job",
        description: description('lists'),
        tags,
        querystring: ListsImportQuery,
        body: bodySchema('lists'),
        response: responses,
      },
      validatorCompiler: skipBodyValidation,
    },
    async (req, reply) => {
      const { filename, ...q } = req.query;
      const job = await receive('lists', req, q, filename);
      return reply.status(202).send(job);
    },
  );

  app.post<{ Querystring: Static<typeof AisImportQuery>; Body: unknown; Reply: ImportJob }>(
    '/imports/ais',
    {
      schema: {
        operationId: 'importAisFile',
        summary: 'Import an AIS file (NMEA or CSV) as a job: the raw file as the body',
        description: description('ais'),
        tags,
        querystring: AisImportQuery,
        body: bodySchema('ais'),
        response: responses,
      },
      validatorCompiler: skipBodyValidation,
    },
    async (req, reply) => {
      const { filename, ...q } = req.query;
      const job = await receive('ais', req, q, filename);
      return reply.status(202).send(job);
    },
  );

  app.post<{ Querystring: Static<typeof TransfersImportQuery>; Body: unknown; Reply: ImportJob }>(
    '/imports/transfers',
    {
      schema: {
        operationId: 'importTransfersFile',
        summary: 'Import a crypto transfers file (CSV or JSON lines) as a job: the raw file as the body',
        description: description('transfers'),
        tags,
        querystring: TransfersImportQuery,
        body: bodySchema('transfers'),
        response: responses,
      },
      validatorCompiler: skipBodyValidation,
    },
    async (req, reply) => {
      const { filename, ...q } = req.query;
      const job = await receive('transfers', req, q, filename);
      return reply.status(202).send(job);
    },
  );
}
