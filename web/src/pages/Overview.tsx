import { api } from '../api.js';
import { Link } from '../router.js';
import { Empty, FindingTable, fmtTime, kindLabel, Section, Sev, Show, useLoad } from '../ui.js';
import { SeverityBars } from '../widgets.js';

export function OverviewPage() {
  const [ov] = useLoad((signal) => api('overview', { signal }), []);
  return (
    <div data-testid="page-overview">
      <h1>Overview</h1>
      <Show value={ov} what="the overview">
        {(o) => (
          <div className="stack">
            {o.findings.total === 0 && (
              <Empty>
                No findings in the store yet. Load data with <code>watchkeeper start</code> (seeds the demo on first
                run) or the import commands, then run the detectors.
              </Empty>
            )}
            <div className="cols">
              <Section title={`Findings by kind (${o.findings.total.toLocaleString('en-US')})`}>
                {o.findings.byKind.length === 0 ? (
                  <Empty>No findings.</Empty>
                ) : (
                  <table className="grid" data-testid="findings-by-kind">
                    <thead>
                      <tr>
                        <th>Kind</th>
                        <th className="right">High</th>
                        <th className="right">Medium</th>
                        <th className="right">Low</th>
                        <th className="right">Total</th>
                      </tr>
                    </thead>
                    <tbody>
                      {o.findings.byKind.map((k) => (
                        <tr key={k.kind}>
                          <td>
                            <Link to={`/map?kind=${encodeURIComponent(k.kind)}`}>{kindLabel(k.kind)}</Link>{' '}
                            <span className="muted mono">{k.kind}</span>
                          </td>
                          <td className="right">{k.high}</td>
                          <td className="right">{k.medium}</td>
                          <td className="right">{k.low}</td>
                          <td className="right">{k.total}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Section>
              <Section title="Findings over time">
                {o.findings.byMonth.length === 0 ? (
                  <Empty>No findings.</Empty>
                ) : (
                  <SeverityBars rows={o.findings.byMonth.map((m) => ({ ...m, label: m.month }))} />
                )}
              </Section>
            </div>
            <Section title="Newest findings">
              <FindingTable findings={o.findings.newest} />
            </Section>
            <div className="cols">
              <Section title="Watchlist alerts">
                {o.alerts.length === 0 ? (
                  <Empty>
                    No alerts. <Link to="/watch">Watch a vessel, entity or address</Link> to be told about new findings.
                  </Empty>
                ) : (
                  <table className="grid" data-testid="alerts">
                    <tbody>
                      {o.alerts.map((a) => (
                        <tr key={a.id}>
                          <td className="nowrap">{fmtTime(a.raisedAt)}</td>
                          <td>{a.watchLabel ?? a.watchRef}</td>
                          <td>
                            <Link to={`/finding/${encodeURIComponent(a.findingId)}`}>{kindLabel(a.findingKind)}</Link>
                          </td>
                          <td>
                            <Sev score={a.score} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Section>
              <Section title="Data loaded">
                <h3>Sanctions lists</h3>
                {o.lists.length === 0 ? (
                  <Empty>No lists loaded.</Empty>
                ) : (
                  <table className="grid" data-testid="lists">
                    <thead>
                      <tr>
                        <th>List</th>
                        <th>Version</th>
                        <th>Published</th>
                        <th className="right">Records</th>
                      </tr>
                    </thead>
                    <tbody>
                      {o.lists.map((l) => (
                        <tr key={l.id}>
                          <td>{l.source}</td>
                          <td className="mono">{l.id}</td>
                          <td className="nowrap">{l.fetchedAt.slice(0, 10)}</td>
                          <td className="right">{l.recordCount.toLocaleString('en-US')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <h3>AIS coverage</h3>
                {o.ais.positions === 0 ? (
                  <Empty>No AIS positions loaded.</Empty>
                ) : (
                  <dl className="kv" data-testid="ais-coverage">
                    <dt>Positions</dt>
                    <dd>{o.ais.positions.toLocaleString('en-US')}</dd>
                    <dt>Vessels</dt>
                    <dd>{o.ais.vessels.toLocaleString('en-US')}</dd>
                    <dt>Time</dt>
                    <dd>
                      {fmtTime(o.ais.from)} → {fmtTime(o.ais.to)}
                    </dd>
                    <dt>Area</dt>
                    <dd>
                      {o.ais.bbox?.map((v) => v.toFixed(2)).join(', ')} (lon/lat box){' '}
                      <Link to="/map">open the map</Link>
                    </dd>
                  </dl>
                )}
                <h3>Imports</h3>
                {o.imports.length === 0 ? (
                  <Empty>No imports recorded.</Empty>
                ) : (
                  <table className="grid" data-testid="imports">
                    <thead>
                      <tr>
                        <th>Kind</th>
                        <th className="right">Files</th>
                        <th className="right">Rows</th>
                        <th>Last</th>
                      </tr>
                    </thead>
                    <tbody>
                      {o.imports.map((i) => (
                        <tr key={i.kind}>
                          <td>{i.kind}</td>
                          <td className="right">{i.count}</td>
                          <td className="right">{i.rows.toLocaleString('en-US')}</td>
                          <td className="nowrap">{fmtTime(i.last)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </Section>
            </div>
          </div>
        )}
      </Show>
    </div>
  );
}
