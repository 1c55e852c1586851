import { NotFoundError } from '../errors.js';
import type { Statement } from '../model/statement.js';
import type { ListVersion, Store } from '../store/store.js';
import { datasetName } from './dataset-names.js';

/**
 * Differences between two list versions, in designations: entities that carry the `sanction` topic (people,
 * organisations, vessels, aircraft, wallets). Added and removed by entity id; changed when an entity in both
 * versions gained or lost property values. Bookkeeping values (where a statement came from, when it was seen)
 * are not compared; neither are the supporting entities (Sanction, Passport, links), whose changes show
 * up through the designations they belong to.
 */

export interface DesignationRef {
  id: string;
  schema: string;
  name: string;
}

export interface PropertyChange {
  prop: string;
  added: string[];
  removed: string[];
}

export interface ChangedDesignation extends DesignationRef {
  changes: PropertyChange[];
}

export interface ListDiff {
  from: ListVersion;
  to: ListVersion;
  added: DesignationRef[];
  removed: DesignationRef[];
  changed: ChangedDesignation[];
  unchanged: number;
  /** Number of changed designations per property (how many gained or lost a value of it). */
  changedProps: Record<string, number>;
}

interface Snapshot {
  schema: string;
  props: Map<string, Set<string>>;
}

/** Designations of a version: entity id → schema and property values. */
function designations(statements: Statement[]): Map<string, Snapshot> {
  const byId = new Map<string, Snapshot>();
  for (const st of statements) {
    let snap = byId.get(st.entityId);
    if (!snap) {
      snap = { schema: st.schema, props: new Map() };
      byId.set(st.entityId, snap);
    }
    let values = snap.props.get(st.prop);
    if (!values) snap.props.set(st.prop, (values = new Set()));
    values.add(st.value);
  }
  for (const [id, snap] of byId) if (!snap.props.get('topics')?.has('sanction')) byId.delete(id);
  return byId;
}

function ref(id: string, snap: Snapshot): DesignationRef {
  const name = [...(snap.props.get('name') ?? snap.props.get('publicKey') ?? [])][0] ?? id;
  return { id, schema: snap.schema, name };
}

/** Compare statement sets directly (pure; used by `diffVersions` and tests). */
export function diffStatements(
  from: Statement[],
  to: Statement[],
  opts: { props?: string[] } = {},
): Omit<ListDiff, 'from' | 'to'> {
  const only = opts.props && opts.props.length > 0 ? new Set(opts.props) : undefined;
  const a = designations(from);
  const b = designations(to);
  const added: DesignationRef[] = [];
  const removed: DesignationRef[] = [];
  const changed: ChangedDesignation[] = [];
  const changedProps: Record<string, number> = {};
  let unchanged = 0;
  for (const [id, snap] of b) if (!a.has(id)) added.push(ref(id, snap));
  for (const [id, snapA] of a) {
    const snapB = b.get(id);
    if (!snapB) {
      removed.push(ref(id, snapA));
      continue;
    }
    const changes: PropertyChange[] = [];
    const props = new Set([...snapA.props.keys(), ...snapB.props.keys()]);
    for (const prop of [...props].sort()) {
      if (only && !only.has(prop)) continue;
      const va = snapA.props.get(prop) ?? new Set<string>();
      const vb = snapB.props.get(prop) ?? new Set<string>();
      const plus = [...vb].filter((v) => !va.has(v));
      const minus = [...va].filter((v) => !vb.has(v));
      if (plus.length > 0 || minus.length > 0) {
        changes.push({ prop, added: plus, removed: minus });
        changedProps[prop] = (changedProps[prop] ?? 0) + 1;
      }
    }
    if (snapA.schema !== snapB.schema) {
      changes.unshift({ prop: 'schema', added: [snapB.schema], removed: [snapA.schema] });
      changedProps.schema = (changedProps.schema ?? 0) + 1;
    }
    if (changes.length > 0) changed.push({ ...ref(id, snapB), changes });
    else unchanged++;
  }
  const byId = (x: DesignationRef, y: DesignationRef): number => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  return { added: added.sort(byId), removed: removed.sort(byId), changed: changed.sort(byId), unchanged, changedProps };
}

/** Resolve a version by id, id prefix (`us_ofac_sdn@2a08`) or dataset name in either spelling (its current version). */
export async function resolveVersion(store: Store, spec: string): Promise<ListVersion> {
  const exact = await store.getListVersion(spec);
  if (exact) return exact;
  const current = (await store.currentVersions()).find((v) => v.source === datasetName(spec));
  if (current) return current;
  const all = await store.listVersions();
  const prefixed = all.filter((v) => v.id.startsWith(spec));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) {
    throw new NotFoundError(`version "${spec}" is ambiguous: ${prefixed.map((v) => v.id).join(', ')}`);
  }
  throw new NotFoundError(`no list version "${spec}" (see \`watchkeeper lists show\`)`);
}

/** Diff two stored versions; `props` limits "changed" to those properties (e.g. name, alias, programId). */
export async function diffVersions(
  store: Store,
  fromSpec: string,
  toSpec: string,
  opts: { props?: string[] } = {},
): Promise<ListDiff> {
  const from = await resolveVersion(store, fromSpec);
  const to = await resolveVersion(store, toSpec);
  const a = await store.statementsForVersion(from.id);
  const b = await store.statementsForVersion(to.id);
  return { from, to, ...diffStatements(a, b, opts) };
}
