import { type Finding, severityOf } from '../findings/finding.js';
import type { ImportRecord, ListVersion, Store } from '../store/store.js';
import { type AisCoverage, aisCoverage } from './ais-tables.js';
import type { Alert } from './types.js';
import { listAlerts } from './watch.js';

/** The overview page: findings by kind and severity over time, the newest findings, alerts, and what is loaded. */
export interface Overview {
  findings: {
    total: number;
    /** Findings looked at for the breakdowns (the newest `sampled` of `total`). */
    sampled: number;
    byKind: Array<{ kind: string; high: number; medium: number; low: number; total: number }>;
    /** Per calendar month (YYYY-MM) of the finding's start. */
    byMonth: Array<{ month: string; high: number; medium: number; low: number }>;
    newest: Finding[];
  };
  alerts: Alert[];
  lists: ListVersion[];
  ais: AisCoverage;
  imports: Array<{ kind: string; count: number; rows: number; last: string }>;
}

export async function overview(store: Store, sample = 20_000): Promise<Overview> {
  const [total, recent, lists, ais, imports, alerts] = await Promise.all([
    store.countFindings(),
    store.queryFindings({ limit: sample }),
    store.currentVersions(),
    aisCoverage(store),
    store.listImports(),
    listAlerts(store, { limit: 10 }),
  ]);
  const byKind = new Map<string, { kind: string; high: number; medium: number; low: number; total: number }>();
  const byMonth = new Map<string, { month: string; high: number; medium: number; low: number }>();
  for (const f of recent) {
    const sev = severityOf(f.score);
    const k = byKind.get(f.kind) ?? { kind: f.kind, high: 0, medium: 0, low: 0, total: 0 };
    k[sev]++;
    k.total++;
    byKind.set(f.kind, k);
    const month = f.start.slice(0, 7);
    const m = byMonth.get(month) ?? { month, high: 0, medium: 0, low: 0 };
    m[sev]++;
    byMonth.set(month, m);
  }
  const imp = new Map<string, { kind: string; count: number; rows: number; last: string }>();
  for (const r of imports as ImportRecord[]) {
    const x = imp.get(r.kind) ?? { kind: r.kind, count: 0, rows: 0, last: '' };
    x.count++;
    x.rows += r.rowCount;
    if (r.importedAt > x.last) x.last = r.importedAt;
    imp.set(r.kind, x);
  }
  return {
    findings: {
      total,
      sampled: recent.length,
      byKind: [...byKind.values()].sort((a, b) => b.total - a.total),
      byMonth: [...byMonth.values()].sort((a, b) => (a.month < b.month ? -1 : 1)),
      newest: recent.slice(0, 10),
    },
    alerts,
    lists,
    ais,
    imports: [...imp.values()],
  };
}
