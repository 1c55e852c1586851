import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ApiError,
  api,
  csrfHeader,
  type ENDPOINTS,
  type ImportJob,
  type Responses,
  UNAUTHORIZED_EVENT,
  urlFor,
} from '../api.js';
import {
  DropZone,
  describeError,
  Empty,
  fmtTime,
  type Loadable,
  Notice,
  type Outcome,
  Section,
  Show,
  useLoad,
} from '../ui.js';

/**
 * Imports: send a sanctions list (or OFAC's CSV set, several files), an AIS file or a transfers file to the server,
 * with upload progress (XMLHttpRequest), then follow the import job it becomes (GET /imports/jobs/{id}, polled)
 * with Cancel, and the recent jobs. Analysts and admins only, as the API enforces: a viewer gets a note instead.
 */

type Kind = 'lists' | 'ais' | 'transfers';

const ROUTE: Record<Kind, keyof typeof ENDPOINTS> = {
  lists: 'importList',
  ais: 'importAisFile',
  transfers: 'importTransfersFile',
};

const KIND_LABEL: Record<Kind, string> = {
  lists: 'Sanctions list',
  ais: 'AIS positions',
  transfers: 'Crypto transfers',
};

const ACCEPT: Record<Kind, string> = {
  lists: '.xml,.csv,.json,.jsonl,.ndjson,.yaml,.yml,.gz',
  ais: '.nmea,.txt,.log,.csv,.gz',
  transfers: '.csv,.json,.jsonl,.ndjson,.gz',
};

/** OFAC's files, as the server tells a part by its field name (src/imports/ofac-set.ts). */
const OFAC_ROLES = [
  ['sdn', 'sdn.csv'],
  ['add', 'add.csv (addresses)'],
  ['alt', 'alt.csv (aliases)'],
  ['comments', 'sdn_comments.csv (remarks)'],
] as const;

function guessRole(name: string): string {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  if (n.includes('comment')) return 'comments';
  if (n.startsWith('add')) return 'add';
  if (n.startsWith('alt')) return 'alt';
  return 'sdn';
}

function fmtBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`;
}

/** Keys of the chosen files' rows. */
let chosenKeys = 0;

const ended = (s: ImportJob['state']) => s === 'done' || s === 'failed' || s === 'cancelled';

/** The counts worth a glance, per kind. */
export function jobCounts(job: ImportJob): string {
  const r = (job.result ?? {}) as Record<string, unknown>;
  const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number).toLocaleString('en-US') : null);
  const parts: string[] = [];
  const add = (k: string, label: string) => {
    const v = n(k);
    if (v !== null) parts.push(`${v} ${label}`);
  };
  if (job.kind === 'ais') {
    add('positions', 'positions');
    add('vessels', 'vessels');
  } else if (job.kind === 'lists') {
    add('records', 'records');
    add('entities', 'entities');
  } else add('transfers', 'transfers');
  if (r.created === false) parts.push('already imported');
  return parts.join(', ');
}

interface Upload {
  loaded: number;
  total: number;
  abort: () => void;
}

/** POST the files as a multipart form through XMLHttpRequest, reporting upload progress. */
function sendForm(
  url: string,
  form: FormData,
  onProgress: (loaded: number, total: number) => void,
): { done: Promise<ImportJob>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<ImportJob>((resolve, reject) => {
    xhr.open('POST', url);
    for (const [k, v] of Object.entries(csrfHeader('POST'))) xhr.setRequestHeader(k, v);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onload = () => {
      const body = xhr.response as (ImportJob & { error?: string; message?: string }) | null;
      if (xhr.status === 202 && body) return resolve(body);
      if (xhr.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
      reject(new ApiError(xhr.status, body?.error ?? 'error', body?.message ?? `${xhr.status} ${xhr.statusText}`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload failed: the server did not answer.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled; nothing was sent to an import.'));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

/** A bar for `done` of `total` (none when the total is unknown). */
function Bar({ done, total, testId }: { done: number; total: number | null; testId?: string }) {
  const pct = total && total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null;
  return (
    <span
      className="bar"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      data-testid={testId}
      style={{ display: 'inline-block', width: '16rem', verticalAlign: 'middle' }}
    >
      <span style={{ width: `${pct ?? 0}%` }} />
    </span>
  );
}

function JobProgress({ job }: { job: ImportJob }) {
  const p = job.progress;
  if (!p) return <span className="muted">{job.state === 'queued' ? 'waiting for its turn' : 'starting'}</span>;
  const unit = p.unit === 'bytes' ? null : p.unit;
  const text =
    unit === null
      ? `${fmtBytes(p.done)}${p.total !== null ? ` of ${fmtBytes(p.total)}` : ''}`
      : `${p.done.toLocaleString('en-US')}${p.total !== null ? ` of ${p.total.toLocaleString('en-US')}` : ''} ${unit}`;
  return (
    <span>
      <Bar done={p.done} total={p.total} testId="job-progress" /> {p.step}: {text}
    </span>
  );
}

/** The job just sent: polled until it ends, with Cancel. */
function CurrentJob({ id, onEnded }: { id: string; onEnded: () => void }) {
  const [job, setJob] = useState<ImportJob | null>(null);
  const [msg, setMsg] = useState<Outcome>(null);
  const [cancelling, setCancelling] = useState(false);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const j = await api('importJob', { params: { id } });
        if (!live) return;
        setJob(j);
        if (ended(j.state)) {
          onEnded();
          return;
        }
      } catch (err) {
        if (!live) return;
        setMsg({ ok: false, text: describeError(err as Error) });
      }
      timer = setTimeout(poll, 400);
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [id, onEnded]);
  if (!job) return <Notice msg={msg} />;
  return (
    <div className="card" data-testid="import-job" data-state={job.state}>
      <p>
        <strong>
          {KIND_LABEL[job.kind]}: {job.filename}
        </strong>{' '}
        <span className="muted">
          ({fmtBytes(job.sizeBytes)}, {job.format}, job <span className="mono">{job.id}</span>)
        </span>
      </p>
      <p>
        State: <strong data-testid="import-job-state">{job.state}</strong>{' '}
        {!ended(job.state) && <JobProgress job={job} />}
        {job.cancelRequested && !ended(job.state) && <span className="muted"> (cancel asked)</span>}
      </p>
      {job.state === 'done' && (
        <p className="msg ok" role="status" data-testid="import-result">
          Imported: {jobCounts(job)}.
        </p>
      )}
      {job.state === 'failed' && (
        <p className="msg error" role="alert" data-testid="import-error">
          The import failed; nothing was written. {job.error}
        </p>
      )}
      {job.state === 'cancelled' && (
        <p className="msg" data-testid="import-cancelled">
          Cancelled; nothing was written.
        </p>
      )}
      {!ended(job.state) && (
        <button
          type="button"
          className="secondary"
          data-testid="import-cancel"
          disabled={cancelling || job.cancelRequested}
          onClick={async () => {
            setCancelling(true);
            try {
              setJob(await api('cancelImportJob', { params: { id } }));
            } catch (err) {
              setMsg({ ok: false, text: describeError(err as Error) });
            }
            setCancelling(false);
          }}
        >
          Cancel
        </button>
      )}
      <Notice msg={msg} />
    </div>
  );
}

function UploadForm({ onSubmitted }: { onSubmitted: (job: ImportJob) => void }) {
  const [kind, setKind] = useState<Kind>('lists');
  const [files, setFiles] = useState<Array<{ file: File; role: string; key: number }>>([]);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [msg, setMsg] = useState<Outcome>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const multiple = kind === 'lists';

  const choose = (list: File[]) => {
    if (list.length === 0) return;
    const picked = list.map((file) => ({ file, role: guessRole(file.name), key: ++chosenKeys }));
    setFiles((prev) => (multiple ? [...prev, ...picked].slice(0, 4) : picked.slice(0, 1)));
    setMsg(null);
  };

  const submit = async () => {
    if (files.length === 0) {
      setMsg({ ok: false, text: 'Choose a file first (or drop it on the box).' });
      return;
    }
    const fd = new FormData(formRef.current ?? undefined);
    const query: Record<string, string> = {};
    for (const [k, v] of fd.entries())
      if (typeof v === 'string' && v.trim() !== '' && k !== 'kind') query[k] = v.trim();
    if (query.skipBad) query.skipBad = 'true';
    const body = new FormData();
    // Several list files are OFAC's set: each part named for the OFAC file it is (the server needs sdn).
    for (const f of files) body.append(files.length > 1 ? f.role : 'file', f.file, f.file.name);
    const url = urlFor(ROUTE[kind], { query });
    const total = files.reduce((n, f) => n + f.file.size, 0);
    const x = sendForm(url, body, (loaded, t) => setUpload((u) => (u ? { ...u, loaded, total: t || total } : u)));
    setUpload({ loaded: 0, total, abort: x.abort });
    setMsg(null);
    try {
      const job = await x.done;
      setFiles([]);
      onSubmitted(job);
    } catch (err) {
      setMsg({ ok: false, text: describeError(err as Error) });
    }
    setUpload(null);
  };

  return (
    <Section title="Import a file">
      <form
        ref={formRef}
        data-testid="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p>
          <label>
            Kind{' '}
            <select
              name="kind"
              value={kind}
              data-testid="import-kind"
              onChange={(e) => {
                setKind(e.currentTarget.value as Kind);
                setFiles([]);
              }}
            >
              <option value="lists">{KIND_LABEL.lists} (UN XML, OFAC CSV set, FtM, EU/UK YAML)</option>
              <option value="ais">{KIND_LABEL.ais} (NMEA or CSV)</option>
              <option value="transfers">{KIND_LABEL.transfers} (CSV or JSON lines)</option>
            </select>
          </label>{' '}
          {kind === 'lists' && (
            <>
              <input
                type="text"
                name="source"
                placeholder="Dataset (default per format)"
                aria-label="Dataset"
                data-testid="import-source"
              />{' '}
              <select name="format" aria-label="List format" defaultValue="">
                <option value="">format: from the content</option>
                <option value="un-xml">UN SC XML</option>
                <option value="ofac-csv">OFAC CSV</option>
                <option value="ftm">FtM JSON lines</option>
                <option value="eu-yaml">EU YAML</option>
                <option value="uk-yaml">UK YAML</option>
              </select>
            </>
          )}
          {kind === 'ais' && (
            <>
              <select name="format" aria-label="AIS format" defaultValue="">
                <option value="">format: from the content</option>
                <option value="nmea">NMEA</option>
                <option value="csv">CSV</option>
              </select>{' '}
              <input
                type="text"
                name="startTime"
                placeholder="Start time for untimed NMEA (ISO-8601)"
                aria-label="Start time"
                size={34}
              />
            </>
          )}
          {kind === 'transfers' && (
            <>
              <input type="text" name="chain" placeholder="Chain (default eth)" aria-label="Chain" size={12} />{' '}
              <label>
                <input type="checkbox" name="skipBad" /> import the good rows, report the bad ones
              </label>
            </>
          )}
        </p>
        <DropZone
          testId="import-drop"
          inputTestId="import-files"
          multiple={multiple}
          accept={ACCEPT[kind]}
          onFiles={choose}
        >
          {multiple
            ? 'Drop a list file here, or OFAC’s sdn.csv with add.csv, alt.csv and sdn_comments.csv; or click to choose'
            : 'Drop the file here, or click to choose'}
        </DropZone>
        {files.length > 0 && (
          <ul data-testid="import-chosen">
            {files.map((f, i) => (
              <li key={f.key}>
                {f.file.name} <span className="muted">({fmtBytes(f.file.size)})</span>{' '}
                {files.length > 1 && (
                  <select
                    aria-label={`Which OFAC file ${f.file.name} is`}
                    value={f.role}
                    onChange={(e) => {
                      const role = e.currentTarget.value;
                      setFiles((prev) => prev.map((p, j) => (j === i ? { ...p, role } : p)));
                    }}
                  >
                    {OFAC_ROLES.map(([r, label]) => (
                      <option key={r} value={r}>
                        {label}
                      </option>
                    ))}
                  </select>
                )}{' '}
                <button
                  type="button"
                  className="secondary"
                  disabled={upload !== null}
                  onClick={() => setFiles((prev) => prev.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <p>
          <button type="submit" data-testid="import-upload" disabled={upload !== null || files.length === 0}>
            Upload and import
          </button>{' '}
          {upload && (
            <span data-testid="upload-progress">
              <Bar done={upload.loaded} total={upload.total} /> uploading {fmtBytes(upload.loaded)} of{' '}
              {fmtBytes(upload.total)}{' '}
              <button type="button" className="secondary" onClick={upload.abort} data-testid="upload-abort">
                Cancel upload
              </button>
            </span>
          )}
        </p>
      </form>
      <Notice msg={msg} testId="import-message" />
    </Section>
  );
}

function RecentJobs({ version }: { version: number }) {
  const [jobs, setJobs] = useState<Loadable<Responses['importJobs']>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` (a job sent or ended) and `tick` (the poll) ask for a new look
  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The table stays as it is while the next look is on its way (no flicker).
    api('importJobs', { query: { limit: 20 }, signal: ctl.signal }).then(
      (data) => {
        if (ctl.signal.aborted) return;
        setJobs({ state: 'ok', data });
        // While a job is queued or running (from another tab, or anyone's for an admin), look again.
        if (data.results.some((j) => !ended(j.state))) timer = setTimeout(() => setTick((t) => t + 1), 2000);
      },
      (error: Error) => !ctl.signal.aborted && setJobs({ state: 'error', error }),
    );
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [version, tick]);
  return (
    <Section title="Recent imports">
      <Show value={jobs} what="the import jobs">
        {(list) =>
          list.results.length === 0 ? (
            <Empty>No imports yet.</Empty>
          ) : (
            <table className="grid" data-testid="import-jobs">
              <thead>
                <tr>
                  <th>Sent (UTC)</th>
                  <th>Kind</th>
                  <th>Files</th>
                  <th>By</th>
                  <th>State</th>
                  <th>Counts or error</th>
                </tr>
              </thead>
              <tbody>
                {list.results.map((j) => (
                  <tr key={j.id} data-testid="import-job-row" data-state={j.state}>
                    <td className="nowrap">{fmtTime(j.createdAt)}</td>
                    <td>{KIND_LABEL[j.kind]}</td>
                    <td>
                      {j.filename} <span className="muted">({fmtBytes(j.sizeBytes)})</span>
                    </td>
                    <td>{j.owner}</td>
                    <td>{j.state}</td>
                    <td>{j.state === 'done' ? jobCounts(j) : (j.error ?? '')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </Section>
  );
}

export function ImportsPage() {
  const [me] = useLoad((signal) => api('me', { signal }), []);
  const [current, setCurrent] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  return (
    <div data-testid="page-imports">
      <h1>Imports</h1>
      <Show value={me} what="your role">
        {(m) =>
          m.authEnabled && m.user?.role === 'viewer' ? (
            <div className="msg" data-testid="imports-viewer">
              Imports are for analysts and admins: ask an admin for the analyst role to import lists, AIS or transfers.
            </div>
          ) : (
            <>
              <UploadForm
                onSubmitted={(job) => {
                  setCurrent(job.id);
                  refresh();
                }}
              />
              {current && <CurrentJob key={current} id={current} onEnded={refresh} />}
              <RecentJobs version={version} />
            </>
          )
        }
      </Show>
    </div>
  );
}
