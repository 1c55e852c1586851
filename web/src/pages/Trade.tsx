import type { Finding } from '../../../src/findings/finding.js';
import { capChart } from '../../../src/maritime/cargo/chart.js';
import { api } from '../api.js';
import { Link } from '../router.js';
import { Empty, fmtTime, kindLabel, Section, Sev, Show, useLoad } from '../ui.js';

/**
 * Trade: shipment records that screening flagged (party, HS code, ports, date), the refined-petroleum cap tracker
 * by year, and the DPRK's trade as partners report it (banned flows). docs/trade.md and docs/cargo.md say how each
 * figure is made.
 */

const TRADE_KINDS = ['trade.listed_party', 'trade.prohibited_goods', 'trade.origin_mismatch'];

interface ShipmentSummary {
  reference?: string | null;
  shipper?: string | null;
  consignee?: string | null;
  hsCode?: string | null;
  description?: string | null;
  portLoading?: string | null;
  portDischarge?: string | null;
  departureDate?: string | null;
  arrivalDate?: string | null;
}

function shipmentOf(f: Finding): ShipmentSummary {
  return ((f.details as { shipment?: ShipmentSummary } | undefined)?.shipment ?? {}) as ShipmentSummary;
}

function partyOf(f: Finding): string {
  const d = f.details as { role?: string; party?: { name?: string } } | undefined;
  if (d?.party?.name) return `${d.role ?? 'party'}: ${d.party.name}`;
  const s = shipmentOf(f);
  return [s.shipper, s.consignee].filter(Boolean).join(' → ');
}

