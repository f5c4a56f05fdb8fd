/** Benchmark rows for the unit tests. */
import type { BenchmarkRow, Stat } from '../../api/types';

const stat = (median: number, min = median, max = median): Stat => ({ median, min, max });

/** A row whose metrics follow alpha (TPR = 0.5 + alpha, FPR = alpha / 2, SHD = 10 − 10·alpha). */
export function row(id: number, algorithm: [number, string], alpha: number, over: Partial<BenchmarkRow> = {}): BenchmarkRow {
  const tpr = 0.5 + alpha;
  const fpr = alpha / 2;
  return {
    experiment_id: id,
    experiment_name: `${algorithm[1]} alpha=${alpha}`,
    dataset_id: 1,
    algorithm_id: algorithm[0],
    algorithm_name: algorithm[1],
    parameters: { alpha, test: 'g2' },
    point_label: `alpha=${alpha}`,
    results: 1,
    skeleton: { tpr: stat(tpr), fpr: stat(fpr), precision: stat(0.9), recall: stat(tpr), f1: stat(0.8) },
    directed: { tpr: stat(tpr / 2), fpr: stat(fpr), precision: stat(0.5), recall: stat(tpr / 2), f1: stat(0.4) },
    shd: stat(10 - alpha * 10),
    execution_time: stat(0.01 + alpha, 0.01, 0.02 + alpha),
    dataset_loading_time: stat(0.001),
    ci_tests: null,
    ...over,
  };
}

