import { readFileSync } from 'node:fs';
import type { ScreeningIndex } from './index.js';
import { prepare } from './prepare.js';
import { DEFAULT_THRESHOLD, scoreCandidate } from './score.js';

/**
 * Evaluation on labelled name pairs (test/fixtures/screening/pairs/pairs.csv, built by make-pairs.ts from public
 * sources): each pair is scored as `screen pairs` scores it (both names prepared the same way, every feature of the
 * schema) and counted as a predicted match at `score ≥ threshold`. Reported per set and split (dev is for tuning,
 * test is only read for the report).
 */

export interface LabelledPair {
  set: string;
  split: 'dev' | 'test';
  schema: string;
  name1: string;
  name2: string;
  label: boolean;
}

export interface PairCounts {
  pairs: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface ScoredPair extends LabelledPair {
  score: number;
}

/** Split one CSV line (RFC 4180 quotes; the pair files hold no line breaks inside fields). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Read a pair file with the columns set, split, schema, name1, name2, label (others ignored). */
export function loadPairs(file: string): LabelledPair[] {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const header = fields(lines[0]!);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}:1: no "${name}" column`);
    return i;
  };
  const [cs, csp, csc, c1, c2, cl] = ['set', 'split', 'schema', 'name1', 'name2', 'label'].map(col) as number[];
  return lines.slice(1).map((l, i) => {
    const f = fields(l);
    const split = f[csp!];
    if (split !== 'dev' && split !== 'test') throw new Error(`${file}:${i + 2}: split must be dev or test`);
    return {
      set: f[cs!]!,
      split,
      schema: f[csc!]!,
      name1: f[c1!]!,
      name2: f[c2!]!,
      label: f[cl!] === '1',
    };
  });
}

/** Score every pair (with an index: its token rarity weights, as `screen pairs` does when lists are loaded). */
export function scorePairs(pairs: LabelledPair[], index?: ScreeningIndex): ScoredPair[] {
  return pairs.map((p) => {
    const prep = (id: string, name: string) => {
      const e = { id, schema: p.schema, properties: { name: [name] } };
      return index ? index.prepareQuery(e) : prepare(e);
    };
    return { ...p, score: scoreCandidate(prep('a', p.name1), prep('b', p.name2)).score };
  });
}

export function countPairs(scored: ScoredPair[], threshold = DEFAULT_THRESHOLD): PairCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const p of scored) {
    const predicted = p.score >= threshold;
    if (p.label && predicted) tp++;
    else if (p.label) fn++;
    else if (predicted) fp++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { pairs: scored.length, tp, fp, fn, tn, precision, recall, f1 };
}

/** Markdown table: one row per set and split, then the totals per split. */
export function pairReportMarkdown(scored: ScoredPair[], threshold = DEFAULT_THRESHOLD): string {
  const lines = [
    '| pair set | split | pairs (pos/neg) | precision | recall | F1 | FP | FN |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const sets = [...new Set(scored.map((p) => p.set))].sort();
  const row = (name: string, split: string, ps: ScoredPair[]) => {
    const c = countPairs(ps, threshold);
    const pos = ps.filter((p) => p.label).length;
    lines.push(
      `| ${name} | ${split} | ${ps.length} (${pos}/${ps.length - pos}) | ${c.precision.toFixed(3)} | ${c.recall.toFixed(3)} | ${c.f1.toFixed(3)} | ${c.fp} | ${c.fn} |`,
    );
  };
  for (const split of ['dev', 'test'] as const) {
    for (const s of sets)
      row(
        s,
        split,
        scored.filter((p) => p.set === s && p.split === split),
      );
  }
  for (const split of ['dev', 'test'] as const)
    row(
      '**all sets**',
      split,
      scored.filter((p) => p.split === split),
    );
  return lines.join('\n');
}
