import { datasetAliases } from '../lists/dataset-names.js';
import { schemaModel } from '../model/schema.js';
import { joinSkeletons } from './names/skeleton.js';
import type { NameForm } from './normalise.js';
import { type EntityLike, type Prepared, prepare } from './prepare.js';
import { DEFAULT_THRESHOLD, type Explanation, featureTable, scoreCandidate, scoreValue } from './score.js';

/**
 * The in-memory screening index. Built once from the list entities; a query touches only the posting lists of
 * its own tokens, phonetic keys, compact-key trigrams and identifiers, ranks the entities those lists name by an
 * IDF-weighted vote, and scores only the best few dozen with the full feature set. A query never scans the list.
 *
 * Token weights: every name token's weight is scaled by its rarity (IDF over the indexed entities), so "Kim",
 * "Ri" or "Trading" count less than "Chun" or "Ryonbong".
 */

type Kind = 't' | 'p' | 'g' | 'i' | 's' | 'd';

export interface MatchOptions {
  limit?: number;
  threshold?: number;
  /** Only entities carrying this dataset (list source); "default", "all" or undefined = every dataset. */
  dataset?: string;
  /** Results scoring below this are left out (default 0: the best `limit` are returned). */
  cutoff?: number;
  /** How many ranked candidates to score in full (default max(15, 3 × limit)). */
  candidates?: number;
  /** Per-request feature weight overrides (feature name → weight, yente's `weights`; checked by featureTable). */
  weights?: Record<string, number>;
}

export interface MatchResult {
  id: string;
  schema: string;
  caption: string;
  score: number;
  match: boolean;
  datasets: string[];
  features: Record<string, number>;
  explanations: Record<string, Explanation>;
  properties: Record<string, string[]>;
}

/** Datasets that mean "everything" in yente-style URLs. */
export const ALL_DATASETS = new Set(['default', 'all', 'sanctions', '*']);

const TOKEN_VOTE = 1;
const PHONETIC_VOTE = 0.8;
const GRAM_VOTE = 0.12;
const SKELETON_VOTE = 0.6;
const IDENTIFIER_VOTE = 50;
/** A phonetic key within about one edit of an indexed one (shared one-deletion neighbour), once per key. */
const DELETION_VOTE = 0.7;
/** A query key carried by this many indexed entities already finds its candidates itself. */
const DELETION_KNOWN = 3;
/** A word that may abbreviate indexed words (a prefix of them), once per word and entity. */
const PREFIX_VOTE = 0.7;
/** At most this many indexed words are followed from one prefix. */
const PREFIX_TOKENS = 50;
/** Keys shorter than this get no deletion neighbours (three letters with one deleted match far too much). */
const DELETION_MIN = 4;
/** Joined keys of whole names longer than this get no deletion neighbours (they have trigrams and tokens). */
const DELETION_MAX = 12;
/** n-gram posting lists longer than this share of the index carry no signal and are skipped at query time. */
const GRAM_MAX_SHARE = 0.03;
/** Token posting lists longer than this share (e.g. "mohammed", "al") are skipped when the name has rarer words. */
const TOKEN_MAX_SHARE = 0.08;

function trigrams(s: string): string[] {
  if (s.length < 3) return s.length > 0 ? [s] : [];
  const out: string[] = [];
  for (let i = 0; i + 3 <= s.length; i++) out.push(s.slice(i, i + 3));
  return out;
}

/**
 * A key and its one-deletion neighbours (SymSpell-style): two keys within one edit share at least one entry, so a
 * spelling the index has never seen ("Helios" for "Gelios", "Vybos" for "Vaibos") still finds its candidates.
 */
function deletionKeys(key: string): string[] {
  if (key.length < DELETION_MIN || key.length > DELETION_MAX) return [];
  const out = new Set<string>([key]);
  for (let i = 0; i < key.length; i++) out.add(key.slice(0, i) + key.slice(i + 1));
  return [...out];
}

