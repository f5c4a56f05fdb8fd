/**
 * The benchmark page's model: chart series from the benchmark rows (per algorithm, along the
 * swept parameter), the tooltip text of a point, and the table's sorting.
 */
import type { BenchmarkRow, Scores, Stat } from '../../api/types';
import { formatSeconds } from '../../util/format';
import { isLogSpaced } from './charts/axes';
import { PALETTE } from './charts/scale';

export type MetricSet = 'skeleton' | 'directed';

export interface ChartPoint {
  x: number;
  y: number;
  /** the spread over runs (min–max), when there were several */
  yLow?: number;
  yHigh?: number;
  row: BenchmarkRow;
}

export interface ChartSeries {
  key: string;
  name: string;
  colour: string;
  points: ChartPoint[];
}

/** Series are per algorithm (and dataset, when the study has several). */
export function seriesName(row: BenchmarkRow, datasetNames?: Map<number, string>): string {
  if (!datasetNames || datasetNames.size < 2) return row.algorithm_name;
  return `${row.algorithm_name} · ${datasetNames.get(row.dataset_id) ?? `dataset #${row.dataset_id}`}`;
}

/** Colour per algorithm, in order of first appearance (the same in every chart). */
export function colours(rows: BenchmarkRow[]): Map<number, string> {
  const map = new Map<number, string>();
  for (const r of rows) if (!map.has(r.algorithm_id)) map.set(r.algorithm_id, PALETTE[map.size % PALETTE.length]);
  return map;
}

