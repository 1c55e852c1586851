import cytoscape from 'cytoscape';
import { useEffect, useRef } from 'react';
import type { TraceReport } from '../../../src/crypto/report.js';
import { api } from '../api.js';
import { Link, type Route, setQuery } from '../router.js';
import { Empty, Section, Show, useLoad } from '../ui.js';

/** Crypto trace: the flow graph from a seed address with amounts and taint per edge, services and mixers marked. */
function unwrap(r: unknown): TraceReport {
  const o = r as { report?: TraceReport } & TraceReport;
  return o.report ?? o;
}

const ROLE_COLOURS: Record<string, string> = {
  seed: '#1a3d6d',
  service: '#2e7d32',
  mixer: '#6a1b9a',
  listed: '#c62828',
  none: '#90a4ae',
};

function short(a: string): string {
  return a.length > 14 ? `${a.slice(0, 8)}…${a.slice(-4)}` : a;
}

function FlowGraph({ report }: { report: TraceReport }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const c = cytoscape({
      container: box.current,
      elements: [
        ...report.nodes.map((n) => ({
          data: { id: n.address, label: n.service ?? n.tags[0]?.label ?? short(n.address), role: n.role, hop: n.hop },
        })),
        ...report.edges.map((e, i) => ({
          data: { id: `e${i}`, source: e.from, target: e.to, label: `${e.tainted} / ${e.amount} ${report.asset}` },
        })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'font-size': 9,
            'background-color': (el: cytoscape.NodeSingular) => ROLE_COLOURS[el.data('role') as string] ?? '#90a4ae',
            width: 18,
            height: 18,
          },
        },
        {
          selector: 'edge',
          style: {
            width: 1.5,
            'font-size': 8,
            'curve-style': 'bezier',
            'target-arrow-shape': 'triangle',
            'line-color': '#b0bec5',
            'target-arrow-color': '#b0bec5',
          },
        },
        // Amount and taint per edge: shown for the selected edge (click it) to keep the graph readable.
        {
          selector: 'edge:selected',
          style: { label: 'data(label)', 'line-color': '#1a3d6d', 'target-arrow-color': '#1a3d6d', width: 3 },
        },
      ],
      // Rings by hop: the seed in the centre, each hop further out.
      layout: {
        name: 'concentric',
        concentric: (n: cytoscape.NodeSingular) => 100 - Number(n.data('hop') ?? 0),
        levelWidth: () => 1,
        minNodeSpacing: 12,
        animate: false,
      },
    });
    return () => c.destroy();
  }, [report]);
  return <div ref={box} className="cy" data-testid="flow-graph" data-nodes={report.nodes.length} />;
}

export function CryptoPage({ route }: { route: Route }) {
  const q = route.query;
  const address = q.get('address') ?? '';
  const chain = q.get('chain') ?? (address.startsWith('0x') ? 'eth' : 'btc');
  const method = q.get('method') ?? 'haircut';
  const hops = Number(q.get('hops') ?? 4);
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
                      {Object.entries(r.totals).map(([k, v]) => (
                        <div key={k} style={{ display: 'contents' }}>
                          <dt>{k}</dt>
                          <dd>
                            {v} {r.asset}
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
                                {s.amount} {r.asset}
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
                            <span className="mono">{l.address}</span> hop {l.hop}, received {l.received}
                          </li>
                        ))}
                        {r.mixers.map((m) => (
                          <li key={m.address}>
                            mixer {m.label} <span className="mono">{m.address}</span>, received {m.received}
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
                <FlowGraph report={r} />
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
                        .sort((a, b) => Number(b.tainted) - Number(a.tainted))
                        .slice(0, 50)
                        .map((e) => (
                          <tr key={`${e.txHash}|${e.from}|${e.to}`}>
                            <td>{e.hop}</td>
                            <td className="mono">{short(e.from)}</td>
                            <td className="mono">{short(e.to)}</td>
                            <td className="right">
                              {e.amount} {r.asset}
                            </td>
                            <td className="right">{e.tainted}</td>
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