function identifierKeys(p: Prepared): string[] {
  const keys: string[] = [];
  for (const v of p.imo) keys.push(`imo:${v}`);
  for (const v of p.mmsi) keys.push(`mmsi:${v}`);
  for (const v of p.documents) keys.push(`doc:${v}`);
  for (const v of p.callSigns) keys.push(`cs:${v}`);
  for (const v of p.cryptoAddresses) keys.push(`addr:${v}`);
  return keys;
}

export class ScreeningIndex {
  readonly entities: Prepared[];
  private readonly byId = new Map<string, number>();
  /**
   * Posting lists by kind: t = token, p = phonetic key, g = compact trigram, i = identifier, s = word skeleton,
   * d = phonetic keys (and the joined key of a name) with their one-deletion neighbours.
   */
  private readonly postings: Record<Kind, Map<string, Int32Array>> = {
    t: new Map(),
    p: new Map(),
    g: new Map(),
    i: new Map(),
    s: new Map(),
    d: new Map(),
  };
  /** Documents (entities) per phonetic key, for IDF. */
  private readonly df = new Map<string, number>();
  private readonly sortedTokens: string[];
  private readonly acc: Float32Array;
  /** Per entity, the last query key that voted for it through deletion neighbours (one vote per key). */
  private readonly stamp: Int32Array;
  private stampNo = 0;
  private readonly compatCache = new Map<string, Set<string>>();

  private constructor(entities: Prepared[]) {
    this.entities = entities;
    this.acc = new Float32Array(entities.length);
    this.stamp = new Int32Array(entities.length);
    const lists: Record<Kind, Map<string, number[]>> = {
      t: new Map(),
      p: new Map(),
      g: new Map(),
      i: new Map(),
      s: new Map(),
      d: new Map(),
    };
    const add = (kind: Kind, key: string, idx: number): void => {
      let list = lists[kind].get(key);
      if (!list) lists[kind].set(key, (list = []));
      if (list[list.length - 1] !== idx) list.push(idx);
    };
    entities.forEach((e, idx) => {
      this.byId.set(e.id, idx);
      const seenKeys = new Set<string>();
      for (const form of [...e.names, ...e.weakNames]) {
        for (let i = 0; i < form.tokens.length; i++) {
          add('t', form.tokens[i]!, idx);
          add('p', form.phonetic[i]!, idx);
          seenKeys.add(form.phonetic[i]!);
        }
        for (const g of new Set(trigrams(form.compact))) add('g', g, idx);
        for (const k of form.phonetic) for (const d of deletionKeys(k)) add('d', d, idx);
        if (form.tokens.length > 1) for (const d of deletionKeys(form.compact)) add('d', d, idx);
        for (const sk of form.skTokens) if (sk.length >= 2) add('s', sk, idx);
        // Adjacent words joined, for abjad queries that write a compound as one word (عبدالجبار / Abdul Jabbar).
        for (let i = 0; i + 1 < form.skTokens.length; i++) {
          const two = joinSkeletons(form.skTokens[i]!, form.skTokens[i + 1]!);
          if (two.length >= 4) add('s', two, idx);
        }
      }
      for (const a of e.acronyms) add('t', a.key, idx);
      for (const k of seenKeys) this.df.set(k, (this.df.get(k) ?? 0) + 1);
      for (const k of identifierKeys(e)) add('i', k, idx);
    });
    for (const kind of ['t', 'p', 'g', 'i', 's', 'd'] as const) {
      for (const [k, v] of lists[kind]) this.postings[kind].set(k, Int32Array.from(v));
    }
    this.sortedTokens = [...lists.t.keys()].sort();
    for (const e of entities) for (const form of [...e.names, ...e.weakNames]) this.applyIdf(form);
  }