function group(
  rows: BenchmarkRow[],
  point: (row: BenchmarkRow) => ChartPoint | null,
  datasetNames?: Map<number, string>,
): ChartSeries[] {
  const colour = colours(rows);
  const series = new Map<string, ChartSeries>();
  for (const row of rows) {
    const p = row.results > 0 ? point(row) : null;
    if (!p) continue;
    const name = seriesName(row, datasetNames);
    const key = `${row.algorithm_id}/${datasetNames && datasetNames.size > 1 ? row.dataset_id : ''}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { key, name, colour: colour.get(row.algorithm_id)!, points: [] }));
    s.points.push(p);
  }
  return [...series.values()];
}

const median = (s: Stat | null | undefined): number | null => (s && Number.isFinite(s.median) ? s.median : null);

/**
 * Points of a rate chart (ROC: FPR–TPR; PR: recall–precision), in the rows' order, which is the
 * order of the swept parameter's values: lines connect them along it.
 */
export function rateSeries(
  rows: BenchmarkRow[],
  set: MetricSet,
  x: keyof Scores,
  y: keyof Scores,
  datasetNames?: Map<number, string>,
): ChartSeries[] {
  return group(
    rows,
    (row) => {
      const xs = median(row[set][x]);
      const ys = median(row[set][y]);
      return xs === null || ys === null ? null : { x: xs, y: ys, row };
    },
    datasetNames,
  );
}

export type ParamAxis = { kind: 'numeric'; log: boolean } | { kind: 'categorical'; categories: string[] };

const asNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** How to draw a parameter on the x axis: numbers (log when the grid is log-spaced), else categories. */
export function paramAxis(rows: BenchmarkRow[], param: string): ParamAxis {
  const values = rows.filter((r) => hasParam(r, param)).map((r) => r.parameters[param]);
  if (values.every((v) => asNumber(v) !== null)) return { kind: 'numeric', log: isLogSpaced(values as number[]) };
  return { kind: 'categorical', categories: [...new Set(values.map(paramText))] };
}

/** Whether the row's point sets the parameter (a parameter swept by one algorithm only). */
export const hasParam = (row: BenchmarkRow, param: string) => row.parameters[param] !== undefined && row.parameters[param] !== null;

export const paramText = (v: unknown): string => (v === undefined || v === null ? 'default' : typeof v === 'string' ? v : JSON.stringify(v));

/** A statistic against the swept parameter, each series sorted by the parameter. */
export function paramSeries(
  rows: BenchmarkRow[],
  param: string,
  stat: (row: BenchmarkRow) => Stat | null | undefined,
  datasetNames?: Map<number, string>,
): ChartSeries[] {
  const axis = paramAxis(rows, param);
  const series = group(
    rows.filter((r) => hasParam(r, param)),
    (row) => {
      const s = stat(row);
      const y = median(s);
      if (y === null || !s) return null;
      const v = row.parameters[param];
      const x = axis.kind === 'numeric' ? (v as number) : axis.categories.indexOf(paramText(v));
      return { x, y, row, ...(s.min !== s.max ? { yLow: s.min, yHigh: s.max } : {}) };
    },
    datasetNames,
  );
  for (const s of series) s.points.sort((a, b) => a.x - b.x);
  return series;
}

const fmt = (s: Stat | null | undefined, digits = 3) => {
  const m = median(s);
  return m === null ? '–' : String(Number(m.toPrecision(digits)));
};

/** The tooltip of a point: the experiment, then its metrics. */
export function describeRow(row: BenchmarkRow, set: MetricSet): string[] {
  const m = row[set];
  return [
    row.experiment_name,
    `${row.point_label} · ${row.results} ${row.results === 1 ? 'result' : 'results'}`,
    `TPR ${fmt(m.tpr)} · FPR ${fmt(m.fpr)} · precision ${fmt(m.precision)} · recall ${fmt(m.recall)} · F1 ${fmt(m.f1)} (${set})`,
    `SHD ${fmt(row.shd, 4)} · run time ${formatSeconds(median(row.execution_time))}`,
  ];
}

// --- the table ---

export interface Column {
  key: string;
  label: string;
  numeric: boolean;
  value: (row: BenchmarkRow, set: MetricSet) => number | string | null;
}

export const COLUMNS: Column[] = [
  { key: 'experiment', label: 'Experiment', numeric: false, value: (r) => r.experiment_name },
  { key: 'algorithm', label: 'Algorithm', numeric: false, value: (r) => r.algorithm_name },
  { key: 'results', label: 'Results', numeric: true, value: (r) => r.results },
  { key: 'tpr', label: 'TPR', numeric: true, value: (r, s) => median(r[s].tpr) },
  { key: 'fpr', label: 'FPR', numeric: true, value: (r, s) => median(r[s].fpr) },
  { key: 'precision', label: 'Precision', numeric: true, value: (r, s) => median(r[s].precision) },
  { key: 'recall', label: 'Recall', numeric: true, value: (r, s) => median(r[s].recall) },
  { key: 'f1', label: 'F1', numeric: true, value: (r, s) => median(r[s].f1) },
  { key: 'shd', label: 'SHD', numeric: true, value: (r) => median(r.shd) },
  { key: 'time', label: 'Run time (s)', numeric: true, value: (r) => median(r.execution_time) },
  { key: 'loading', label: 'Loading (s)', numeric: true, value: (r) => median(r.dataset_loading_time) },
  { key: 'ci', label: 'CI tests', numeric: true, value: (r) => median(r.ci_tests) },
];

export interface Sort {
  key: string;
  descending: boolean;
}

/**
 * Rows sorted by a column; missing values last whichever the direction, ties in the server's
 * order (algorithm, then the swept parameters). No sort: the server's order.
 */
export function sortRows(rows: BenchmarkRow[], sort: Sort | null, set: MetricSet): BenchmarkRow[] {
  if (!sort) return rows;
  const column = COLUMNS.find((c) => c.key === sort.key);
  if (!column) return rows;
  const indexed = rows.map((row, i) => ({ row, i, v: column.value(row, set) }));
  indexed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
    const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v), undefined, { numeric: true });
    return (sort.descending ? -c : c) || a.i - b.i;
  });
  return indexed.map((x) => x.row);
}

/** The next sort after a click on a header: ascending, descending, then the server's order. */
export function nextSort(current: Sort | null, key: string): Sort | null {
  if (!current || current.key !== key) return { key, descending: false };
  if (!current.descending) return { key, descending: true };
  return null;
}

/** The latest job of an experiment that has a result (the point's click target). */
export function latestResultId(jobs: { id: number; result?: { id: number } | null }[]): number | null {
  const withResult = jobs.filter((j) => j.result).sort((a, b) => b.id - a.id);
  return withResult[0]?.result?.id ?? null;
}
