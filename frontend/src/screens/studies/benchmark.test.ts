import { describe, expect, it } from 'vitest';
import type { BenchmarkRow } from '../../api/types';
import { row } from './fixtures';
import { describeRow, latestResultId, nextSort, paramAxis, paramSeries, rateSeries, sortRows } from './benchmark';

const PC: [number, string] = [1, 'causeway · pc'];
const CL: [number, string] = [2, 'causal-learn · pc'];

describe('chart series', () => {
  const rows = [row(1, PC, 0.01), row(2, PC, 0.1), row(3, PC, 0.2), row(4, CL, 0.01), row(5, CL, 0.1, { results: 0 })];

  it('makes one ROC series per algorithm, in the rows’ order, without experiments lacking results', () => {
    const series = rateSeries(rows, 'skeleton', 'fpr', 'tpr');
    expect(series.map((s) => [s.name, s.points.map((p) => p.row.experiment_id)])).toEqual([
      ['causeway · pc', [1, 2, 3]],
      ['causal-learn · pc', [4]],
    ]);
    expect(series[0].points[1]).toMatchObject({ x: 0.05, y: 0.6 });
    expect(series[0].colour).not.toBe(series[1].colour);
    expect(rateSeries(rows, 'directed', 'fpr', 'tpr')[0].points[1].y).toBeCloseTo(0.3);
  });

  it('names the dataset too when the study has several', () => {
    const two = [row(1, PC, 0.01), row(2, PC, 0.01, { dataset_id: 2 })];
    const names = new Map([
      [1, 'earthquake'],
      [2, 'alarm'],
    ]);
    expect(rateSeries(two, 'skeleton', 'fpr', 'tpr', names).map((s) => s.name)).toEqual([
      'causeway · pc · earthquake',
      'causeway · pc · alarm',
    ]);
  });

  it('sorts a statistic by the parameter and keeps the spread over runs', () => {
    const shuffled = [row(3, PC, 0.2), row(1, PC, 0.01), row(2, PC, 0.1)];
    const [s] = paramSeries(shuffled, 'alpha', (r) => r.execution_time);
    expect(s.points.map((p) => p.x)).toEqual([0.01, 0.1, 0.2]);
    expect(s.points[0]).toMatchObject({ y: 0.02, yLow: 0.01, yHigh: 0.03 });
    // 0.01, 0.1, 0.2: even steps at the top, a linear axis spreads them better.
    expect(paramAxis(shuffled, 'alpha')).toEqual({ kind: 'numeric', log: false });
    expect(paramAxis([0.0001, 0.001, 0.01, 0.1].map((a, i) => row(i, PC, a)), 'alpha')).toEqual({ kind: 'numeric', log: true });
  });

  it('leaves out rows whose algorithm does not have the parameter', () => {
    const mixed = [row(1, PC, 0.01), row(2, PC, 0.1), row(3, CL, 0.01, { parameters: { test: 'gsq' } })];
    expect(paramAxis(mixed, 'alpha')).toEqual({ kind: 'numeric', log: false });
    expect(paramSeries(mixed, 'alpha', (r) => r.shd).map((s) => s.name)).toEqual(['causeway · pc']);
  });

  it('puts a text parameter on a categorical axis', () => {
    const rows2 = [row(1, PC, 0.01, { parameters: { test: 'g2' } }), row(2, PC, 0.01, { parameters: { test: 'disCI' } })];
    expect(paramAxis(rows2, 'test')).toEqual({ kind: 'categorical', categories: ['g2', 'disCI'] });
    expect(paramSeries(rows2, 'test', (r) => r.shd)[0].points.map((p) => p.x)).toEqual([0, 1]);
  });

  it('describes a point with its experiment and metrics', () => {
    expect(describeRow(row(2, PC, 0.1), 'skeleton')).toEqual([
      'causeway · pc alpha=0.1',
      'alpha=0.1 · 1 result',
      'TPR 0.6 · FPR 0.05 · precision 0.9 · recall 0.6 · F1 0.8 (skeleton)',
      'SHD 9 · run time 0.110 s',
    ]);
  });
});

describe('table sorting', () => {
  const rows = [row(1, PC, 0.01), row(2, PC, 0.1, { shd: null }), row(3, CL, 0.2), row(4, CL, 0.05)];
  const ids = (r: BenchmarkRow[]) => r.map((x) => x.experiment_id);

  it('keeps the server’s order without a sort', () => {
    expect(ids(sortRows(rows, null, 'skeleton'))).toEqual([1, 2, 3, 4]);
  });

  it('sorts numbers both ways with missing values last', () => {
    expect(ids(sortRows(rows, { key: 'shd', descending: false }, 'skeleton'))).toEqual([3, 4, 1, 2]);
    expect(ids(sortRows(rows, { key: 'shd', descending: true }, 'skeleton'))).toEqual([1, 4, 3, 2]);
  });

  it('sorts text naturally and keeps ties in order', () => {
    expect(ids(sortRows(rows, { key: 'algorithm', descending: false }, 'skeleton'))).toEqual([3, 4, 1, 2]);
    expect(ids(sortRows(rows, { key: 'precision', descending: true }, 'directed'))).toEqual([1, 2, 3, 4]);
  });

  it('cycles ascending, descending, none on header clicks', () => {
    expect(nextSort(null, 'f1')).toEqual({ key: 'f1', descending: false });
    expect(nextSort({ key: 'f1', descending: false }, 'f1')).toEqual({ key: 'f1', descending: true });
    expect(nextSort({ key: 'f1', descending: true }, 'f1')).toBeNull();
    expect(nextSort({ key: 'f1', descending: true }, 'shd')).toEqual({ key: 'shd', descending: false });
  });
});

describe('latestResultId', () => {
  it('takes the newest job with a result', () => {
    expect(latestResultId([{ id: 3, result: { id: 30 } }, { id: 5, result: null }, { id: 4, result: { id: 40 } }])).toBe(40);
    expect(latestResultId([{ id: 1 }])).toBeNull();
  });
});
