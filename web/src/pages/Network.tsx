import cytoscape from 'cytoscape';
import { useEffect, useRef, useState } from 'react';
import type { Graph, GraphEdge, GraphNode } from '../../../src/cases/graph.js';
import { api } from '../api.js';
import { Link, type Route, setQuery } from '../router.js';
import { Empty, ErrorBox, Loading, Section, subjectLink } from '../ui.js';

/**
 * The network: entities and findings as an interactive Cytoscape graph. Nodes are canonical entities (docs/graph.md):
 * one node per real-world thing, with the sources and source entries merged into it. The URL holds the expanded ids, the path
 * query and the hidden schemata, so a shared link rebuilds the same picture. Canvas rendering, no WebGL.
 */
const COLOURS: Record<string, string> = {
  Vessel: '#1565c0',
  Company: '#2e7d32',
  Organization: '#2e7d32',
  LegalEntity: '#2e7d32',
  Person: '#6a1b9a',
  CryptoWallet: '#ef6c00',
  Finding: '#c62828',
  Sanction: '#455a64',
};

function merge(into: Graph, g: Graph): Graph {
  const nodes = new Map(into.nodes.map((n) => [n.id, n]));
  for (const n of g.nodes) nodes.set(n.id, n);
  const edges = new Map(into.edges.map((e) => [e.id, e]));
  for (const e of g.edges) edges.set(e.id, e);
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

export function NetworkPage({ route }: { route: Route }) {
  const q = route.query;
  const ids = (q.get('ids') ?? '').split(',').filter(Boolean);
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  const hidden = new Set((q.get('hide') ?? '').split(',').filter(Boolean));
  const [graph, setGraph] = useState<Graph>({ nodes: [], edges: [] });
  const [path, setPath] = useState<{ nodes: string[]; edges: string[]; hops: number } | null>(null);
  const [state, setState] = useState<{ loading: boolean; error: Error | null; note: string | null }>({
    loading: false,
    error: null,
    note: null,
  });
  const [selected, setSelected] = useState<GraphNode | null>(null);
  const [edge, setEdge] = useState<GraphEdge | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<cytoscape.Core | null>(null);
  const idsKey = ids.join(',');

  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the URL state (ids, from, to)
  useEffect(() => {
    const ctl = new AbortController();
    (async () => {
      setState({ loading: true, error: null, note: null });
      let g: Graph = { nodes: [], edges: [] };
      const missing: string[] = [];
      for (const id of ids) {
        try {
          g = merge(g, await api('graph', { params: { id }, signal: ctl.signal }));
        } catch (err) {
          if ((err as Error).name === 'AbortError') return;
          missing.push(`${id}: ${(err as Error).message}`);
        }
      }
      let p: typeof path = null;
      if (from && to) {
        try {
          const r = await api('path', { query: { from, to }, signal: ctl.signal });
          g = merge(g, r);
          p = { nodes: r.nodes.map((n) => n.id), edges: r.edges.map((e) => e.id), hops: r.hops };
        } catch (err) {
          if ((err as Error).name === 'AbortError') return;
          missing.push(`path: ${(err as Error).message}`);
        }
      }
      if (ctl.signal.aborted) return;
      setGraph(g);
      setPath(p);
      setState({
        loading: false,
        error: missing.length && g.nodes.length === 0 ? new Error(missing.join('; ')) : null,
        note: missing.length ? missing.join('; ') : null,
      });
    })();
    return () => ctl.abort();
  }, [idsKey, from, to]);

  const hiddenKey = [...hidden].join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw on graph, path or filter changes
  useEffect(() => {
    if (!box.current) return;
    cy.current?.destroy();
    const visible = graph.nodes.filter((n) => !hidden.has(n.schema));
    const keep = new Set(visible.map((n) => n.id));
    const pathNodes = new Set(path?.nodes ?? []);
    const pathEdges = new Set(path?.edges ?? []);
    const c = cytoscape({
      container: box.current,
      elements: [
        ...visible.map((n) => ({
          data: { id: n.id, label: n.label, schema: n.schema, tag: n.tag ?? '' },
          classes: [
            pathNodes.has(n.id) ? 'path' : '',
            n.tag === 'sanctioned' ? 'sanctioned' : '',
            ids.includes(n.id) || n.referents.some((r) => ids.includes(r)) ? 'seed' : '',
          ].join(' '),
        })),
        ...graph.edges
          .filter((e) => keep.has(e.source) && keep.has(e.target))
          .map((e) => ({
            data: { id: `e:${e.id}`, source: e.source, target: e.target, label: e.label },
            classes: [
              pathEdges.has(e.id) ? 'path' : '',
              e.ownership ? 'ownership' : '',
              e.ownership && !e.ownership.current ? 'ended' : '',
            ].join(' '),
          })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            label: 'data(label)',
            'font-size': 10,
            'font-family': 'system-ui, "Noto Sans CJK KR", "Noto Sans CJK SC", sans-serif',
            'background-color': (el: cytoscape.NodeSingular) => COLOURS[el.data('schema') as string] ?? '#78909c',
            shape: (el: cytoscape.NodeSingular) =>
              el.data('schema') === 'Finding'
                ? 'diamond'
                : el.data('schema') === 'Vessel'
                  ? 'round-rectangle'
                  : 'ellipse',
            width: 22,
            height: 22,
            'text-valign': 'bottom',
            'text-margin-y': 3,
          },
        },
        { selector: 'node.sanctioned', style: { 'border-width': 3, 'border-color': '#c62828' } },
        { selector: 'node.seed', style: { width: 30, height: 30 } },
        { selector: 'node.path', style: { 'overlay-color': '#ffb300', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
        {
          selector: 'edge',
          style: {
            width: 1.5,
            'line-color': '#9aa8b5',
            'curve-style': 'bezier',
            'target-arrow-shape': 'triangle',
            'target-arrow-color': '#9aa8b5',
            label: 'data(label)',
            'font-size': 8,
            color: '#555',
          },
        },
        {
          selector: 'edge.ownership',
          style: { 'line-color': '#2e7d32', 'target-arrow-color': '#2e7d32', color: '#1b5e20' },
        },
        { selector: 'edge.ended', style: { 'line-style': 'dashed' } },
        { selector: 'edge.path', style: { width: 4, 'line-color': '#ffb300', 'target-arrow-color': '#ffb300' } },
        { selector: ':selected', style: { 'border-width': 3, 'border-color': '#000' } },
      ],
      layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 90 },
      wheelSensitivity: 0.3,
      maxZoom: 1.6,
    });
    c.on('tap', 'node', (evt) => {
      const id = evt.target.id() as string;
      setSelected(graph.nodes.find((n) => n.id === id) ?? null);
    });
    // An edge's statements (role, share, dates, sources) on hover and on click.
    const edgeOf = (evt: cytoscape.EventObject) =>
      graph.edges.find((e) => `e:${e.id}` === (evt.target.id() as string)) ?? null;
    c.on('mouseover tap', 'edge', (evt) => setEdge(edgeOf(evt)));
    c.on('dbltap', 'node', (evt) => {
      const id = evt.target.id() as string;
      if (!ids.includes(id)) setQuery({ ids: [...ids, id].join(',') }, { push: true });
    });
    cy.current = c;
    (window as unknown as { __wkCy?: cytoscape.Core }).__wkCy = c;
  }, [graph, path, hiddenKey]);

  useEffect(() => () => cy.current?.destroy(), []);

  const schemas = [...new Set(graph.nodes.map((n) => n.schema))].sort();
  return (
    <div data-testid="page-network">
      <h1>Network</h1>
      <div className="card">
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const fd = new FormData(e.currentTarget);
            const add = String(fd.get('id') ?? '').trim();
            if (add) setQuery({ ids: [...new Set([...ids, add])].join(',') }, { push: true });
          }}
        >
          <input type="text" name="id" placeholder="Entity or finding id to add" aria-label="Entity id" size={30} />
          <button type="submit">Add</button>
        </form>
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const fd = new FormData(e.currentTarget);
            setQuery(
              { from: String(fd.get('from') ?? '').trim(), to: String(fd.get('to') ?? '').trim() },
              { push: true },
            );
          }}
        >
          Shortest path from{' '}
          <input
            type="text"
            name="from"
            defaultValue={from}
            key={`f${from}`}
            aria-label="Path from"
            data-testid="path-from"
          />{' '}
          to <input type="text" name="to" defaultValue={to} key={`t${to}`} aria-label="Path to" data-testid="path-to" />
          <button type="submit" data-testid="path-button">
            Find path
          </button>
        </form>
        {schemas.length > 0 && (
          <div className="inline" data-testid="schema-filter">
            Show:{' '}
            {schemas.map((s) => (
              <label key={s} style={{ marginRight: '.8rem' }}>
                <input
                  type="checkbox"
                  checked={!hidden.has(s)}
                  onChange={(e) => {
                    const h = new Set(hidden);
                    if (e.target.checked) h.delete(s);
                    else h.add(s);
                    setQuery({ hide: [...h].join(',') });
                  }}
                />{' '}
                <span style={{ color: COLOURS[s] ?? '#78909c' }}>■</span> {s}
              </label>
            ))}
          </div>
        )}
      </div>
      {state.loading && <Loading what="the graph" />}
      {state.error && <ErrorBox error={state.error} />}
      {state.note && !state.error && <div className="msg error">Some items could not be loaded: {state.note}</div>}
      {path && (
        <div className={`msg ${path.hops >= 0 ? 'ok' : 'empty'}`} data-testid="path-result">
          {path.hops >= 0
            ? `Path of ${path.hops} hop(s): ${path.nodes.map((id) => graph.nodes.find((n) => n.id === id)?.label ?? id).join(' → ')}`
            : 'No path between these two within 6 hops.'}
        </div>
      )}
      {ids.length === 0 && !(from && to) ? (
        <Empty>
          Add an entity id (or open one from an entity or vessel page) to start the graph. Double-click a node to expand
          its neighbours.
        </Empty>
      ) : (
        <div className="split">
          <div
            ref={box}
            className="cy"
            data-testid="graph"
            data-nodes={graph.nodes.length}
            data-edges={graph.edges.length}
          />
          <Section title="Selected">
            {selected ? (
              <div data-testid="selected-node">
                <p>
                  <b>{selected.label}</b> <span className="muted">{selected.schema}</span>
                  {selected.tag === 'sanctioned' && <span className="tag-sanctioned">sanctioned</span>}
                </p>
                <p className="mono">{selected.id}</p>
                {selected.datasets.length > 0 && (
                  <p data-testid="selected-sources">
                    Sources: {selected.datasets.join(', ')}
                    {selected.referents.length > 1 && (
                      <>
                        <br />
                        <span className="muted">
                          One entity of {selected.referents.length} source entries:{' '}
                          <span className="mono">{selected.referents.join(', ')}</span>
                        </span>
                      </>
                    )}
                  </p>
                )}
                <p>
                  <button
                    type="button"
                    onClick={() => setQuery({ ids: [...new Set([...ids, selected.id])].join(',') }, { push: true })}
                  >
                    Expand neighbours
                  </button>{' '}
                  <Link
                    to={
                      selected.schema === 'Finding'
                        ? `/finding/${encodeURIComponent(selected.id)}`
                        : subjectLink(selected.id)
                    }
                  >
                    Open page
                  </Link>
                </p>
                <p>
                  <button type="button" className="secondary" onClick={() => setQuery({ from: selected.id })}>
                    Path from here
                  </button>{' '}
                  <button type="button" className="secondary" onClick={() => setQuery({ to: selected.id })}>
                    Path to here
                  </button>
                </p>
              </div>
            ) : (
              <Empty>Click a node. Double-click to expand it.</Empty>
            )}
            {edge && <EdgeDetail edge={edge} nodes={graph.nodes} />}
            <p className="muted">
              {graph.nodes.length} node(s), {graph.edges.length} edge(s).
            </p>
          </Section>
        </div>
      )}
    </div>
  );
}

/** An edge's detail: for an ownership link, the role, share, dates and every statement with its source. */
function EdgeDetail({ edge, nodes }: { edge: GraphEdge; nodes: GraphNode[] }) {
  const name = (id: string) => nodes.find((n) => n.id === id)?.label ?? id;
  const o = edge.ownership;
  return (
    <div data-testid="selected-edge">
      <p>
        {name(edge.source)} → <b>{edge.label}</b> → {name(edge.target)}
      </p>
      {o ? (
        <>
          <p className="muted" data-testid="edge-sources">
            Sources: {o.sources.join(', ')}
            {o.current ? '' : ' (no statement in force today)'}
          </p>
          <ul>
            {o.links.map((l) => (
              <li key={`${l.source}|${l.sourceRecord}|${l.via}|${l.startDate ?? ''}`}>
                {l.source}: {l.via}
                {l.percentage !== undefined && ` · ${l.percentage} %`}
                {(l.startDate || l.endDate) && ` · ${l.startDate ?? '…'} – ${l.endDate ?? ''}`}{' '}
                <span className="muted mono">{l.sourceRecord}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted mono">{edge.id}</p>
      )}
    </div>
  );
}
