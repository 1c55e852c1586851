import { useMemo } from 'react';
import type { IdentityRow } from '../../../src/cases/ais-tables.js';
import { api } from '../api.js';
import { bboxOf } from '../map/bbox.js';
import { MapCanvas } from '../map/MapCanvas.js';
import { fitView } from '../map/projection.js';
import { Link } from '../router.js';
import { Empty, FindingTable, fmtTime, Section, Show, useLoad } from '../ui.js';
import { AddToCase, WatchButton } from '../widgets.js';
import { RegistrySections } from './ownership-parts.js';

/** Identity over time: one row per broadcast identity (name / call sign / flag / IMO), bars over its first–last seen. */
export function IdentityTimeline({ rows }: { rows: IdentityRow[] }) {
  if (rows.length === 0) return <Empty>No AIS identity messages for this vessel.</Empty>;
  const t0 = Math.min(...rows.map((r) => r.firstSeen));
  const t1 = Math.max(...rows.map((r) => r.lastSeen), t0 + 1);
  const W = 900;
  const L = 440;
  const rowH = 26;
  const x = (t: number) => L + ((t - t0) / (t1 - t0)) * (W - L - 10);
  const colours = ['#1a3d6d', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00'];
  const names = [...new Set(rows.map((r) => r.name ?? ''))];
  return (
    <div className="timeline" data-testid="identity-timeline">
      <svg viewBox={`0 0 ${W} ${rows.length * rowH + 30}`} role="img" aria-label="Identity history">
        {rows.map((r, i) => {
          const y = i * rowH + 4;
          const c = colours[names.indexOf(r.name ?? '') % colours.length];
          return (
            <g key={`${r.mmsi}|${r.firstSeen}|${r.name}|${r.callsign}|${r.flag}|${r.imo}`}>
              <text x="0" y={y + 15} fontSize="11">
                {r.name ?? '(no name)'} · {r.flag ?? '??'} · {r.callsign ?? '—'} · IMO {r.imo ?? '—'} · MMSI {r.mmsi}
              </text>
              <rect
                x={x(r.firstSeen)}
                y={y + 3}
                width={Math.max(3, x(r.lastSeen) - x(r.firstSeen))}
                height={rowH - 8}
                fill={c}
                rx="3"
              />
            </g>
          );
        })}
        <text x={L} y={rows.length * rowH + 22} fontSize="11" fill="#555">
          {fmtTime(new Date(t0).toISOString())}
        </text>
        <text x={W - 10} y={rows.length * rowH + 22} fontSize="11" fill="#555" textAnchor="end">
          {fmtTime(new Date(t1).toISOString())}
        </text>
      </svg>
      <table className="grid" data-testid="identity-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Flag</th>
            <th>Call sign</th>
            <th>IMO</th>
            <th>MMSI</th>
            <th>First seen</th>
            <th>Last seen</th>
            <th className="right">Messages</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.mmsi}|${r.firstSeen}|${r.name}|${r.callsign}|${r.flag}|${r.imo}`}>
              <td>{r.name}</td>
              <td>{r.flag}</td>
              <td>{r.callsign}</td>
              <td>{r.imo}</td>
              <td>
                <Link to={`/vessel/ais-${r.mmsi}`}>{r.mmsi}</Link>
              </td>
              <td className="nowrap">{fmtTime(new Date(r.firstSeen).toISOString())}</td>
              <td className="nowrap">{fmtTime(new Date(r.lastSeen).toISOString())}</td>
              <td className="right">{r.messages}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function VesselPage({ id }: { id: string }) {
  const [data] = useLoad(
    async (signal) => {
      const v = await api('vessel', { params: { id }, signal });
      const tracks = v.mmsi
        ? await api('tracks', { query: { mmsi: [v.mmsi] }, signal }).catch(() => ({ tracks: [], total: 0, stride: 1 }))
        : { tracks: [], total: 0, stride: 1 };
      return { v, tracks: tracks.tracks };
    },
    [id],
  );
  return (
    <div data-testid="page-vessel">
      <Show value={data} what="the vessel">
        {({ v, tracks }) => <VesselBody v={v} tracks={tracks} />}
      </Show>
    </div>
  );
}

function VesselBody({
  v,
  tracks,
}: {
  v: import('../../../src/cases/vessel.js').VesselProfile;
  tracks: import('../../../src/cases/ais-tables.js').Track[];
}) {
  const located = useMemo(() => v.findings.filter((f) => f.geometry), [v.findings]);
  const view = useMemo(() => fitView(bboxOf(tracks, located) ?? [110, 25, 140, 45], 700, 380), [tracks, located]);
  const sanctioned = v.listEntries.some((l) => l.sanctioned);
  return (
    <>
      <h1 data-testid="vessel-name">
        {v.name}
        {sanctioned && <span className="tag-sanctioned">sanctioned</span>}
      </h1>
      <p className="muted">
        MMSI {v.mmsi ?? '—'} · IMO {v.imo ?? '—'} · flag {v.flag ?? '—'} · <span className="mono">{v.id}</span>
      </p>
      <p>
        <WatchButton kind="vessel" refId={v.mmsi ? String(v.mmsi) : v.id} label={v.name} />{' '}
        {v.mmsi && <Link to={`/map?mmsi=${v.mmsi}`}>Open on the map</Link>}{' '}
        <Link to={`/network?ids=${encodeURIComponent(v.entity?.id ?? v.id)}`}>Open in the network</Link>
      </p>
      <div className="cols">
        <Section title={`Risk ${v.risk.score.toFixed(2)} (${v.risk.severity})`}>
          <p data-testid="risk-explanation">{v.risk.explanation}</p>
          {v.risk.factors.length > 0 && (
            <table className="grid" data-testid="risk">
              <thead>
                <tr>
                  <th>Red flag</th>
                  <th className="right">Findings</th>
                  <th className="right">Score</th>
                </tr>
              </thead>
              <tbody>
                {v.risk.factors.map((f) => (
                  <tr key={f.code} data-code={f.code}>
                    <td>
                      <b>{f.title}</b>
                      <div className="muted">{f.description}</div>
                      <div className="muted">
                        weight {f.weight} · {f.reference}
                      </div>
                    </td>
                    <td className="right">{f.count}</td>
                    <td className="right">{f.score.toFixed(2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
        <Section title="Track and findings">
          {tracks.length || located.length ? (
            <MapCanvas
              tracks={tracks}
              findings={located}
              window={null}
              view={view}
              onViewChange={() => {}}
              height={380}
            />
          ) : (
            <Empty>No AIS positions or located findings for this vessel.</Empty>
          )}
        </Section>
      </div>
      <Section title="Identity history">
        <IdentityTimeline rows={v.identity} />
        {v.identityStatements.length > 0 && (
          <>
            <h3>What the lists and AIS say</h3>
            <table className="grid" data-testid="identity-statements">
              <thead>
                <tr>
                  <th>Property</th>
                  <th>Value</th>
                  <th>Source</th>
                  <th>Entity</th>
                  <th>Seen</th>
                </tr>
              </thead>
              <tbody>
                {v.identityStatements.map((s) => (
                  <tr key={`${s.entityId}|${s.prop}|${s.value}|${s.source}|${s.seenAt}`}>
                    <td>{s.prop}</td>
                    <td>{s.value}</td>
                    <td>{s.source}</td>
                    <td>
                      <Link to={`/entity/${encodeURIComponent(s.entityId)}`}>{s.entityId}</Link>
                    </td>
                    <td className="nowrap">{s.seenAt.slice(0, 10)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Section>
      <RegistrySections imo={v.imo} />
      <div className="cols">
        <Section title="Sanctions list entries">
          {v.listEntries.length === 0 ? (
            <Empty>No list entry carries this vessel's IMO number or MMSI.</Empty>
          ) : (
            <ul data-testid="list-entries">
              {v.listEntries.map((l) => (
                <li key={l.id}>
                  <Link to={`/entity/${encodeURIComponent(l.id)}`}>{l.caption}</Link>{' '}
                  <span className="muted">{l.schema}</span>
                  {l.sanctioned && <span className="tag-sanctioned">sanctioned</span>}{' '}
                  <span className="muted">{l.datasets.join(', ')}</span>
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Owners and operators">
          {v.owners.length === 0 ? (
            <Empty>No owner or operator known.</Empty>
          ) : (
            <ul data-testid="owners">
              {v.owners.map((o) => (
                <li key={`${o.id}-${o.relation}`}>
                  {o.relation}: <Link to={`/entity/${encodeURIComponent(o.id)}`}>{o.caption}</Link>{' '}
                  <span className="muted">{o.schema}</span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
      <Section title={`Findings (${v.findings.length})`}>
        <FindingTable findings={v.findings} empty="No findings about this vessel." />
      </Section>
      <Section title="Case">
        <AddToCase kind="entity" refId={v.entity?.id ?? v.listEntries[0]?.id ?? v.id} label={v.name} />
      </Section>
    </>
  );
}
