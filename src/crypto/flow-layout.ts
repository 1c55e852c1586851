/**
 * Layout of a trace's flow graph as investigators' tools draw it (Chainalysis Reactor, Breadcrumbs, GraphSense's
 * dashboard): one column per hop from left to right, the seeds in the first column, each address in the column of
 * the hop at which taint first reached it. Inside a column addresses are ordered by the mean row of the addresses
 * that sent to them from earlier columns (the barycentre heuristic of Sugiyama-style layered drawing), which keeps
 * most edges short and uncrossed. Pure and import-free: the browser uses it (web/src/pages/Crypto.tsx).
 */

export interface FlowNodeIn {
  id: string;
  hop: number;
  /** Tie-break inside a column: lower first (e.g. the rank of the tainted amount received, largest = 0). */
  rank?: number;
}

export interface FlowEdgeIn {
  from: string;
  to: string;
}

export interface FlowPosition {
  x: number;
  y: number;
  column: number;
  row: number;
}

export interface FlowLayout {
  positions: Map<string, FlowPosition>;
  columns: number;
  /** Addresses in the fullest column (sets the drawing's height). */
  tallest: number;
}

export function layoutByHop(
  nodes: FlowNodeIn[],
  edges: FlowEdgeIn[],
  opts: { columnGapPx?: number; rowGapPx?: number } = {},
): FlowLayout {
  const colGap = opts.columnGapPx ?? 260;
  const rowGap = opts.rowGapPx ?? 56;
  const hops = [...new Set(nodes.map((n) => Math.max(0, n.hop)))].sort((a, b) => a - b);
  const columnOfHop = new Map(hops.map((h, i) => [h, i]));
  const columns: string[][] = hops.map(() => []);
  const columnOf = new Map<string, number>();
  const byRank = (a: FlowNodeIn, b: FlowNodeIn) =>
    (a.rank ?? 0) - (b.rank ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  for (const n of [...nodes].sort(byRank)) {
    const c = columnOfHop.get(Math.max(0, n.hop))!;
    columns[c]!.push(n.id);
    columnOf.set(n.id, c);
  }
  const senders = new Map<string, string[]>();
  for (const e of edges) {
    const cf = columnOf.get(e.from);
    const ct = columnOf.get(e.to);
    if (cf === undefined || ct === undefined || cf >= ct) continue;
    const l = senders.get(e.to) ?? [];
    l.push(e.from);
    senders.set(e.to, l);
  }
  const rowOf = new Map<string, number>();
  columns.forEach((col, c) => {
    if (c > 0) {
      const key = new Map<string, number>();
      col.forEach((id, i) => {
        const rows = (senders.get(id) ?? []).map((s) => rowOf.get(s)).filter((r): r is number => r !== undefined);
        key.set(id, rows.length > 0 ? rows.reduce((s, r) => s + r, 0) / rows.length : Number.MAX_SAFE_INTEGER + i);
      });
      const pos = new Map(col.map((id, i) => [id, i]));
      // Stable on the rank order above when two addresses have the same barycentre.
      col.sort((a, b) => key.get(a)! - key.get(b)! || pos.get(a)! - pos.get(b)!);
    }
    col.forEach((id, i) => {
      rowOf.set(id, i);
    });
  });
  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const positions = new Map<string, FlowPosition>();
  columns.forEach((col, c) => {
    col.forEach((id, i) => {
      positions.set(id, { x: c * colGap, y: (i - (col.length - 1) / 2) * rowGap, column: c, row: i });
    });
  });
  return { positions, columns: columns.length, tallest };
}