function ShipmentHits({ findings }: { findings: Finding[] }) {
  if (findings.length === 0)
    return (
      <Empty>No screened shipment gave a finding. Import records with `trade import` and run `trade screen`.</Empty>
    );
  return (
    <table className="grid" data-testid="trade-hits">
      <thead>
        <tr>
          <th>Finding</th>
          <th>Severity</th>
          <th>Record</th>
          <th>Party</th>
          <th>HS</th>
          <th>Ports</th>
          <th>Date</th>
          <th>Explanation</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f) => {
          const s = shipmentOf(f);
          return (
            <tr key={f.id} data-kind={f.kind}>
              <td>
                <Link to={`/finding/${encodeURIComponent(f.id)}`} testId="finding-link">
                  {kindLabel(f.kind)}
                </Link>
              </td>
              <td>
                <Sev score={f.score} />
              </td>
              <td className="nowrap">{f.evidence[0]?.record ?? ''}</td>
              <td>{partyOf(f)}</td>
              <td className="nowrap">{s.hsCode ?? ''}</td>
              <td>{[s.portLoading, s.portDischarge].filter(Boolean).join(' → ')}</td>
              <td className="nowrap">{s.departureDate ?? s.arrivalDate ?? fmtTime(f.start)}</td>
              <td>{f.explanation}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const usd = (v: number) => `USD ${Math.round(v).toLocaleString('en-US')}`;

export function TradePage() {
  const [hits] = useLoad((signal) => api('findings', { query: { kind: TRADE_KINDS, limit: 500 }, signal }), []);
  const [cap] = useLoad((signal) => api('cargoCap', { signal }), []);
  const [mirror] = useLoad((signal) => api('tradeMirror', { signal }), []);
  return (
    <div data-testid="page-trade">
      <h1>Trade</h1>
      <Section title="Screened shipments with findings" id="shipments">
        <Show value={hits} what="the screened shipments">
          {(r) => <ShipmentHits findings={r.results} />}
        </Show>
      </Section>
      <Section title="Refined petroleum against the 500,000-barrel cap (S/RES/2397)" id="cap">
        <Show value={cap} what="the cap tracker">
          {(r) =>
            r.results.length === 0 ? (
              <Empty>
                No estimated deliveries: the tracker reads cargo estimates of STS encounters and DPRK terminal calls.
              </Empty>
            ) : (
              <div data-testid="cap-chart">
                {r.results.map((y) => (
                  <pre key={y.year} className="chart">
                    {capChart(y)}
                  </pre>
                ))}
              </div>
            )
          }
        </Show>
      </Section>
      <Section title="Mirror statistics: banned flows as partners report them" id="mirror">
        <Show value={mirror} what="the mirror statistics">
          {(m) =>
            m.banned.length === 0 ? (
              <Empty>
                No partner-reported flow in a banned code. Import a Comtrade extract with `trade mirror --import`.
              </Empty>
            ) : (
              <table className="grid" data-testid="mirror-banned">
                <thead>
                  <tr>
                    <th>Year</th>
                    <th>Reporter</th>
                    <th>DPRK flow</th>
                    <th>Goods</th>
                    <th>HS</th>
                    <th>Value</th>
                    <th>Net weight (t)</th>
                    <th>Rule</th>
                  </tr>
                </thead>
                <tbody>
                  {m.banned.map((b) => (
                    <tr key={`${b.year}-${b.reporterCode}-${b.flow}-${b.label}`}>
                      <td>
                        {b.year}
                        {b.partYear ? ' (part)' : ''}
                      </td>
                      <td>{b.reporter}</td>
                      <td>{b.flow}</td>
                      <td>{b.label}</td>
                      <td>{b.codes.join(', ')}</td>
                      <td className="nowrap">{usd(b.valueUsd)}</td>
                      <td>{b.netWgtKg === null ? '' : Math.round(b.netWgtKg / 1000).toLocaleString('en-US')}</td>
                      <td>
                        {b.verdict}
                        {b.aboveCap ? ' (above the cap)' : ''}: {b.resolutions.join('; ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Show>
      </Section>
    </div>
  );
}

/** Kinds the cargo module estimates from (src/maritime/cargo/events.ts CARGO_SOURCE_KINDS), and its own. */
const CARGO_KINDS = new Set(['ais.port_visit', 'ais.encounter', 'ais.gap', 'cargo.estimate']);

interface EstimateDetails {
  estimate?: {
    operation: string;
    method: string;
    hullClass: string;
    draughtChangeM: number;
    tonnes: { low: number; mid: number; high: number };
    barrels: { low: number; mid: number; high: number } | null;
    product: string | null;
  };
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');

/** Cargo loaded or discharged, estimated from the draught change, on the finding page of a finding that has one. */
export function CargoSection({ finding }: { finding: Finding }) {
  const wanted = CARGO_KINDS.has(finding.kind);
  const [est] = useLoad(
    async (signal) =>
      wanted
        ? (await api('cargoEstimate', { params: { id: finding.id }, signal }).catch(() => ({ results: [] }))).results
        : [],
    [finding.id, wanted],
  );
  if (!wanted) return null;
  return (
    <Show value={est} what="the cargo estimate">
      {(list) =>
        list.length === 0 ? null : (
          <Section title="Cargo estimate" id="cargo">
            <table className="grid" data-testid="cargo-estimate">
              <thead>
                <tr>
                  <th>Operation</th>
                  <th>Method</th>
                  <th>Draught change</th>
                  <th>Tonnes (low–mid–high)</th>
                  <th>Barrels</th>
                  <th>Explanation</th>
                </tr>
              </thead>
              <tbody>
                {list.map((c) => {
                  const e = (c.details as EstimateDetails | undefined)?.estimate;
                  return (
                    <tr key={c.id}>
                      <td>{e?.operation ?? ''}</td>
                      <td>
                        {e?.method ?? ''} ({e?.hullClass ?? ''})
                      </td>
                      <td className="nowrap">{e ? `${e.draughtChangeM.toFixed(1)} m` : ''}</td>
                      <td className="nowrap">
                        {e ? `${n0(e.tonnes.low)}–${n0(e.tonnes.mid)}–${n0(e.tonnes.high)}` : ''}
                      </td>
                      <td className="nowrap">
                        {e?.barrels ? `${n0(e.barrels.mid)} bbl (${e.product ?? 'product unknown'})` : ''}
                      </td>
                      <td>{c.explanation}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </Section>
        )
      }
    </Show>
  );
}
