import { useState } from 'react';
import type { DedupeCandidate } from '../../../src/api/routes/dedupe.js';
import { api } from '../api.js';
import { Link, type Route, setQuery } from '../router.js';
import { describeError, Empty, Notice, Section, Show, useLoad } from '../ui.js';

/**
 * Entity resolution for analysts (docs/graph.md), like nomenklatura's xref/dedupe screen: candidate pairs from the
 * screening matcher, best first, the two entities side by side with every property, the matcher's features and
 * score, and three buttons. A judgement is stored with who made it and when; a positive one merges the pair into
 * one canonical entity at once, and the pair leaves the list.
 */

const PAGE = 20;
/** Properties shown first in the side-by-side table, when either side has them. */
const FIRST = [
  'name',
  'alias',
  'birthDate',
  'nationality',
  'country',
  'idNumber',
  'passportNumber',
  'imoNumber',
  'mmsi',
];

type Verdict = 'positive' | 'negative' | 'unsure';

function Pair({ pair, index, onJudge }: { pair: DedupeCandidate; index: number; onJudge: (v: Verdict) => void }) {
  const props = [
    ...new Set([
      ...FIRST.filter((p) => pair.left.properties[p] || pair.right.properties[p]),
      ...Object.keys(pair.left.properties),
      ...Object.keys(pair.right.properties),
    ]),
  ];
  const cell = (vals: string[] | undefined) => (vals?.length ? vals.join('; ') : '—');
  return (
    <div className="card" data-testid="dedupe-pair" data-left={pair.left.id} data-right={pair.right.id}>
      <p>
        <b>#{index + 1}</b> score <b data-testid="pair-score">{pair.score.toFixed(3)}</b> ·{' '}
        {Object.entries(pair.features)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}
      </p>
      <table className="grid">
        <thead>
          <tr>
            <th style={{ width: '16%' }}>Property</th>
            {[pair.left, pair.right].map((s) => (
              <th key={s.id}>
                <Link to={`/entity/${encodeURIComponent(s.id)}`}>{s.caption}</Link>{' '}
                <span className="muted mono">{s.id}</span>
                <br />
                <span className="muted">
                  {s.schema} · {s.datasets.join(', ')}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.map((p) => {
            const l = pair.left.properties[p];
            const r = pair.right.properties[p];
            const same = l?.some((v) => r?.includes(v));
            return (
              <tr key={p}>
                <td>{p}</td>
                <td className="cjk" style={same ? { background: '#e8f5e9' } : undefined}>
                  {cell(l)}
                </td>
                <td className="cjk" style={same ? { background: '#e8f5e9' } : undefined}>
                  {cell(r)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        <button type="button" data-testid="judge-positive" onClick={() => onJudge('positive')}>
          Same (positive)
        </button>{' '}
        <button type="button" className="secondary" data-testid="judge-negative" onClick={() => onJudge('negative')}>
          Different (negative)
        </button>{' '}
        <button type="button" className="secondary" data-testid="judge-unsure" onClick={() => onJudge('unsure')}>
          Unsure
        </button>
      </p>
    </div>
  );
}

export function DedupePage({ route }: { route: Route }) {
  const schema = route.query.get('schema') ?? '';
  const offset = Math.max(0, Number(route.query.get('offset') ?? 0) || 0);
  const [data, reload] = useLoad(
    (signal) => api('dedupeCandidates', { query: { limit: PAGE, offset, schema: schema || undefined }, signal }),
    [schema, offset],
  );
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const judge = async (pair: DedupeCandidate, verdict: Verdict) => {
    try {
      const j = await api('dedupeJudge', { body: { left: pair.left.id, right: pair.right.id, judgement: verdict } });
      setMsg({
        ok: true,
        text:
          `${verdict} on ${j.left} / ${j.right} by ${j.author} at ${j.created_at}` +
          (j.canonical.left === j.canonical.right ? `: now one entity, ${j.canonical.left}.` : '.'),
      });
      reload();
    } catch (err) {
      setMsg({ ok: false, text: describeError(err as Error) });
    }
  };
  return (
    <div data-testid="page-dedupe">
      <h1>Dedupe: candidate pairs</h1>
      <p className="muted">
        Pairs the screening matcher scores as likely the same real-world thing, not merged by a strong identifier and
        not judged yet. A positive judgement merges them into one canonical entity; a negative one keeps them apart
        (even against a shared identifier).
      </p>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          setQuery({ schema: String(fd.get('schema') ?? ''), offset: undefined }, { push: true });
        }}
      >
        <select name="schema" defaultValue={schema} aria-label="Schema" key={schema}>
          <option value="">every kind</option>
          {['Person', 'Organization', 'Company', 'LegalEntity', 'Vessel', 'CryptoWallet'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <button type="submit">Show</button>
      </form>
      <Notice msg={msg} testId="dedupe-message" />
      <Show value={data} what="the candidate pairs">
        {(d) => (
          <Section title={`${d.total} pair(s) to judge`}>
            <div data-testid="dedupe-list" data-total={d.total}>
              {d.results.length === 0 ? (
                <Empty>No candidate pairs left{schema ? ` for ${schema}` : ''}.</Empty>
              ) : (
                d.results.map((p, i) => (
                  <Pair
                    key={`${p.left.id}|${p.right.id}`}
                    pair={p}
                    index={offset + i}
                    onJudge={(v) => void judge(p, v)}
                  />
                ))
              )}
            </div>
            <p>
              {offset > 0 && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setQuery({ offset: Math.max(0, offset - PAGE) })}
                >
                  Previous
                </button>
              )}{' '}
              {offset + PAGE < d.total && (
                <button type="button" className="secondary" onClick={() => setQuery({ offset: offset + PAGE })}>
                  Next
                </button>
              )}
            </p>
          </Section>
        )}
      </Show>
    </div>
  );
}
