import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { slugId } from '../model/ids.js';
import { type MatchResult, ScreeningIndex } from './index.js';
import type { EntityLike, Prepared } from './prepare.js';
import { DEFAULT_THRESHOLD, scoreCandidate } from './score.js';
import { levenshtein } from './strings.js';

/**
 * Matcher evaluation built from the lists themselves (no hand labels):
 *
 * - **Alias hold-out** (per list): for every entity with an alias, the first alias is removed from the index and
 *   used as the query; a hit is the entity ranked first (recall@1). Each list is indexed on its own, so the same
 *   person designated by two lists never counts against us.
 * - **Cross-list romanization** (DPRK): the UK and EU renderings of DPRK entries carry the UN reference number;
 *   each of their names (Latin spellings and Hangul) queries an index of the UN list, and the hit is the UN entry
 *   with that reference (recall@1).
 * - **Pairs** at the default threshold: positives are (held-out alias, its entity) and (UK/EU name, UN entry);
 *   negatives are, for each query, the best-ranked other entity of the same list (a hard negative) and one other
 *   entity of the same schema picked deterministically (an easy negative). Precision, recall and F1 count
 *   `score ≥ threshold` as a predicted match.
 * - **Namesakes**: when another entry carries a name the query is a spelling variant of (by the word test that
 *   picks the alias queries), the query is left out of recall@1 (reported as `ambiguous`, and in `allRecallAt1`)
 *   and that entry is not used as a negative: flagging "SA'ID, Mohamed" for "SAEED, Mohammed" is what a
 *   screening matcher is for.
 */

export interface EvalQuery {
  /** The name queried. */
  name: string;
  schema: string;
  /** The entity that should come first. */
  targetId: string;
  group: string;
}

export interface PairOutcome {
  positive: boolean;
  score: number;
  group: string;
  query: string;
  candidateId: string;
}

export interface EvalReport {
  /**
   * Per group: queries counted, hits at rank 1, recall@1, and the namesake queries left out of recall@1 because
   * another entry carries a name the query is a spelling variant of (VariantOwners): no name matcher can rank
   * those by name alone. `allRecallAt1` counts every query, namesakes included.
   */
  groups: Record<
    string,
    { queries: number; hits: number; recallAt1: number; ambiguous: number; ambiguousHits: number; allRecallAt1: number }
  >;
  /** Other entries with a name the query is a variant of (namesakes), skipped as hard negatives. */
  namesakes: number;
  pairs: {
    positives: number;
    negatives: number;
    tp: number;
    fp: number;
    fn: number;
    precision: number;
    recall: number;
    f1: number;
  };
  threshold: number;
  misses: Array<{ group: string; query: string; target: string; got?: string; score?: number }>;
  falsePositives: Array<{ group: string; query: string; candidate: string; score: number }>;
}

const PARTICLES = new Set([
  'al',
  'el',
  'abu',
  'abou',
  'bin',
  'ibn',
  'bint',
  'ben',
  'the',
  'of',
  'de',
  'la',
  'and',
  'co',
  'ltd',
  'llc',
  'inc',
  'corp',
  'company',
  'corporation',
  'limited',
]);

/** Plain folding for the evaluation's own bookkeeping (independent of the matcher's normalisation). */
function basicTokens(s: string): string[] {
  return (
    s
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      // An apostrophe is inside a word (JA'FARI, Ch'oe), not between two.
      .replace(/['\u2018\u2019\u02bc\u02bb`]/g, '')
      .split(/[^\p{L}\p{N}]+/u)
      .filter((t) => t.length >= 2 && !PARTICLES.has(t) && !LEGAL_FORMS.has(t))
  );
}

function isLatinText(s: string): boolean {
  return !/[^\u0000-\u024f\u1e00-\u1eff\u2000-\u206f]/.test(s);
}

/** Legal-form words the evaluation ignores when it compares names (company forms in the lists' languages). */
const LEGAL_FORMS = new Set([
  'ao',
  'oao',
  'zao',
  'pao',
  'ooo',
  'jsc',
  'pjsc',
  'ojsc',
  'cjsc',
  'sa',
  'sal',
  'sarl',
  'gmbh',
  'ag',
  'bv',
  'nv',
  'plc',
  'pte',
  'pvt',
  'fze',
  'fzco',
  'fzc',
  'srl',
  'spa',
  'cv',
]);

/**
 * Two words are plainly the same word: equal, one a prefix of the other ("Abdi"/"Abdirahman",
 * "Saburi"/"Saburinezhad"), or at most a third of the letters edited ("Mohammed"/"Muhammad", "Hasan"/"Hassan").
 */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a))) return true;
  return levenshtein(a, b) <= Math.floor(Math.max(a.length, b.length) / 3);
}

