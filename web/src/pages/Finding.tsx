import { useMemo } from 'react';
import { api } from '../api.js';
import { MapCanvas } from '../map/MapCanvas.js';
import { fitView } from '../map/projection.js';
import { Link } from '../router.js';
import { Empty, fmtTime, kindLabel, Section, Sev, Show, subjectLink, useLoad } from '../ui.js';
import { AddToCase } from '../widgets.js';
import { bboxOf } from './MapPage.js';
import { CargoSection } from './Trade.js';

/** One finding and the evidence behind it: records, hashes, parameters, red flags explained, and where it happened. */
export function FindingPage({ id }: { id: string }) {
  const [data] = useLoad(
    async (signal) => {
      const f = await api('finding', { params: { id }, signal });
      const flags = await api('redFlags', { signal }).catch(() => []);
      const mmsi = (f.vessels ?? []).map((v) => v.mmsi);
      const pad = 12 * 3600_000;
      const tracks =
        mmsi.length && f.geometry
          ? await api('tracks', {
              query: {
                mmsi,
                since: new Date(Date.parse(f.start) - pad).toISOString(),
                until: new Date(Date.parse(f.end ?? f.start) + pad).toISOString(),
              },
              signal,
            }).catch(() => ({ tracks: [], total: 0, stride: 1 }))
          : { tracks: [], total: 0, stride: 1 };
      const raw = await api('findingRawEvidence', { params: { id }, signal }).catch(() => ({ results: [] }));
      return { f, flags, tracks: tracks.tracks, raw: raw.results };
    },
    [id],
  );
  return (
    <div data-testid="page-finding">
      <Show value={data} what="the finding">
        {({ f, flags, tracks, raw }) => <FindingBody f={f} flags={flags} tracks={tracks} raw={raw} />}
      </Show>
    </div>
  );
}

function FindingBody({
  f,
  flags,
  tracks,
  raw,
}: {
  f: import('../../../src/findings/finding.js').Finding;
  flags: import('../../../src/findings/red-flags.js').RedFlag[];
  tracks: import('../../../src/cases/ais-tables.js').Track[];
  raw: Array<{ source: string; record: string; raw: import('../../../src/cases/types.js').EvidenceRaw }>;
}) {
  const findings = useMemo(() => [f], [f]);
  const rawOf = useMemo(() => new Map(raw.map((x) => [`${x.source}|${x.record}`, x.raw])), [raw]);
  const view = useMemo(
    () => fitView(bboxOf(tracks, findings) ?? [100, 20, 150, 50], 700, 360, 0.3),
    [tracks, findings],
  );
  return (
    <>
      <h1>
        {kindLabel(f.kind)} <Sev score={f.score} />
      </h1>
      <p data-testid="finding-explanation">{f.explanation}</p>
      <div className="cols">
        <Section title="What and when">
          <dl className="kv">
            <dt>Finding id</dt>
            <dd className="mono">{f.id}</dd>
            <dt>Kind</dt>
            <dd className="mono">{f.kind}</dd>
            <dt>Time (UTC)</dt>
            <dd>
              {fmtTime(f.start)}
              {f.end ? ` → ${fmtTime(f.end)}` : ''}
            </dd>
            <dt>Subjects</dt>
            <dd>
              {f.subjects.map((s) => (
                <Link key={s} to={subjectLink(s)} className="chip" testId="subject-link">
                  {s}
                </Link>
              ))}
            </dd>
            {f.vessels?.length ? (
              <>
                <dt>Vessels</dt>
                <dd>
                  {f.vessels.map((v) => (
                    <Link key={v.mmsi} to={`/vessel/ais-${v.mmsi}`} className="chip" testId="vessel-link">
                      {v.name ?? 'unnamed'} · MMSI {v.mmsi}
                      {v.imo ? ` · IMO ${v.imo}` : ''}
                    </Link>
                  ))}
                </dd>
              </>
            ) : null}
          </dl>
          <h3>Red flags</h3>
          {f.redFlags.length === 0 ? (
            <Empty>None.</Empty>
          ) : (
            <ul data-testid="red-flags">
              {f.redFlags.map((code) => {
                const rf = flags.find((x) => x.code === code);
                return (
                  <li key={code}>
                    <b>{rf?.title ?? code}</b> — {rf?.description} <span className="muted">({rf?.reference})</span>
                  </li>
                );
              })}
            </ul>
          )}
          <AddToCase kind="finding" refId={f.id} label={kindLabel(f.kind)} />
        </Section>
        <Section title="Where">
          {f.geometry ? (
            <MapCanvas
              tracks={tracks}
              findings={findings}
              window={null}
              view={view}
              onViewChange={() => {}}
              selected={f.id}
              height={360}
            />
          ) : (
            <Empty>This finding has no location.</Empty>
          )}
          <p>
            <Link
              to={`/map?f=${encodeURIComponent(f.id)}${f.vessels?.length ? `&mmsi=${f.vessels.map((v) => v.mmsi).join(',')}` : ''}`}
            >
              Open on the full map
            </Link>
          </p>
        </Section>
      </div>
      <Section title={`Evidence (${f.evidence.length} record(s))`} id="evidence">
        {f.evidence.length === 0 ? (
          <Empty>The finding cites no records.</Empty>
        ) : (
          <table className="grid" data-testid="evidence">
            <thead>
              <tr>
                <th>Source</th>
                <th>Record</th>
                <th>sha256</th>
                <th>Note</th>
                <th>Raw source</th>
              </tr>
            </thead>
            <tbody>
              {f.evidence.map((e) => {
                const r = rawOf.get(`${e.source}|${e.record}`);
                return (
                  <tr key={`${e.source}|${e.record}`}>
                    <td>{r ? r.file : e.source}</td>
                    <td className="mono">
                      {r && r.line > 0
                        ? `${r.file}:${r.line}${r.lines.length > 1 ? `-${r.line + r.lines.length - 1}` : ''}`
                        : e.record}
                    </td>
                    <td className="mono" title={r ? 'sha256 of the whole file, recorded at import' : undefined}>
                      {r ? r.sha256 : (e.contentHash ?? '—')}
                    </td>
                    <td>
                      {e.note}
                      {r ? <div className="muted mono">{e.record}</div> : null}
                    </td>
                    <td data-testid="raw-source">
                      {r?.status === 'verified' ? (
                        <>
                          <pre className="mono">{r.lines.join('\n')}</pre>
                          <div className="muted">
                            {[r.station ? `station ${r.station}` : '', r.tagTime ? `tag time ${r.tagTime}` : '']
                              .filter(Boolean)
                              .join(', ') || 'read back'}
                            ; sha256 verified
                          </div>
                        </>
                      ) : r ? (
                        <span className="missing">{r.message}</span>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
      <CargoSection finding={f} />
      <Section title="Parameters and measured values">
        <table className="grid" data-testid="params">
          <tbody>
            {Object.entries(f.params).map(([k, v]) => (
              <tr key={`p-${k}`}>
                <th>{k}</th>
                <td className="mono">{String(v)}</td>
              </tr>
            ))}
            {Object.entries(f.details ?? {}).map(([k, v]) => (
              <tr key={`d-${k}`}>
                <th>{k}</th>
                <td className="mono">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