  static build(entities: Iterable<EntityLike>): ScreeningIndex {
    const model = schemaModel();
    const prepared: Prepared[] = [];
    for (const e of entities) {
      if (!model.has(e.schema) || !model.get(e.schema).matchable) continue;
      const p = prepare(e);
      if (p.names.length === 0 && identifierKeys(p).length === 0) continue;
      prepared.push(p);
    }
    return new ScreeningIndex(prepared);
  }

  get size(): number {
    return this.entities.length;
  }

  get(id: string): Prepared | undefined {
    const idx = this.byId.get(id);
    return idx === undefined ? undefined : this.entities[idx];
  }

  /** Weight of a phonetic key by rarity: 1 for rare keys, down to 0.25 for the most common. */
  idfWeight(key: string): number {
    const n = this.entities.length;
    if (n < 50) return 1;
    const df = this.df.get(key) ?? 0;
    const idf = Math.log((n + 1) / (df + 1));
    return Math.min(1, Math.max(0.25, idf / Math.log(n / 5)));
  }

  private applyIdf(form: NameForm): void {
    for (let i = 0; i < form.tokens.length; i++) form.weights[i] = form.base[i]! * this.idfWeight(form.phonetic[i]!);
  }

  /** Prepare a query with this index's token weights. */
  prepareQuery(query: EntityLike): Prepared {
    const p = prepare(query);
    for (const form of [...p.names, ...p.weakNames]) this.applyIdf(form);
    return p;
  }

  /** Schemata of indexed entities a query of `schema` may match: descendants and ancestors (Person ↔ LegalEntity). */
  compatibleSchemata(schema: string): Set<string> {
    let set = this.compatCache.get(schema);
    if (set) return set;
    const model = schemaModel();
    set = new Set();
    const q = model.has(schema) ? model.get(schema) : undefined;
    for (const name of new Set(this.entities.map((e) => e.schema))) {
      if (!q || !model.has(name)) continue;
      const c = model.get(name);
      if (c.isA(schema) || q.isA(name)) set.add(name);
    }
    this.compatCache.set(schema, set);
    return set;
  }

