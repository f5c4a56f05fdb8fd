import { describe, expect, it } from 'vitest';
import type { Comparison } from '../api/types';
import { classifyEdges, f1, metricRows } from './metrics';

// api.md §6.9's worked example: result 1→2, 2→1, 2→3 against ground truth 1→2, 3→2.
const gt: Comparison = {
  graph_edit_distance: 3,
  mean_jaccard_coefficient: 1 / 3,
  error_types: {
    false_positives: { rate: 0.5, edges: [[2, 1], [2, 3]] },
    true_negatives: { rate: 0.5, edges: [[1, 3], [3, 1]] },
    false_negatives: { rate: 0.5, edges: [[3, 2]] },
    true_positives: { rate: 0.5, edges: [[1, 2]] },
    precision: { rate: 1 / 3 },
  },
  hamming_distance: 0.5,
  hamming_distance_pcdag: 0.5,
  shd_cpdag: 0,
  skeleton: { true_positives: 0, false_positives: 0, false_negatives: 0 },
  oriented: { true_positives: 0, false_positives: 0, false_negatives: 0 },
};

// api.md §6.8's worked example: a graph against itself (reference has a cycle → pcdag −1).
const same: Comparison = {
  graph_edit_distance: 0,
  mean_jaccard_coefficient: 1,
  error_types: {
    false_positives: { rate: 0, edges: [] },
    true_negatives: { rate: 1, edges: [[3, 2], [1, 3], [3, 1]] },
    false_negatives: { rate: 0, edges: [] },
    true_positives: { rate: 1, edges: [[1, 2], [2, 1], [2, 3]] },
    precision: { rate: 1 },
  },
  hamming_distance: 0,
  hamming_distance_pcdag: -1,
  shd_cpdag: 0,
  skeleton: { true_positives: 0, false_positives: 0, false_negatives: 0 },
  oriented: { true_positives: 0, false_positives: 0, false_negatives: 0 },
};

const row = (rows: ReturnType<typeof metricRows>, key: string) => rows.find((r) => r.key === key)!;

describe('metricRows', () => {
  const rows = metricRows(
    [
      { label: 'result 1', comparison: gt },
      { label: 'result 2', comparison: same },
    ],
    true,
  );

  it('formats distances, coefficients and rates', () => {
    expect(row(rows, 'ged').cells).toEqual(['3', '0']);
    expect(row(rows, 'jaccard').cells).toEqual(['0.333', '1.000']);
    expect(row(rows, 'precision').cells).toEqual(['0.333', '1.000']);
    expect(row(rows, 'recall').cells).toEqual(['0.500', '1.000']);
    expect(row(rows, 'fpr').cells).toEqual(['0.500', '0.000']);
    expect(row(rows, 'fnr').cells).toEqual(['0.500', '0.000']);
    expect(row(rows, 'tnr').cells).toEqual(['0.500', '1.000']);
  });

  it('counts the edges of each error type', () => {
    expect(row(rows, 'tp').cells).toEqual(['1', '3']);
    expect(row(rows, 'fp').cells).toEqual(['2', '0']);
    expect(row(rows, 'fn').cells).toEqual(['1', '0']);
    expect(row(rows, 'tn').cells).toEqual(['2', '3']);
  });

  it('shows a dash for Hamming values that could not be computed', () => {
    expect(row(rows, 'shd').cells).toEqual(['0.500', '0.000']);
    expect(row(rows, 'shd_cpdag').cells).toEqual(['0.500', '—']);
    const nan = metricRows([{ label: 'x', comparison: { ...same, hamming_distance: undefined } }]);
    expect(row(nan, 'shd').cells).toEqual(['—']);
  });

  it('shows a dash for a missing comparison (no ground truth)', () => {
    const r = metricRows([{ label: 'gt', comparison: null }, { label: 'other', comparison: gt }]);
    expect(row(r, 'ged').cells).toEqual(['—', '3']);
    expect(row(r, 'ged').best).toBeUndefined();
  });

  it('marks the better column where lower or higher is better', () => {
    expect(row(rows, 'ged').best).toBe(1);
    expect(row(rows, 'precision').best).toBe(1);
    expect(row(rows, 'fpr').best).toBe(1);
    expect(row(rows, 'tp').best).toBeUndefined();
    const tie = metricRows([{ label: 'a', comparison: gt }, { label: 'b', comparison: gt }], true);
    expect(row(tie, 'ged').best).toBeUndefined();
    const unmarked = metricRows([{ label: 'a', comparison: gt }, { label: 'b', comparison: same }]);
    expect(row(unmarked, 'ged').best).toBeUndefined();
  });

  it('computes F1 from precision and recall', () => {
    expect(f1(gt)).toBeCloseTo(0.4, 10);
    expect(row(rows, 'f1').cells).toEqual(['0.400', '1.000']);
    const none = { ...gt, error_types: { ...gt.error_types, precision: { rate: 0 }, true_positives: { rate: 0, edges: [] } } };
    expect(f1(none)).toBe(0);
  });
});

describe('classifyEdges', () => {
  it('classes every drawn edge and leaves true negatives out', () => {
    const classes = classifyEdges(gt);
    expect(Object.fromEntries(classes)).toEqual({ '1->2': 'tp', '2->1': 'fp', '2->3': 'fp', '3->2': 'fn' });
    expect(classes.has('1->3')).toBe(false);
  });
});
