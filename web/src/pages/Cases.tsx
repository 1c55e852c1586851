import { useEffect, useRef, useState } from 'react';
import type { Attachment, AttachmentList, CaseLog } from '../../../src/api/routes/cases.js';
import { ApiError, api, urlFor } from '../api.js';
import { landPath2D, whenLand } from '../map/basemap.js';
import { fitView, projectX, projectY } from '../map/projection.js';
import { Link, navigate } from '../router.js';
import {
  DropZone,
  describeError,
  Empty,
  fmtTime,
  Notice,
  Section,
  Show,
  subjectLink,
  useAction,
  useLoad,
} from '../ui.js';
import { SharedWith } from './case-shares.js';

export function CasesPage() {
  const [cases, reload] = useLoad((signal) => api('cases', { signal }), []);
  const [error, setError] = useState<string | null>(null);
  return (
    <div data-testid="page-cases">
      <h1>Cases</h1>
      <Section title="New case">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const fd = new FormData(e.currentTarget);
            try {
              const c = await api('createCase', {
                body: { title: String(fd.get('title') ?? ''), summary: String(fd.get('summary') ?? '') },
              });
              navigate(`/case/${c.id}`);
            } catch (err) {
              setError(describeError(err as Error));
            }
          }}
        >
          <p>
            <input
              type="text"
              name="title"
              placeholder="Title, e.g. CHON MA SAN ship-to-ship transfers, March 2024"
              size={60}
              required
              aria-label="Case title"
              data-testid="case-title"
            />
          </p>
          <p>
            <textarea
              name="summary"
              placeholder="Summary (appears at the top of the report)"
              aria-label="Case summary"
              data-testid="case-summary"
            />
          </p>
          <button type="submit" data-testid="create-case">
            Create case
          </button>
          {error && (
            <div className="msg error" role="alert">
              {error}
            </div>
          )}
        </form>
      </Section>
      <Section title="Cases">
        <Show value={cases} what="cases">
          {(c) =>
            c.results.length === 0 ? (
              <Empty>No cases yet. Create one above, or use “Add to case” on a finding, vessel or entity.</Empty>
            ) : (
              <table className="grid" data-testid="case-list">
                <thead>
                  <tr>
                    <th>Title</th>
                    <th>Status</th>
                    <th className="right">Items</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {c.results.map((x) => (
                    <tr key={x.id}>
                      <td>
                        <Link to={`/case/${x.id}`}>{x.title}</Link>
                      </td>
                      <td>{x.status}</td>
                      <td className="right">{x.itemCount}</td>
                      <td className="nowrap">{fmtTime(x.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
        <button type="button" className="secondary" onClick={reload}>
          Refresh
        </button>
      </Section>
    </div>
  );
}

const attachmentsUrl = (caseId: string) => `/cases/${encodeURIComponent(caseId)}/attachments`;

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) {
    let code = 'error';
    let message = `${res.status} ${res.statusText}`;
    try {
      const j = (await res.json()) as { error?: string; message?: string };
      code = j.error ?? code;
      message = j.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message);
  }
  return (await res.json()) as T;
}

/** Upload one file as the raw body; caption, source, date, licence and bounds go in the query string. */
function uploadAttachment(caseId: string, file: File, meta: Record<string, string>): Promise<Attachment> {
  const qs = new URLSearchParams({ filename: file.name });
  for (const [k, v] of Object.entries(meta)) if (v.trim()) qs.set(k, v.trim());
  return fetchJson<Attachment>(`${attachmentsUrl(caseId)}?${qs}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: file,
  });
}

function fmtBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`;
}

/** The imagery footprints on the offline basemap (Natural Earth land), numbered as in the attachments table. */
function FootprintMap({ items }: { items: Array<{ n: number; a: Attachment }> }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [landReady, setLandReady] = useState(false);
  useEffect(() => {
    let live = true;
    void whenLand().then(() => live && setLandReady(true));
    return () => {
      live = false;
    };
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw once the land has loaded
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || items.length === 0) return;
    const w = canvas.clientWidth || 560;
    const h = canvas.clientHeight || 320;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = w * dpr;
    canvas.height = h * dpr;
    const boxes = items.map(({ a }) => a.bbox!);
    const union: [number, number, number, number] = [
      Math.min(...boxes.map((b) => b[0])),
      Math.min(...boxes.map((b) => b[1])),
      Math.max(...boxes.map((b) => b[2])),
      Math.max(...boxes.map((b) => b[3])),
    ];
    const view = fitView(union, w, h, 0.4);
    const sx = (lon: number) => (projectX(lon) - view.cx) * view.k + w / 2;
    const sy = (lat: number) => (projectY(lat) - view.cy) * view.k + h / 2;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#c9dcec';
    ctx.fillRect(0, 0, w, h);
    const land = landPath2D(0);
    if (land) {
      ctx.save();
      ctx.translate(w / 2, h / 2);
      ctx.scale(view.k, view.k);
      ctx.translate(-view.cx, -view.cy);
      ctx.fillStyle = '#ede4cf';
      ctx.strokeStyle = '#9a8f78';
      ctx.lineWidth = 1 / view.k;
      ctx.fill(land);
      ctx.stroke(land);
      ctx.restore();
    }
    for (const { n, a } of items) {
      const ring = a.footprint!.coordinates[0] ?? [];
      ctx.beginPath();
      for (const [i, [lon, lat]] of ring.entries()) {
        if (i === 0) ctx.moveTo(sx(lon), sy(lat));
        else ctx.lineTo(sx(lon), sy(lat));
      }
      ctx.closePath();
      ctx.fillStyle = 'rgba(200, 40, 40, 0.12)';
      ctx.strokeStyle = '#b22';
      ctx.lineWidth = 2;
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = '#b22';
      ctx.font = 'bold 13px sans-serif';
      ctx.fillText(String(n), sx(a.bbox![0]) + 4, sy(a.bbox![3]) + 15);
    }
  }, [items, landReady]);
  return (
    <canvas
      ref={ref}
      style={{ width: '100%', maxWidth: 560, height: 320, border: '1px solid #ccc' }}
      role="img"
      aria-label={`Map of ${items.length} imagery footprint(s)`}
      data-testid="footprint-map"
    />
  );
}

/** Drop files here (or pick them) to attach them, with the caption, source, date and licence typed beside. */
function Attachments({ caseId, onChange }: { caseId: string; onChange: () => void }) {
  const [list, reload] = useLoad((signal) => fetchJson<AttachmentList>(attachmentsUrl(caseId), { signal }), [caseId]);
  const [meta, setMeta] = useState({ caption: '', source: '', date: '', licence: '', bounds: '' });
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const upload = async (files: FileList | File[]) => {
    const all = Array.from(files);
    if (all.length === 0) return;
    if (!meta.caption.trim() || !meta.source.trim()) {
      setMsg({ ok: false, text: 'Type a caption and a source first: they go with every file you attach.' });
      return;
    }
    setBusy(true);
    const done: string[] = [];
    try {
      for (const f of all) {
        const a = await uploadAttachment(caseId, f, meta);
        done.push(`${f.name} (${a.mediaType}${a.bbox ? ', footprint' : ''})`);
      }
      setMsg({ ok: true, text: `Attached ${done.join(', ')}.` });
    } catch (err) {
      setMsg({
        ok: false,
        text: `${done.length ? `Attached ${done.join(', ')}; then ` : ''}${describeError(err as Error)}`,
      });
    } finally {
      setBusy(false);
      reload();
      onChange();
    }
  };
  const field = (k: keyof typeof meta, label: string, placeholder: string, size = 24) => (
    <input
      type="text"
      value={meta[k]}
      size={size}
      placeholder={placeholder}
      aria-label={label}
      data-testid={`attach-${k}`}
      onChange={(e) => setMeta({ ...meta, [k]: e.target.value })}
    />
  );
  return (
    <Show value={list} what="attachments">
      {(l) => {
        const numbered = l.results.map((a, i) => ({ n: i + 1, a }));
        const imagery = numbered.filter(({ a }) => a.footprint && a.bbox);
        return (
          <Section title={`Attachments (${l.results.length})`}>
            {l.results.length > 0 && (
              <table className="grid" data-testid="case-attachments">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>File</th>
                    <th>Caption</th>
                    <th>Source · date · licence</th>
                    <th>sha256</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {numbered.map(({ n, a }) => (
                    <tr key={a.sha256}>
                      <td>{n}</td>
                      <td>
                        <a href={`${attachmentsUrl(caseId)}/${a.sha256}`} target="_blank" rel="noreferrer">
                          {a.filename}
                        </a>
                        <div className="muted">
                          {a.mediaType} · {fmtBytes(a.sizeBytes)}
                          {a.widthPx ? ` · ${a.widthPx}×${a.heightPx} px` : ''}
                        </div>
                      </td>
                      <td>{a.caption}</td>
                      <td>
                        {a.source}
                        <div className="muted">
                          {a.date ?? 'undated'} · {a.licence || 'licence not stated'}
                        </div>
                      </td>
                      <td className="mono">{a.sha256}</td>
                      <td>
                        <button
                          type="button"
                          className="secondary"
                          onClick={async () => {
                            try {
                              await fetchJson(`${attachmentsUrl(caseId)}/${a.sha256}`, { method: 'DELETE' });
                              setMsg({ ok: true, text: `Removed ${a.filename}.` });
                            } catch (err) {
                              setMsg({ ok: false, text: describeError(err as Error) });
                            }
                            reload();
                            onChange();
                          }}
                        >
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {imagery.length > 0 && <FootprintMap items={imagery} />}
            <p>
              {field('caption', 'Attachment caption', 'Caption (what it shows)', 40)}{' '}
              {field('source', 'Attachment source', 'Source (satellite, photographer, URL)', 32)}
            </p>
            <p>
              {field('date', 'Attachment date', 'Date YYYY-MM-DD', 14)}{' '}
              {field('licence', 'Attachment licence', 'Licence', 20)}{' '}
              {field('bounds', 'Imagery bounds', 'Bounds w,s,e,n (GeoTIFF: read from the file)', 36)}
            </p>
            <DropZone
              testId="attach-drop"
              inputTestId="attach-file"
              multiple
              accept=".png,.jpg,.jpeg,.tif,.tiff,.pdf,.html,.htm,.mhtml,.mht"
              onFiles={(files) => void upload(files)}
            >
              {busy
                ? 'Uploading…'
                : 'Drop images (PNG, JPEG, GeoTIFF), PDFs or web captures (HTML, MHTML) here, or click to choose'}
            </DropZone>
            <Notice msg={msg} testId="attach-message" />
          </Section>
        );
      }}
    </Show>
  );
}

/** The case log: who changed what and when, and whether its hash chain verifies (GET /cases/{id}/log). */
function CaseLogSection({ caseId, version }: { caseId: string; version: string }) {
  const [log] = useLoad(
    (signal) => fetchJson<CaseLog>(`/cases/${encodeURIComponent(caseId)}/log`, { signal }),
    [caseId, version],
  );
  return (
    <Show value={log} what="the case log">
      {(l) => (
        <Section title={`Case log (${l.results.length} change(s))`}>
          <p data-testid="case-log-status" className={l.verified ? 'muted' : 'msg error'}>
            {l.verified
              ? `The hash chain verifies; head ${l.head}.`
              : `The hash chain does NOT verify at entry ${l.broken?.seq}: ${l.broken?.reason}`}
          </p>
          <details>
            <summary>Entries</summary>
            <table className="grid" data-testid="case-log">
              <thead>
                <tr>
                  <th>#</th>
                  <th>When</th>
                  <th>Who</th>
                  <th>What</th>
                  <th>Target</th>
                  <th>sha256</th>
                </tr>
              </thead>
              <tbody>
                {l.results.map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td className="nowrap">{fmtTime(e.ts)}</td>
                    <td>{e.actor}</td>
                    <td>{e.action}</td>
                    <td className="mono">{e.target ?? ''}</td>
                    <td className="mono">{e.hash}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </Section>
      )}
    </Show>
  );
}

export function CasePage({ id }: { id: string }) {
  const [data, reload] = useLoad(
    async (signal) => {
      const [c, ev] = await Promise.all([
        api('case', { params: { id }, signal }),
        api('evidence', { params: { id }, signal }),
      ]);
      return { c, evidence: ev.results };
    },
    [id],
  );
  const { msg, act } = useAction(reload);
  const [logVersion, setLogVersion] = useState(0);
  const [kind, setKind] = useState<'finding' | 'entity' | 'address' | 'note'>('note');
  return (
    <div data-testid="page-case">
      <Show value={data} what="the case">
        {({ c, evidence }) => (
          <>
            <h1 data-testid="case-heading">{c.title}</h1>
            <p className="muted">
              {c.id} · {c.status} · created {fmtTime(c.createdAt)} · updated {fmtTime(c.updatedAt)}
            </p>
            {c.summary && <p>{c.summary}</p>}
            <p>
              <a
                className="button"
                href={urlFor('reportHtml', { params: { id: c.id } })}
                target="_blank"
                rel="noreferrer"
                data-testid="report-html"
              >
                Report (HTML)
              </a>{' '}
              <a
                className="button"
                href={urlFor('reportPdf', { params: { id: c.id } })}
                target="_blank"
                rel="noreferrer"
                data-testid="report-pdf"
              >
                Report (PDF)
              </a>{' '}
              <a
                className="button"
                href={`/cases/${encodeURIComponent(c.id)}/bundle`}
                download={`${c.id}.tar`}
                title="The case as a verifiable bundle: report, log, findings, evidence, attachments and their sha256 (check it with watchkeeper verify)"
                data-testid="export-bundle"
              >
                Export bundle
              </a>{' '}
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  act(
                    () =>
                      api('updateCase', {
                        params: { id: c.id },
                        body: { status: c.status === 'open' ? 'closed' : 'open' },
                      }),
                    'Status changed.',
                  )
                }
              >
                {c.status === 'open' ? 'Close case' : 'Reopen case'}
              </button>
            </p>
            <Notice msg={msg} testId="case-message" />
            <Section title={`Items (${c.items.length})`}>
              {c.items.length === 0 ? (
                <Empty>The case is empty. Add findings, entities, addresses or notes below, or from their pages.</Empty>
              ) : (
                <table className="grid" data-testid="case-items">
                  <thead>
                    <tr>
                      <th>Kind</th>
                      <th>Item</th>
                      <th>Added</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {c.items.map((i) => (
                      <tr key={i.id}>
                        <td>{i.kind}</td>
                        <td>
                          {i.kind === 'finding' ? (
                            <Link to={`/finding/${encodeURIComponent(i.ref)}`}>{i.ref}</Link>
                          ) : i.kind === 'entity' ? (
                            <Link to={subjectLink(i.ref)}>{i.ref}</Link>
                          ) : i.kind === 'address' ? (
                            <Link to={`/crypto?address=${encodeURIComponent(i.ref)}`}>{i.ref}</Link>
                          ) : (
                            i.ref
                          )}
                          {i.note && i.kind !== 'note' && <div className="muted">{i.note}</div>}
                        </td>
                        <td className="nowrap">{fmtTime(i.addedAt)}</td>
                        <td>
                          <button
                            type="button"
                            className="secondary"
                            onClick={() =>
                              act(() => api('removeItem', { params: { id: c.id, itemId: i.id } }), 'Item removed.')
                            }
                          >
                            Remove
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <form
                className="inline"
                onSubmit={(e) => {
                  e.preventDefault();
                  const form = e.currentTarget;
                  const fd = new FormData(form);
                  void act(
                    () =>
                      api('addItem', {
                        params: { id: c.id },
                        body: {
                          kind,
                          ref: String(fd.get('ref') ?? ''),
                          note: String(fd.get('note') ?? '') || undefined,
                        },
                      }),
                    `Added ${kind}.`,
                  ).then(() => form.reset());
                }}
              >
                <select
                  value={kind}
                  onChange={(e) => setKind(e.target.value as typeof kind)}
                  aria-label="Item kind"
                  data-testid="item-kind"
                >
                  <option value="note">note</option>
                  <option value="finding">finding id</option>
                  <option value="entity">entity id</option>
                  <option value="address">address</option>
                </select>
                <input
                  type="text"
                  name="ref"
                  size={50}
                  required
                  placeholder={kind === 'note' ? 'Note text' : `${kind} id`}
                  aria-label="Item"
                  data-testid="item-ref"
                />
                {kind !== 'note' && (
                  <input type="text" name="note" placeholder="Why it matters (optional)" aria-label="Item note" />
                )}
                <button type="submit" data-testid="add-item">
                  Add
                </button>
              </form>
            </Section>
            <Attachments caseId={c.id} onChange={() => setLogVersion((v) => v + 1)} />
            <SharedWith caseId={c.id} />
            <Section title={`Evidence (${evidence.length} record(s))`}>
              {evidence.length === 0 ? (
                <Empty>No evidence yet: add findings or entities.</Empty>
              ) : (
                <table className="grid" data-testid="case-evidence">
                  <thead>
                    <tr>
                      <th>Ref.</th>
                      <th>Cited by</th>
                      <th>Source</th>
                      <th>Record</th>
                      <th>sha256</th>
                      <th>Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {evidence.map((e) => (
                      <tr key={e.ref}>
                        <td>{e.ref}</td>
                        <td className="mono">{e.citedBy}</td>
                        <td>{e.source}</td>
                        <td className="mono">{e.record}</td>
                        <td className="mono">{e.contentHash ?? '—'}</td>
                        <td>{e.description}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
            <CaseLogSection caseId={c.id} version={`${c.updatedAt}/${logVersion}`} />
          </>
        )}
      </Show>
    </div>
  );
}
