import { useState } from 'react';
import { api } from './api.js';
import { Link } from './router.js';
import { describeError, Notice, useLoad } from './ui.js';

/** "Add to case" for a finding, entity or address: pick an open case or start a new one. */
export function AddToCase({
  kind,
  refId,
  label,
}: {
  kind: 'finding' | 'entity' | 'address';
  refId: string;
  label?: string;
}) {
  const [cases] = useLoad((signal) => api('cases', { signal }), []);
  const [caseId, setCaseId] = useState('');
  const [title, setTitle] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string; caseId?: string } | null>(null);
  const open = cases.state === 'ok' ? cases.data.results.filter((c) => c.status === 'open') : [];
  const add = async () => {
    try {
      let id = caseId || open[0]?.id;
      if (!id || caseId === '__new') {
        const t = title.trim() || `Case on ${label ?? refId}`;
        id = (await api('createCase', { body: { title: t } })).id;
      }
      await api('addItem', { params: { id }, body: { kind, ref: refId } });
      setMsg({ ok: true, text: 'Added to the case.', caseId: id });
    } catch (err) {
      setMsg({ ok: false, text: describeError(err as Error) });
    }
  };
  return (
    <div className="add-to-case" data-testid="add-to-case">
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <select value={caseId} onChange={(e) => setCaseId(e.target.value)} aria-label="Case" data-testid="case-select">
          {open.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
          <option value="__new">New case…</option>
        </select>
        {(caseId === '__new' || open.length === 0) && (
          <input
            type="text"
            placeholder="New case title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            aria-label="New case title"
            data-testid="new-case-title"
          />
        )}
        <button type="submit" data-testid="add-to-case-button">
          Add {kind} to case
        </button>
      </form>
      <Notice msg={msg}> {msg?.caseId && <Link to={`/case/${msg.caseId}`}>Open the case</Link>}</Notice>
    </div>
  );
}

export function WatchButton({
  kind,
  refId,
  label,
}: {
  kind: 'vessel' | 'entity' | 'address';
  refId: string;
  label?: string;
}) {
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <span>
      <button
        type="button"
        className="secondary"
        data-testid="watch-button"
        onClick={async () => {
          try {
            await api('watch', { body: { kind, ref: refId, label } });
            setMsg({ ok: true, text: 'Watching: new findings will raise alerts.' });
          } catch (err) {
            setMsg({ ok: false, text: describeError(err as Error) });
          }
        }}
      >
        Watch this {kind}
      </button>
      {msg && <span className={msg.ok ? 'muted' : 'msg error'}> {msg.text}</span>}
    </span>
  );
}

/** A stacked bar chart (inline SVG) of counts per bucket by severity. */
export function SeverityBars({ rows }: { rows: Array<{ label: string; high: number; medium: number; low: number }> }) {
  const max = Math.max(1, ...rows.map((r) => r.high + r.medium + r.low));
  const bw = 28;
  const h = 140;
  const w = Math.max(300, rows.length * (bw + 6) + 40);
  return (
    <svg
      viewBox={`0 0 ${w} ${h + 36}`}
      width="100%"
      style={{ maxWidth: w }}
      role="img"
      aria-label="Findings over time by severity"
    >
      {rows.map((r, i) => {
        const x = 30 + i * (bw + 6);
        let y = h;
        return (
          <g key={r.label}>
            {(['low', 'medium', 'high'] as const).map((s) => {
              const bh = (r[s] / max) * (h - 10);
              y -= bh;
              return (
                <rect
                  key={s}
                  x={x}
                  y={y}
                  width={bw}
                  height={bh}
                  className={`sevbar-${s}`}
                  fill={s === 'high' ? '#c62828' : s === 'medium' ? '#b35c00' : '#90a4ae'}
                />
              );
            })}
            <text x={x + bw / 2} y={h + 14} fontSize="10" textAnchor="middle">
              {r.label.slice(2)}
            </text>
            <text x={x + bw / 2} y={y - 3} fontSize="10" textAnchor="middle">
              {r.high + r.medium + r.low}
            </text>
          </g>
        );
      })}
      <line x1="28" y1={h} x2={w} y2={h} stroke="#999" />
      <text x="30" y={h + 30} fontSize="10" fill="#555">
        month (YY-MM) · red high · orange medium · grey low
      </text>
    </svg>
  );
}