/**
 * Is `alias` a spelling variant of one of `names` (rather than an unrelated nickname, acronym, former name or a
 * different given name under the same family name)? Written in another script, or: every word of the shorter
 * name is plainly the same word as a distinct word of the longer one (sameWord), and those words make up at
 * least half of the longer name (plain folding; particles such as al/bin/co and legal forms such as LLC/AO
 * ignored). "YANG, Daisy" is not a variant of "YANG, Qi" (Daisy has no counterpart); "SABURI, Hasan" is one of
 * "SABURINEZHAD, Hasan". This is bookkeeping on the data, not the matcher: it never looks at phonetics.
 */
export function isVariantAlias(alias: string, names: string[]): boolean {
  if (isLatinText(alias) !== names.some(isLatinText)) return true;
  const a = uniqueBasicTokens(alias);
  return names.some((n) => variantStrength(a, uniqueBasicTokens(n)) > 0);
}

function uniqueBasicTokens(name: string): string[] {
  return [...new Set(basicTokens(name))];
}

/**
 * How plainly two names (distinct plain-folded words) are the same name: 0 when they fail the word test of
 * isVariantAlias; otherwise the share of the longer name's words paired (0.5..1), plus 1 when every word on
 * both sides is paired (the same words, spelled differently), plus 1 more when they are the same words.
 */
function variantStrength(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const used = new Uint8Array(long.length);
  let paired = 0;
  let exact = 0;
  for (const t of short) {
    // Prefer an exact counterpart, then any plain variant.
    let j = long.findIndex((u, k) => !used[k] && u === t);
    if (j >= 0) exact++;
    else j = long.findIndex((u, k) => !used[k] && sameWord(t, u));
    if (j < 0) return 0;
    used[j] = 1;
    paired++;
  }
  if (paired < long.length / 2) return 0;
  const all = paired === long.length;
  return paired / long.length + (all ? 1 : 0) + (all && exact === paired ? 1 : 0);
}

/**
 * Namesakes of a query, independent of the matcher: entries other than the query's own whose names the query is
 * at least as plainly a variant of (variantStrength, same script) as it is of its own entry's names. "CASTLE
 * HOLDINGS" (held out from "CASTLE INVESTMENT HOLDING") names "CASTLE HOLDING GMBH" at least as plainly;
 * "YAHYA, Abu" is as much "AL-LIBI, Abu Yahya" as "AL-IRAQI, Abu Yahya". By name alone no matcher can rank the
 * query's entry first, and flagging the namesake is what screening is for. Every entry of the index is checked.
 */
class VariantOwners {
  private readonly ids: string[] = [];
  private readonly tokens: string[][] = [];
  private readonly latin: boolean[] = [];

  constructor(entities: Prepared[]) {
    for (const e of entities) {
      const p = e.properties;
      for (const n of [...(p.name ?? []), ...(p.alias ?? []), ...(p.weakAlias ?? [])]) {
        const t = uniqueBasicTokens(n);
        if (t.length === 0) continue;
        this.ids.push(e.id);
        this.tokens.push(t);
        this.latin.push(isLatinText(n));
      }
    }
  }

  /** Entries other than `self` that are namesakes of the query `name`. */
  others(name: string, self: string): Set<string> {
    const q = uniqueBasicTokens(name);
    const latin = isLatinText(name);
    const strength = new Map<string, number>();
    let own = 0;
    for (let i = 0; i < this.ids.length; i++) {
      if (this.latin[i] !== latin) continue;
      const v = variantStrength(q, this.tokens[i]!);
      if (v === 0) continue;
      const id = this.ids[i]!;
      if (id === self) own = Math.max(own, v);
      else strength.set(id, Math.max(strength.get(id) ?? 0, v));
    }
    const out = new Set<string>();
    for (const [id, v] of strength) if (v >= own) out.add(id);
    return out;
  }
}

/**
 * Remove one alias of every entity that has one and use it as a query. `variants` picks the first alias that is
 * a spelling variant (isVariantAlias) and skips entities without one; `all` picks the first alias whatever it is.
 */
export function holdOutAliases(
  entities: EntityLike[],
  group: string,
  mode: 'variants' | 'all' = 'variants',
): { indexed: EntityLike[]; queries: EvalQuery[] } {
  const indexed: EntityLike[] = [];
  const queries: EvalQuery[] = [];
  for (const e of entities) {
    const props = e.properties instanceof Map ? Object.fromEntries(e.properties) : { ...e.properties };
    const aliases = props.alias ?? [];
    const names = props.name ?? [];
    const held = aliases.find(
      (a) => !names.includes(a) && a.trim() !== '' && (mode === 'all' || isVariantAlias(a, names)),
    );
    if (held && names.length > 0) {
      queries.push({ name: held, schema: e.schema, targetId: e.id, group });
      props.alias = aliases.filter((a) => a !== held);
    }
    indexed.push({ ...e, properties: props });
  }
  return { indexed, queries };
}

