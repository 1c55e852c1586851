import cytoscape from 'cytoscape';
import { useEffect, useMemo, useRef } from 'react';
import { compareDecimal, formatAmount } from '../../../src/crypto/display.js';
import { layoutByHop } from '../../../src/crypto/flow-layout.js';
import type { ReportNode, TraceReport } from '../../../src/crypto/report.js';
import { api } from '../api.js';
import { Link, type Route, setQuery } from '../router.js';
import { Empty, Section, Show, useLoad } from '../ui.js';

/**
 * Crypto trace: the flow graph from a seed address laid out by hop from left to right, the tainted amount on every
 * transfer, listed addresses and services (exchanges, bridges, mixers) marked. Amounts come from the API as exact
 * decimal strings and are only ever rounded as strings (to the wei with "exact amounts").
 */
function unwrap(r: unknown): TraceReport {
  const o = r as { report?: TraceReport } & TraceReport;
  return o.report ?? o;
}

interface RoleStyle {
  colour: string;
  shape: cytoscape.Css.NodeShape;
  label: string;
}

/** What a node is, for the drawing and the legend: seed, listed, exchange/service, mixer or bridge, other. */
function kindOf(n: ReportNode): keyof typeof KINDS {
  if (n.role === 'seed') return 'seed';
  if (n.role === 'listed' || n.tags.some((t) => t.sanctioned || t.dprk)) return 'listed';
  if (n.role === 'service') return 'service';
  if (n.role === 'mixer') {
    return n.tags.some((t) => /bridge/i.test(t.category)) ? 'bridge' : 'mixer';
  }
  return 'none';
}

const KINDS = {
  seed: { colour: '#1a3d6d', shape: 'star', label: 'seed (start of the trace)' },
  listed: { colour: '#c62828', shape: 'octagon', label: 'listed or DPRK-attributed' },
  service: { colour: '#2e7d32', shape: 'round-rectangle', label: 'exchange or service (trace stops)' },
  mixer: { colour: '#6a1b9a', shape: 'diamond', label: 'mixer (passed through)' },
  bridge: { colour: '#ef6c00', shape: 'diamond', label: 'bridge (passed through)' },
  none: { colour: '#90a4ae', shape: 'ellipse', label: 'other address' },
} satisfies Record<string, RoleStyle>;

function short(a: string): string {
  return a.length > 14 ? `${a.slice(0, 8)}…${a.slice(-4)}` : a;
}

function nodeLabel(n: ReportNode, asset: string, exact: boolean): string {
  const tag = n.service ?? n.tags[0]?.label;
  const name = tag ? `${tag} ${short(n.address)}` : short(n.address);
  if (n.role === 'seed') return name;
  const held = n.held !== '0' ? ` · held ${formatAmount(n.held, { exact })}` : '';
  return `${name}\nin ${formatAmount(n.received, { exact })} ${asset}${held}`;
}

const ROW_GAP_PX = 46;

