import { useState } from 'react';
import { api, urlFor } from '../api.js';
import { Link, navigate } from '../router.js';
import { describeError, Empty, fmtTime, Section, Show, subjectLink, useLoad } from '../ui.js';

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
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [kind, setKind] = useState<'finding' | 'entity' | 'address' | 'note'>('note');
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn();
      setMsg({ ok: true, text: ok });
      reload();
    } catch (err) {
      setMsg({ ok: false, text: describeError(err as Error) });
    }
  };
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
            {msg && (
              <div
                className={`msg ${msg.ok ? 'ok' : 'error'}`}
                role={msg.ok ? 'status' : 'alert'}
                data-testid="case-message"
              >
                {msg.text}
              </div>
            )}
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
          </>
        )}
      </Show>
    </div>
  );
}
