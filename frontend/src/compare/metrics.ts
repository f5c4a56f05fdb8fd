/**
 * The comparison metric table and edge classes from `/compare` and `/gtcompare` answers
 * (api.md §6.8–6.9). The candidate is judged against the reference (a ground truth or another
 * result): TP = in both, FP = only in the candidate, FN = only in the reference.
 */
import type { Comparison } from '../api/types';

export type EdgeClass = 'tp' | 'fp' | 'fn';

export interface MetricColumn {
  label: string;
  comparison: Comparison | null | undefined;
}

export interface MetricRow {
  key: string;
  label: string;
  hint: string;
  /** one formatted cell per column; '—' when not available */
  cells: string[];
  /** index of the best column, when "best" is meaningful and unique */
  best?: number;
}

type Getter = (c: Comparison) => number | null;
type Format = (n: number) => string;

const fixed3: Format = (n) => n.toFixed(3);
const integer: Format = (n) => String(Math.round(n));

const count = (k: keyof Comparison['error_types']): Getter => (c) => {
  const t = c.error_types[k];
  return 'edges' in t ? t.edges.length : null;
};
const rate = (k: keyof Comparison['error_types']): Getter => (c) => c.error_types[k]?.rate ?? null;

/** MPCSL writes −1 (and NaN as null) where a Hamming distance could not be computed. */
const hamming = (v: number | null | undefined): number | null => (v == null || v < 0 || Number.isNaN(v) ? null : v);

export function f1(c: Comparison): number | null {
  const p = c.error_types.precision.rate;
  const r = c.error_types.true_positives.rate;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

interface RowSpec {
  key: string;
  label: string;
  hint: string;
  get: Getter;
  format: Format;
  better?: 'higher' | 'lower';
}

const ROWS: RowSpec[] = [
  { key: 'ged', label: 'Graph edit distance', hint: '|FP| + |FN|', get: (c) => c.graph_edit_distance, format: integer, better: 'lower' },
  { key: 'jaccard', label: 'Mean Jaccard coefficient', hint: 'mean over nodes of the successor-set overlap', get: (c) => c.mean_jaccard_coefficient, format: fixed3, better: 'higher' },
  { key: 'precision', label: 'Precision', hint: 'TP / (TP + FP)', get: (c) => c.error_types.precision.rate, format: fixed3, better: 'higher' },
  { key: 'recall', label: 'Recall (TP rate)', hint: 'TP / (TP + FN)', get: rate('true_positives'), format: fixed3, better: 'higher' },
  { key: 'f1', label: 'F1 score', hint: 'harmonic mean of precision and recall', get: f1, format: fixed3, better: 'higher' },
  { key: 'fpr', label: 'False positive rate', hint: 'FP / (FP + TN)', get: rate('false_positives'), format: fixed3, better: 'lower' },
  { key: 'tnr', label: 'True negative rate', hint: '1 − FP rate', get: rate('true_negatives'), format: fixed3, better: 'higher' },
  { key: 'fnr', label: 'False negative rate', hint: 'FN / (FN + TP)', get: rate('false_negatives'), format: fixed3, better: 'lower' },
  { key: 'tp', label: 'True positives', hint: 'edges in both graphs', get: count('true_positives'), format: integer },
  { key: 'fp', label: 'False positives', hint: 'edges only in the candidate', get: count('false_positives'), format: integer },
  { key: 'fn', label: 'False negatives', hint: 'edges only in the reference', get: count('false_negatives'), format: integer },
  { key: 'tn', label: 'True negatives', hint: 'pairs without an edge in either', get: count('true_negatives'), format: integer },
  { key: 'shd', label: 'Hamming distance', hint: 'share of adjacency cells that differ', get: (c) => hamming(c.hamming_distance), format: fixed3, better: 'lower' },
  { key: 'shd_cpdag', label: 'Hamming distance (CPDAG)', hint: 'against the completed reference; — when the reference is not a DAG', get: (c) => hamming(c.hamming_distance_pcdag), format: fixed3, better: 'lower' },
];

/**
 * One row per metric, one cell per column. With `markBest` (columns are different candidates
 * judged against the same reference) the better value of each row is marked.
 */
export function metricRows(columns: MetricColumn[], markBest = false): MetricRow[] {
  return ROWS.map((spec) => {
    const values = columns.map(({ comparison }) => (comparison ? spec.get(comparison) : null));
    const cells = values.map((v) => (v == null || !Number.isFinite(v) ? '—' : spec.format(v)));
    const row: MetricRow = { key: spec.key, label: spec.label, hint: spec.hint, cells };
    const present = values.map((v, i) => [v, i] as const).filter(([v]) => v != null && Number.isFinite(v)) as [number, number][];
    if (markBest && spec.better && present.length > 1) {
      const target = spec.better === 'higher' ? Math.max(...present.map(([v]) => v)) : Math.min(...present.map(([v]) => v));
      const winners = present.filter(([v]) => v === target);
      if (winners.length === 1) row.best = winners[0][1];
    }
    return row;
  });
}

export const edgeKey = (from: number, to: number) => `${from}->${to}`;

/** TP/FP/FN class of every edge drawn in a comparison (true negatives are not edges). */
export function classifyEdges(c: Comparison): Map<string, EdgeClass> {
  const classes = new Map<string, EdgeClass>();
  for (const [from, to] of c.error_types.true_positives.edges) classes.set(edgeKey(from, to), 'tp');
  for (const [from, to] of c.error_types.false_positives.edges) classes.set(edgeKey(from, to), 'fp');
  for (const [from, to] of c.error_types.false_negatives.edges) classes.set(edgeKey(from, to), 'fn');
  return classes;
}

export const EDGE_CLASS_LABEL: Record<EdgeClass, string> = {
  tp: 'true positive',
  fp: 'false positive',
  fn: 'false negative (missing)',
};