  /** Rank entity indices for a prepared query by posting-list votes (no full scoring). */
  candidates(q: Prepared, max: number, filter?: (e: Prepared) => boolean): number[] {
    const acc = this.acc;
    const touched: number[] = [];
    const vote = (kind: Kind, key: string, weight: number, maxLen = Number.POSITIVE_INFINITY): void => {
      const list = this.postings[kind].get(key);
      if (!list || list.length > maxLen) return;
      for (let k = 0; k < list.length; k++) {
        const idx = list[k]!;
        if (acc[idx] === 0) touched.push(idx);
        acc[idx] = (acc[idx] as number) + weight;
      }
    };
    // Once per entity for a stamp `no`, however many of the key's neighbours (or prefixed words) it carries.
    const voteOnce = (list: Int32Array, weight: number, no: number): void => {
      for (let k = 0; k < list.length; k++) {
        const idx = list[k]!;
        if (this.stamp[idx] === no) continue;
        this.stamp[idx] = no;
        if (acc[idx] === 0) touched.push(idx);
        acc[idx] = (acc[idx] as number) + weight;
      }
    };
    for (const key of identifierKeys(q)) vote('i', key, IDENTIFIER_VOTE);
    // The query's initials find an entry named by its acronym (and a one-word query finds acronyms, as a token).
    for (const a of q.acronyms) vote('t', a.key, TOKEN_VOTE);
    const gramMax = Math.max(50, this.entities.length * GRAM_MAX_SHARE);
    const tokenMax = Math.max(200, this.entities.length * TOKEN_MAX_SHARE);
    const originals = new Set<string>();
    for (const form of [...q.names, ...q.weakNames]) {
      // A LegalEntity/Thing query carries a person and an organisation normalisation of the same name: one votes.
      if (originals.has(form.original)) continue;
      originals.add(form.original);
      const seen = new Set<string>();
      // Organisation types and symbols ("llc", "co") and very common words vote only when nothing else does.
      let rare = 0;
      for (let i = 0; i < form.tokens.length; i++) {
        if (form.base[i]! >= 0.9 && (this.postings.p.get(form.phonetic[i]!)?.length ?? 0) <= tokenMax) rare++;
      }
      for (let i = 0; i < form.tokens.length; i++) {
        if (rare > 0 && form.base[i]! < 0.9) continue;
        const w = this.idfWeight(form.phonetic[i]!);
        const max = rare > 0 ? tokenMax : Number.POSITIVE_INFINITY;
        if (!seen.has(form.tokens[i]!)) vote('t', form.tokens[i]!, TOKEN_VOTE * w, max);
        if (!seen.has(form.phonetic[i]!)) vote('p', form.phonetic[i]!, PHONETIC_VOTE * w, max);
        seen.add(form.tokens[i]!);
        seen.add(form.phonetic[i]!);
      }
      for (const g of new Set(trigrams(form.compact))) vote('g', g, GRAM_VOTE, gramMax);
      // Spellings within about one edit of an indexed word or of a whole joined name: one vote per query key
      // and entity, however many neighbours they share.
      const keys = form.tokens.length > 1 ? [...form.phonetic, form.compact] : form.phonetic;
      for (let i = 0; i < keys.length; i++) {
        // A word the index already knows well enough has its candidates from its own key; neighbours are for
        // spellings seen rarely or never (they also touch far fewer entities that way).
        if ((this.postings.d.get(keys[i]!)?.length ?? 0) >= DELETION_KNOWN) continue;
        const ds = deletionKeys(keys[i]!);
        if (ds.length === 0) continue;
        const w = DELETION_VOTE * (i < form.phonetic.length ? this.idfWeight(keys[i]!) : 1);
        const no = ++this.stampNo;
        for (const d of ds) {
          const list = this.postings.d.get(d);
          if (list && list.length <= tokenMax) voteOnce(list, w, no);
        }
      }
      // A rare or unknown word of four letters or more may abbreviate longer indexed words ("Shaf" for "Shafee",
      // PREFIX_SIMILARITY in the scoring): the entities of up to PREFIX_TOKENS such words get a vote.
      for (let i = 0; i < form.tokens.length; i++) {
        const t = form.tokens[i]!;
        if (t.length < 4 || form.base[i]! < 0.9 || (this.postings.t.get(t)?.length ?? 0) >= DELETION_KNOWN) continue;
        const w = PREFIX_VOTE * this.idfWeight(form.phonetic[i]!);
        const no = ++this.stampNo;
        const from = this.firstTokenFrom(t);
        const end = Math.min(this.sortedTokens.length, from + PREFIX_TOKENS);
        for (let k = from; k < end && this.sortedTokens[k]!.startsWith(t); k++) {
          const list = this.postings.t.get(this.sortedTokens[k]!)!;
          if (list.length <= tokenMax) voteOnce(list, w, no);
        }
      }
      // Abjad-script names (no short vowels written) meet their Latin spellings through word skeletons.
      if (form.abjad) {
        const keys = new Set(form.skTokens);
        // Compound names split in Arabic script but written as one Latin word (مطيع الله / Matiullah).
        const sk = form.skTokens;
        for (let i = 0; i + 1 < sk.length; i++) {
          const two = joinSkeletons(sk[i]!, sk[i + 1]!);
          keys.add(two);
          if (i + 2 < sk.length) keys.add(joinSkeletons(two, sk[i + 2]!));
        }
        for (const k of keys) if (k.length >= 2) vote('s', k, SKELETON_VOTE, tokenMax);
      }
    }
    // Keep only candidates with a fair share of the best vote before sorting (touched lists can be long).
    let top = 0;
    for (const idx of touched) if (acc[idx]! > top) top = acc[idx]!;
    const floor = touched.length > max * 4 ? top * 0.2 : 0;
    const ranked: number[] = [];
    for (const idx of touched) if (acc[idx]! >= floor && (!filter || filter(this.entities[idx]!))) ranked.push(idx);
    ranked.sort((a, b) => acc[b]! - acc[a]!);
    for (const idx of touched) acc[idx] = 0;
    return ranked.length > max ? ranked.slice(0, max) : ranked;
  }

