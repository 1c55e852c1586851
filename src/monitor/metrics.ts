/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a client library: counters and gauges
 * with labels, kept in this process. Values read from the store (jobs, deliveries, feed cursors) are added at
 * scrape time by the /metrics route (src/api/routes/health.ts) and the worker's own listener.
 */

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  private family(name: string, type: 'counter' | 'gauge', help: string): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { help, type, values: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  /** Add to a counter (created at 0). */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const f = this.family(name, 'counter', help);
    const k = labelKey(labels);
    const cur = f.values.get(k);
    if (cur) cur.value += by;
    else f.values.set(k, { labels, value: by });
  }

  /** Set a gauge. */
  set(name: string, help: string, labels: Labels, value: number): void {
    const f = this.family(name, 'gauge', help);
    f.values.set(labelKey(labels), { labels, value });
  }

  /** Forget a gauge family's values (before re-reading them from the store). */
  clear(name: string): void {
    this.families.get(name)?.values.clear();
  }

  /** The text exposition of every family, plus `extra` families (same shape) that are not kept. */
  render(extra?: Metrics): string {
    const out: string[] = [];
    const names = new Set([...this.families.keys(), ...(extra ? extra.families.keys() : [])]);
    for (const name of [...names].sort()) {
      const f = this.families.get(name);
      const e = extra?.families.get(name);
      const any = f ?? e!;
      out.push(`# HELP ${name} ${any.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${name} ${any.type}`);
      for (const fam of [f, e]) {
        if (!fam) continue;
        for (const { labels, value } of fam.values.values()) {
          const ls = Object.entries(labels)
            .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
            .join(',');
          out.push(`${name}${ls ? `{${ls}}` : ''} ${formatValue(value)}`);
        }
      }
    }
    return `${out.join('\n')}\n`;
  }
}

/** The process's metrics (the HTTP server and an in-process worker share them). */
export const metrics = new Metrics();
