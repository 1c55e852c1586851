import { useState } from 'react';
import { api, type MatchResult } from '../api.js';
import { Link, type Route, setQuery } from '../router.js';
import { Empty, Section, Show, useLoad } from '../ui.js';
import { NewEntityForm } from './user-entity-parts.js';

const SCHEMAS = ['Thing', 'Person', 'Company', 'Organization', 'LegalEntity', 'Vessel', 'CryptoWallet'];

/** Screening search: the screening API's free-text search (/search/{dataset}), scored with per-feature explanations. */
async function runSearch(
  q: string,
  schema: string,
  dataset: string,
  signal: AbortSignal,
): Promise<{ results: MatchResult[] }> {
  const res = await api('search', { params: { dataset }, query: { q, schema, limit: 25 }, signal });
  return { results: res.results ?? [] };
}

function explanationRows(r: MatchResult): Array<{ feature: string; value: number; weight?: number; detail?: string }> {
  if (r.explanations) return Object.entries(r.explanations).map(([feature, e]) => ({ feature, ...e }));
  return Object.entries(r.features ?? {}).map(([feature, value]) => ({ feature, value }));
}

export function SearchPage({ route }: { route: Route }) {
  const q = route.query.get('q') ?? '';
  const schema = route.query.get('schema') ?? 'Thing';
  const dataset = route.query.get('dataset') ?? 'default';
  const [creating, setCreating] = useState(false);
  const [res] = useLoad(
    async (signal) => (q.trim() ? runSearch(q.trim(), schema, dataset, signal) : null),
    [q, schema, dataset],
  );
  return (
    <div data-testid="page-search">
      <h1>Search</h1>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          setQuery({ q: String(fd.get('q') ?? ''), schema: String(fd.get('schema') ?? '') }, { push: true });
        }}
      >
        <input
          type="search"
          name="q"
          defaultValue={q}
          key={q}
          placeholder="Name, vessel, IMO, company, address…"
          size={40}
          aria-label="Search"
          data-testid="search-input"
        />
        <select name="schema" defaultValue={schema} aria-label="Type">
          {SCHEMAS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <button type="submit" data-testid="search-button">
          Search
        </button>{' '}
        <button type="button" className="secondary" onClick={() => setCreating((c) => !c)} data-testid="new-entity">
          New entity
        </button>
      </form>
      {creating && <NewEntityForm onClose={() => setCreating(false)} />}
      {!q.trim() ? (
        <Empty>Type a name (Latin, Korean or Chinese script), an IMO number or an address, then press Search.</Empty>
      ) : (
        <Show value={res} what="results">
          {(r) =>
            !r || r.results.length === 0 ? (
              <Empty>No match for “{q}” in the loaded lists.</Empty>
            ) : (
              <Section title={`${r.results.length} result(s) for “${q}”`}>
                <table className="grid" data-testid="search-results">
                  <thead>
                    <tr>
                      <th>Name</th>
                      <th>Type</th>
                      <th>Score</th>
                      <th>Why</th>
                      <th>Lists</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.results.map((m) => (
                      <tr key={m.id}>
                        <td>
                          <Link
                            to={
                              m.schema === 'Vessel'
                                ? // The vessel page opens a listed vessel: a canonical vessel opens its first referent.
                                  `/vessel/${encodeURIComponent(m.referents?.[0] ?? m.id)}`
                                : `/entity/${encodeURIComponent(m.id)}`
                            }
                            testId="result-link"
                          >
                            {m.caption}
                          </Link>
                          <div className="muted mono">{m.id}</div>
                          {m.referents?.length ? (
                            <div className="muted mono" data-testid="referents">
                              {m.referents.join(' · ')}
                            </div>
                          ) : null}
                        </td>
                        <td>{m.schema}</td>
                        <td>
                          {typeof m.score === 'number' ? m.score.toFixed(2) : ''}
                          {typeof m.score === 'number' && (
                            <div className="bar">
                              <span style={{ width: `${Math.round(m.score * 100)}%` }} />
                            </div>
                          )}
                        </td>
                        <td>
                          {explanationRows(m).map((x) => (
                            <div key={x.feature} data-testid="explanation">
                              <b>{x.feature}</b> {x.value.toFixed(2)}
                              {x.weight !== undefined ? ` × ${x.weight}` : ''}
                              {x.detail ? <span className="muted"> — {x.detail}</span> : null}
                            </div>
                          ))}
                        </td>
                        <td>{(m.datasets ?? []).join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
            )
          }
        </Show>
      )}
    </div>
  );
}