function FlowGraph({ report, exact }: { report: TraceReport; exact: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const layout = useMemo(
    () =>
      layoutByHop(
        [...report.nodes]
          .sort((a, b) => compareDecimal(b.received, a.received))
          .map((n, rank) => ({ id: n.address, hop: n.hop, rank })),
        report.edges,
        { columnGapPx: ROW_GAP_PX * 8, rowGapPx: ROW_GAP_PX },
      ),
    [report],
  );
  // Tall enough that a column of addresses is drawn at about full size (the page scrolls; the graph zooms).
  const heightPx = Math.min(4000, Math.max(380, layout.tallest * ROW_GAP_PX + 140));
  useEffect(() => {
    if (!box.current) return;
    const known = new Set(report.nodes.map((n) => n.address));
    // Edge widths scale with the tainted share of the largest flow (geometry only; labels are exact strings).
    const widthOf = (x: string) => Number(x.split('.')[0] ?? '0');
    const largest = Math.max(1, ...report.edges.map((e) => widthOf(e.tainted)));
    const c = cytoscape({
      container: box.current,
      elements: [
        ...report.nodes.map((n) => ({
          data: { id: n.address, label: nodeLabel(n, report.asset, exact), kind: kindOf(n) },
          position: { x: layout.positions.get(n.address)?.x ?? 0, y: layout.positions.get(n.address)?.y ?? 0 },
        })),
        ...report.edges
          .filter((e) => known.has(e.from) && known.has(e.to))
          .map((e, i) => ({
            data: {
              id: `e${i}`,
              source: e.from,
              target: e.to,
              label: `${formatAmount(e.tainted, { exact })} ${report.asset}`,
              width: 1 + 5 * Math.sqrt(widthOf(e.tainted) / largest),
              back: (layout.positions.get(e.to)?.column ?? 0) <= (layout.positions.get(e.from)?.column ?? 0),
            },
          })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'font-size': 10,
            'text-wrap': 'wrap',
            'text-max-width': '300px',
            'text-valign': 'bottom',
            'text-margin-y': 3,
            'background-color': (el: cytoscape.NodeSingular) => KINDS[el.data('kind') as keyof typeof KINDS].colour,
            shape: (el: cytoscape.NodeSingular) => KINDS[el.data('kind') as keyof typeof KINDS].shape,
            width: 20,
            height: 20,
          },
        },
        { selector: 'node[kind = "listed"]', style: { 'border-width': 3, 'border-color': '#7f0000' } },
        {
          selector: 'edge',
          style: {
            width: 'data(width)',
            label: 'data(label)',
            'font-size': 9,
            'text-rotation': 'autorotate',
            'text-background-color': '#ffffff',
            'text-background-opacity': 0.85,
            'text-background-padding': '1px',
            'curve-style': 'bezier',
            'target-arrow-shape': 'triangle',
            'line-color': '#90a4ae',
            'target-arrow-color': '#90a4ae',
          },
        },
        // Transfers back to an earlier column (e.g. funds returned to the seed) curve away from the others.
        {
          selector: 'edge[?back]',
          style: { 'curve-style': 'unbundled-bezier', 'control-point-distances': [80], 'line-style': 'dashed' },
        },
        {
          selector: 'edge:selected',
          style: { 'line-color': '#1a3d6d', 'target-arrow-color': '#1a3d6d' },
        },
      ],
      layout: { name: 'preset', fit: true, padding: 40 },
      minZoom: 0.2,
      maxZoom: 3,
    });
    return () => c.destroy();
  }, [report, exact, layout]);
  return (
    <figure>
      <div
        ref={box}
        className="cy"
        style={{ height: `${heightPx}px` }}
        data-testid="flow-graph"
        data-nodes={report.nodes.length}
        data-columns={layout.columns}
      />
      <figcaption className="muted" data-testid="flow-legend">
        Left to right by hop ({layout.columns - 1} {layout.columns === 2 ? 'hop' : 'hops'}); the amount on each arrow is
        the tainted part of the transfer; dashed arrows go back to an earlier hop.{' '}
        {Object.entries(KINDS).map(([k, v]) => (
          <span key={k} className="nowrap" style={{ marginRight: '0.8rem' }}>
            <span style={{ color: v.colour }}>{v.shape === 'diamond' ? '◆' : v.shape === 'star' ? '★' : '●'}</span>{' '}
            {v.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

const TOTAL_LABELS: Record<string, string> = {
  start: 'left the seed',
  held: 'held by addresses at the end',
  atServices: 'reached services (exchanges)',
  hopLimit: 'stopped at the hop limit',
  belowMin: 'below the minimum amount',
  returned: 'sent back to the seed',
  poisonedClean: 'clean funds tainted by poison',
  untracked: 'untracked origin',
};

export function CryptoPage({ route }: { route: Route }) {
  const q = route.query;
  const address = q.get('address') ?? '';
  const chain = q.get('chain') ?? (address.startsWith('0x') ? 'eth' : 'btc');
  const method = q.get('method') ?? 'haircut';
  const hops = Number(q.get('hops') ?? 4);
  const exact = q.get('exact') === '1';
  const [res] = useLoad(
    async (signal) =>
      address
        ? unwrap(
            await api('cryptoTrace', { body: { chain, address, method, direction: 'forward', maxHops: hops }, signal }),
          )
        : null,
    [address, chain, method, hops],
  );
  return (
    <div data-testid="page-crypto">
      <h1>Crypto trace</h1>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const fd = new FormData(e.currentTarget);
          setQuery(
            {
              address: String(fd.get('address') ?? '').trim(),
              method: String(fd.get('method') ?? ''),
              hops: String(fd.get('hops') ?? ''),
              exact: fd.get('exact') ? '1' : '',
            },
            { push: true },
          );
        }}
      >
        <input
          type="text"
          name="address"
          defaultValue={address}
          key={address}
          placeholder="Seed address (0x… or bc1…)"
          size={50}
          aria-label="Seed address"
        />
        <select name="method" defaultValue={method} aria-label="Method">
          <option value="haircut">haircut</option>
          <option value="poison">poison</option>
          <option value="fifo">FIFO</option>
        </select>
        <select name="hops" defaultValue={String(hops)} aria-label="Hops">
          {[1, 2, 3, 4, 5, 6, 8].map((h) => (
            <option key={h} value={h}>
              {h} hops
            </option>
          ))}
        </select>
        <label className="nowrap">
          <input type="checkbox" name="exact" defaultChecked={exact} key={`exact-${exact}`} /> exact amounts (to the
          base unit)
        </label>
        <button type="submit">Trace</button>
      </form>
      {!address ? (
        <Empty>Give a seed address to trace where its funds went (for example an address from a crypto finding).</Empty>
      ) : (
        <Show value={res} what="the trace">
          {(r) =>
            !r || r.nodes.length === 0 ? (
              <Empty>No transfers from this address in the loaded data.</Empty>
            ) : (
              <>
                <div className="cols">
                  <Section title="Where the funds ended up">
                    <dl className="kv" data-testid="trace-totals">
                      {Object.entries(r.totals)
                        .filter(([k, v]) => k === 'start' || v !== '0')
                        .map(([k, v]) => (
                          <div key={k} style={{ display: 'contents' }}>
                            <dt>{TOTAL_LABELS[k] ?? k}</dt>
                            <dd className="right">
                              {formatAmount(v, { exact })} {r.asset}
                            </dd>
                          </div>
                        ))}
                    </dl>
                    {r.byService.length > 0 && (
                      <table className="grid">
                        <thead>
                          <tr>
                            <th>Service</th>
                            <th>Category</th>
                            <th className="right">Amount</th>
                          </tr>
                        </thead>
                        <tbody>
                          {r.byService.map((s) => (
                            <tr key={s.service}>
                              <td>{s.service}</td>
                              <td>{s.category}</td>
                              <td className="right">
                                {formatAmount(s.amount, { exact })} {r.asset}
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    )}
                  </Section>
                  <Section title="Listed addresses and mixers reached">
                    {r.listedReached.length === 0 && r.mixers.length === 0 ? (
                      <Empty>None.</Empty>
                    ) : (
                      <ul data-testid="listed-reached">
                        {r.listedReached.map((l) => (
                          <li key={l.address}>
                            <span className="tag-sanctioned">listed</span>{' '}
                            {l.entityId ? (
                              <Link to={`/entity/${encodeURIComponent(l.entityId)}`}>{l.label}</Link>
                            ) : (
                              l.label
                            )}{' '}
                            <span className="mono">{l.address}</span> hop {l.hop}, received{' '}
                            {formatAmount(l.received, { exact })} {r.asset}, held {formatAmount(l.held, { exact })}{' '}
                            {r.asset}
                          </li>
                        ))}
                        {r.mixers.map((m) => (
                          <li key={m.address}>
                            mixer {m.label} <span className="mono">{m.address}</span>, received{' '}
                            {formatAmount(m.received, { exact })} {r.asset}
                          </li>
                        ))}
                      </ul>
                    )}
                    <p className="muted">
                      Method {r.method}, {r.direction}, max {r.params.maxHops} hops. {r.counts.nodes} addresses,{' '}
                      {r.counts.edges} transfers.
                    </p>
                  </Section>
                </div>
                <FlowGraph report={r} exact={exact} />
                <Section title="Transfers (largest tainted first)">
                  <table className="grid" data-testid="trace-edges">
                    <thead>
                      <tr>
                        <th>Hop</th>
                        <th>From</th>
                        <th>To</th>
                        <th className="right">Amount</th>
                        <th className="right">Tainted</th>
                        <th>Time</th>
                        <th>Transaction</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...r.edges]
                        .sort((a, b) => compareDecimal(b.tainted, a.tainted))
                        .slice(0, 50)
                        .map((e) => (
                          <tr key={`${e.txHash}|${e.from}|${e.to}`}>
                            <td>{e.hop}</td>
                            <td className="mono">{short(e.from)}</td>
                            <td className="mono">{short(e.to)}</td>
                            <td className="right">
                              {formatAmount(e.amount, { exact })} {r.asset}
                            </td>
                            <td className="right">{formatAmount(e.tainted, { exact })}</td>
                            <td className="nowrap">{e.time.slice(0, 16).replace('T', ' ')}</td>
                            <td className="mono">{short(e.txHash)}</td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </Section>
              </>
            )
          }
        </Show>
      )}
    </div>
  );
}