  /** Match one FtM-shaped query: candidates, full scores with explanations, best first. */
  match(query: EntityLike, opts: MatchOptions = {}): MatchResult[] {
    const q = this.prepareQuery(query);
    return this.matchPrepared(q, opts);
  }

  matchPrepared(q: Prepared, opts: MatchOptions = {}): MatchResult[] {
    const limit = opts.limit ?? 5;
    const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
    const table = featureTable(opts.weights);
    const compatible = this.compatibleSchemata(q.schema);
    // Either spelling of a dataset name (`un_sc` or `un_sc_sanctions`) selects it.
    const dataset = opts.dataset && !ALL_DATASETS.has(opts.dataset) ? datasetAliases(opts.dataset) : undefined;
    const filter = (e: Prepared): boolean =>
      compatible.has(e.schema) && (dataset === undefined || dataset.some((d) => e.datasets.includes(d)));
    // Abjad-script queries vote through coarse word skeletons: look at more candidates.
    const abjad = q.names.some((n) => n.abjad);
    const ranked = this.candidates(q, opts.candidates ?? Math.max(abjad ? 40 : 15, 3 * limit), filter);
    // Rank by score alone, then explain only the results returned.
    const scored: Array<[number, number]> = [];
    for (const idx of ranked) {
      const v = scoreValue(q, this.entities[idx]!, table);
      if (v > 0 && v >= (opts.cutoff ?? 0)) scored.push([v, idx]);
    }
    scored.sort((a, b) => b[0] - a[0] || (this.entities[a[1]]!.id < this.entities[b[1]]!.id ? -1 : 1));
    const results: MatchResult[] = [];
    for (const [, idx] of scored.slice(0, limit)) {
      const e = this.entities[idx]!;
      const s = scoreCandidate(q, e, threshold, table);
      results.push({
        id: e.id,
        schema: e.schema,
        caption: e.caption,
        score: s.score,
        match: s.match,
        datasets: e.datasets,
        features: s.features,
        explanations: s.explanations,
        properties: e.properties,
      });
    }
    results.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return results.slice(0, limit);
  }

  /** Index in sortedTokens of the first token ≥ `token` (binary search). */
  private firstTokenFrom(token: string): number {
    let lo = 0;
    let hi = this.sortedTokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortedTokens[mid]! < token) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Entities whose name tokens start with `prefix` (for auto-complete), most name-like first. */
  suggest(prefix: string, limit: number, schema?: string): Prepared[] {
    const q = this.prepareQuery({ id: 'suggest', schema: schema ?? 'LegalEntity', properties: { name: [prefix] } });
    const form = q.names[0];
    if (!form) return [];
    const last = form.tokens[form.tokens.length - 1]!;
    const ids = new Set<number>();
    const lo = this.firstTokenFrom(last);
    for (let i = lo; i < this.sortedTokens.length && this.sortedTokens[i]!.startsWith(last) && ids.size < 2000; i++) {
      for (const idx of this.postings.t.get(this.sortedTokens[i]!) ?? []) ids.add(idx);
    }
    const compatible = schema ? this.compatibleSchemata(schema) : undefined;
    const out: Array<[number, Prepared]> = [];
    for (const idx of ids) {
      const e = this.entities[idx]!;
      if (compatible && !compatible.has(e.schema)) continue;
      const s = scoreCandidate(q, e).features.name_similarity ?? 0;
      out.push([s, e]);
    }
    out.sort((a, b) => b[0] - a[0]);
    return out.slice(0, limit).map(([, e]) => e);
  }
}