/** Deterministic "random" pick: a hash of the query picks another entity of the same schema. */
function easyNegative(index: ScreeningIndex, q: EvalQuery, bySchema: Map<string, Prepared[]>): Prepared | undefined {
  const pool = bySchema.get(q.schema) ?? [];
  if (pool.length < 2) return undefined;
  let h = 2166136261;
  for (let i = 0; i < q.name.length; i++) h = Math.imul(h ^ q.name.charCodeAt(i), 16777619);
  for (let k = 0; k < 5; k++) {
    const pick = pool[Math.abs(h + k * 7919) % pool.length]!;
    if (pick.id !== q.targetId) return pick;
  }
  void index;
  return undefined;
}

/** Run queries against one index; collect recall@1 and the pair outcomes. */
export function runQueries(index: ScreeningIndex, queries: EvalQuery[], threshold = DEFAULT_THRESHOLD) {
  const bySchema = new Map<string, Prepared[]>();
  for (const e of index.entities) {
    const list = bySchema.get(e.schema) ?? [];
    list.push(e);
    bySchema.set(e.schema, list);
  }
  const pairs: PairOutcome[] = [];
  let namesakes = 0;
  const outcomes: Array<{
    q: EvalQuery;
    hit: boolean;
    ambiguous: boolean;
    top?: MatchResult;
    targetScore: number;
  }> = [];
  // Which entries carry a name the query is a variant of, to tell a namesake query from a miss.
  const owners = new VariantOwners(index.entities);
  for (const q of queries) {
    const query = index.prepareQuery({ id: 'eval', schema: q.schema, properties: { name: [q.name] } });
    const results = index.matchPrepared(query, { limit: 10, threshold });
    const top = results[0];
    const target = index.get(q.targetId);
    const targetScore = target ? scoreCandidate(query, target, threshold).score : 0;
    const namesakeIds = owners.others(q.name, q.targetId);
    outcomes.push({ q, hit: top?.id === q.targetId, ambiguous: namesakeIds.size > 0, top, targetScore });
    pairs.push({ positive: true, score: targetScore, group: q.group, query: q.name, candidateId: q.targetId });
    // A different entry with a name the query is a spelling variant of is a namesake, which a name matcher must
    // flag: it is no negative. The next best other entry is used instead.
    const hard = results.find((r) => {
      if (r.id === q.targetId) return false;
      if (namesakeIds.has(r.id)) {
        namesakes++;
        return false;
      }
      return true;
    });
    if (hard) pairs.push({ positive: false, score: hard.score, group: q.group, query: q.name, candidateId: hard.id });
    const easy = easyNegative(index, q, bySchema);
    if (easy && !namesakeIds.has(easy.id)) {
      const score = scoreCandidate(query, easy, threshold).score;
      pairs.push({ positive: false, score, group: q.group, query: q.name, candidateId: easy.id });
    }
  }
  return { outcomes, pairs, namesakes };
}

export function summarise(
  runs: Array<ReturnType<typeof runQueries>>,
  threshold = DEFAULT_THRESHOLD,
  maxExamples = 30,
): EvalReport {
  const groups: EvalReport['groups'] = {};
  const misses: EvalReport['misses'] = [];
  const falsePositives: EvalReport['falsePositives'] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let positives = 0;
  let negatives = 0;
  let namesakes = 0;
  for (const run of runs) {
    namesakes += run.namesakes;
    for (const o of run.outcomes) {
      const g = (groups[o.q.group] ??= {
        queries: 0,
        hits: 0,
        recallAt1: 0,
        ambiguous: 0,
        ambiguousHits: 0,
        allRecallAt1: 0,
      });
      if (o.ambiguous) {
        g.ambiguous++;
        if (o.hit) g.ambiguousHits++;
        continue;
      }
      g.queries++;
      if (o.hit) g.hits++;
      else if (misses.length < maxExamples) {
        misses.push({
          group: o.q.group,
          query: o.q.name,
          target: o.q.targetId,
          got: o.top?.caption,
          score: o.top?.score,
        });
      }
    }
    for (const p of run.pairs) {
      const predicted = p.score >= threshold;
      if (p.positive) {
        positives++;
        if (predicted) tp++;
        else fn++;
      } else {
        negatives++;
        if (predicted) {
          fp++;
          if (falsePositives.length < maxExamples) {
            falsePositives.push({ group: p.group, query: p.query, candidate: p.candidateId, score: p.score });
          }
        }
      }
    }
  }
  for (const g of Object.values(groups)) {
    g.recallAt1 = g.queries > 0 ? g.hits / g.queries : 0;
    const all = g.queries + g.ambiguous;
    g.allRecallAt1 = all > 0 ? (g.hits + g.ambiguousHits) / all : 0;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    groups,
    pairs: { positives, negatives, tp, fp, fn, precision, recall, f1 },
    threshold,
    namesakes,
    misses,
    falsePositives,
  };
}

