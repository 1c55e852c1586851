import type { Statement } from '../model/statement.js';

/**
 * What a list importer produces: FtM-shaped entities, each remembering the source record it came from
 * (`un_sc_consolidated.xml:8868#KPi.001`, `sdn.csv:1234#17069`), plus counters of what was parsed. Importers
 * are pure: file in, entities out; the orchestration in src/lists/ turns them into one list version.
 */
/** True when a value needs whitespace clean-up: leading/trailing space, runs of spaces, tabs, newlines. */
function messySpace(v: string): boolean {
  const n = v.length;
  if (n === 0) return false;
  if (v.charCodeAt(0) <= 32 || v.charCodeAt(n - 1) <= 32) return true;
  let prevSpace = false;
  for (let i = 1; i < n - 1; i++) {
    const c = v.charCodeAt(i);
    if (c === 32) {
      if (prevSpace) return true;
      prevSpace = true;
    } else {
      if (c < 32 || c === 0xa0) return true;
      prevSpace = false;
    }
  }
  return false;
}

export class ListEntity {
  readonly properties = new Map<string, string[]>();
  /** Values that came from another record than the entity's own (an alias row in alt.csv, an address row). */
  private readonly valueRecords = new Map<string, string>();

  constructor(
    readonly id: string,
    public schema: string,
    readonly sourceRecord: string,
  ) {}

  /**
   * Add a value (trimmed, whitespace collapsed; empty and duplicate values are ignored). `sourceRecord` names the
   * record the value came from when it is not the entity's own.
   */
  add(prop: string, value: string | number | null | undefined, sourceRecord?: string): this {
    if (value === null || value === undefined) return this;
    let v = typeof value === 'string' ? value : String(value);
    if (messySpace(v)) v = v.replace(/\s+/g, ' ').trim();
    if (v === '') return this;
    const values = this.properties.get(prop);
    if (!values) this.properties.set(prop, [v]);
    else if (values.includes(v)) return this;
    else values.push(v);
    if (sourceRecord && sourceRecord !== this.sourceRecord) this.valueRecords.set(`${prop}\u0000${v}`, sourceRecord);
    return this;
  }

  get(prop: string): string[] {
    return this.properties.get(prop) ?? [];
  }

  first(prop: string): string | undefined {
    return this.properties.get(prop)?.[0];
  }

  *statements(source: string, seenAt: string, versionId?: string): Generator<Statement> {
    for (const [prop, values] of this.properties) {
      for (const value of values) {
        yield {
          entityId: this.id,
          schema: this.schema,
          prop,
          value,
          source,
          sourceRecord: this.valueRecords.get(`${prop}\u0000${value}`) ?? this.sourceRecord,
          seenAt,
          versionId,
        };
      }
    }
  }

  toFtm(): { id: string; schema: string; properties: Record<string, string[]> } {
    const properties: Record<string, string[]> = {};
    for (const k of [...this.properties.keys()].sort()) properties[k] = [...this.properties.get(k)!];
    return { id: this.id, schema: this.schema, properties };
  }
}

/** Counters an importer fills in: records read, entities by schema, facts parsed, values left as notes. */
export class ParseStats {
  records = 0;
  readonly counts: Record<string, number> = {};
  readonly warnings: string[] = [];

  count(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }

  warn(message: string): void {
    if (this.warnings.length < 200) this.warnings.push(message);
    this.count('warnings');
  }
}

/** The result of parsing one list file or file set. */
export interface ListParseResult {
  format: string;
  entities: ListEntity[];
  stats: ParseStats;
  /** The list's own publication date when it states one (UN dateGenerated), ISO-8601 UTC. */
  publishedAt?: string;
}