// ---- EU and UK DPRK renderings (read directly: they carry Hangul names and UN reference numbers) -------------

export interface CrossListName {
  unId: string;
  name: string;
  source: 'uk' | 'eu';
  schema: string;
}

/** Names of UK OFSI DPRK entries that carry a UN reference number (name1..name6 joined, non-Latin names). */
export function ukCrossListNames(file: string): CrossListName[] {
  const out: CrossListName[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const d = doc.toJS() as {
      un_reference_number?: string;
      individual_entity_ship?: string;
      names?: { names?: Array<Record<string, string>> };
      non_latin_names?: { names?: Array<{ name_non_latin_script?: string }> };
    } | null;
    if (!d?.un_reference_number) continue;
    const unId = slugId('un', d.un_reference_number.trim());
    const schema =
      d.individual_entity_ship === 'Individual'
        ? 'Person'
        : d.individual_entity_ship === 'Ship'
          ? 'Vessel'
          : 'Organization';
    for (const n of d.names?.names ?? []) {
      const parts = ['name1', 'name2', 'name3', 'name4', 'name5', 'name6']
        .map((k) => n[k])
        .filter((v): v is string => !!v);
      if (parts.length > 0) out.push({ unId, name: parts.join(' '), source: 'uk', schema });
    }
    for (const n of d.non_latin_names?.names ?? []) {
      if (n.name_non_latin_script) out.push({ unId, name: n.name_non_latin_script, source: 'uk', schema });
    }
  }
  return out;
}

/** Names (every language, Hangul included) of EU DPRK entries that carry a UN id. */
export function euCrossListNames(file: string): CrossListName[] {
  const out: CrossListName[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const d = doc.toJS() as {
      united_nation_id?: string;
      subject_type?: { code?: string };
      name_aliases?: Array<{ whole_name?: string }>;
    } | null;
    if (!d?.united_nation_id) continue;
    const unId = slugId('un', d.united_nation_id.trim());
    const schema = d.subject_type?.code === 'person' ? 'Person' : 'Organization';
    for (const a of d.name_aliases ?? [])
      if (a.whole_name?.trim()) out.push({ unId, name: a.whole_name, source: 'eu', schema });
  }
  return out;
}

/** Cross-list queries whose UN entry is in the index. */
export function crossListQueries(index: ScreeningIndex, names: CrossListName[]): EvalQuery[] {
  const seen = new Set<string>();
  const out: EvalQuery[] = [];
  for (const n of names) {
    if (!index.get(n.unId)) continue;
    const key = `${n.unId}\u0000${n.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: n.name, schema: n.schema, targetId: n.unId, group: `dprk-cross-list-${n.source}` });
  }
  return out;
}

/** Format a report as Markdown table rows (used by the benchmark). */
export function reportMarkdown(r: EvalReport): string {
  const lines = [
    '| evaluation | queries | recall@1 | namesake queries (left out) | recall@1 with the namesake queries |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [name, g] of Object.entries(r.groups))
    lines.push(
      `| ${name} | ${g.queries} | ${g.recallAt1.toFixed(3)} | ${g.ambiguous} | ${g.allRecallAt1.toFixed(3)} (${g.hits + g.ambiguousHits}/${g.queries + g.ambiguous}) |`,
    );
  lines.push('');
  lines.push(
    `Pairs at threshold ${r.threshold.toFixed(2)}: ${r.pairs.positives} positives, ${r.pairs.negatives} negatives.`,
  );
  lines.push('');
  lines.push('| precision | recall | F1 | TP | FP | FN |', '|---:|---:|---:|---:|---:|---:|');
  lines.push(
    `| ${r.pairs.precision.toFixed(3)} | ${r.pairs.recall.toFixed(3)} | ${r.pairs.f1.toFixed(3)} | ${r.pairs.tp} | ${r.pairs.fp} | ${r.pairs.fn} |`,
  );
  return lines.join('\n');
}

export { ScreeningIndex };
