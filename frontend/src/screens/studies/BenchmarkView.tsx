import { useState } from 'react';
import { Link } from 'react-router';
import type { Benchmark } from '../../api/types';
import {
  COLUMNS,
  describeRow,
  hasParam,
  nextSort,
  paramAxis,
  paramSeries,
  rateSeries,
  sortRows,
  type ChartPoint,
  type ChartSeries,
  type MetricSet,
  type Sort,
} from './benchmark';
import { Chart, type AxisSpec } from './charts/Chart';
import { paramDomain, rateDomain, valueDomain, zoomNote, type RateDomain } from './charts/axes';

interface Props {
  benchmark: Benchmark;
  datasetNames: Map<number, string>;
  onOpen: (p: ChartPoint) => void;
}

/** A rate axis (0–1), zoomed to the points unless the full range is asked for. */
const rateAxis = (label: string, d: RateDomain): AxisSpec => ({ label, kind: 'linear', domain: d.domain, note: zoomNote(d) });

const coordinates = (series: ChartSeries[], axis: 'x' | 'y') => series.flatMap((s) => s.points.map((p) => p[axis]));

/** The benchmark charts (ROC, precision–recall, SHD and run time against the parameter) and table. */
export function BenchmarkView({ benchmark, datasetNames, onOpen }: Props) {
  const [set, setSet] = useState<MetricSet>('skeleton');
  const swept = benchmark.swept_parameters;
  const [chosen, setParam] = useState<string | null>(null);
  const [full, setFull] = useState(false);
  const param = chosen && swept.includes(chosen) ? chosen : (swept[0] ?? null);
  const rows = benchmark.rows;
  const describe = (p: ChartPoint) => describeRow(p.row, set);

  const paramX = (): AxisSpec | null => {
    if (!param) return null;
    const axis = paramAxis(rows, param);
    if (axis.kind === 'categorical') return { label: param, kind: 'linear', domain: [0, 1], categories: axis.categories };
    const values = rows.filter((r) => hasParam(r, param)).map((r) => r.parameters[param] as number);
    return { label: param, kind: axis.log ? 'log' : 'linear', domain: paramDomain(values, axis.log) };
  };
  const x = paramX();

  const roc = rateSeries(rows, set, 'fpr', 'tpr', datasetNames);
  const pr = rateSeries(rows, set, 'recall', 'precision', datasetNames);
  const shd = param ? paramSeries(rows, param, (r) => r.shd, datasetNames) : [];
  const time = param ? paramSeries(rows, param, (r) => r.execution_time, datasetNames) : [];
  // ROC: FPR from 0 (the curve's origin); TPR, precision and recall from where the points are.
  const fpr = rateDomain(coordinates(roc, 'x'), { fromZero: true, full });
  const tpr = rateDomain(coordinates(roc, 'y'), { full });
  const recall = rateDomain(coordinates(pr, 'x'), { full });
  const precision = rateDomain(coordinates(pr, 'y'), { full });
  const zoomable = full || [fpr, tpr, recall, precision].some((d) => d.zoomed);
  const shdValues = shd.flatMap((s) => s.points.flatMap((p) => [p.y, p.yLow ?? p.y, p.yHigh ?? p.y]));
  const timeValues = time.flatMap((s) => s.points.flatMap((p) => [p.y, p.yLow ?? p.y, p.yHigh ?? p.y]));

  return (
    <div className="benchmark">
      <div className="row benchmark-controls">
        <div className="segmented" role="radiogroup" aria-label="Metrics of">
          {(['skeleton', 'directed'] as const).map((m) => (
            <button key={m} type="button" role="radio" aria-checked={set === m} className={set === m ? 'on' : ''} onClick={() => setSet(m)}>
              {m}
            </button>
          ))}
        </div>
        <span className="faint">
          {set === 'skeleton' ? 'adjacencies, direction ignored' : 'ordered pairs (MPCSL’s directed error types)'}
        </span>
        {benchmark.ground_truth && zoomable && (
          <label className="inline" title="ROC and precision–recall: the unit square instead of the points’ range">
            <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} />
            Full range 0–1
          </label>
        )}
        {swept.length > 1 && (
          <label className="row">
            <span>Parameter</span>
            <select value={param ?? ''} onChange={(e) => setParam(e.target.value)} aria-label="Parameter on the x axis">
              {swept.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!benchmark.ground_truth && (
        <div className="notice" role="status" data-testid="no-ground-truth">
          No ground truth: {datasetNames.size > 1 ? 'not every dataset of this study has' : 'the dataset has'} a true graph, so
          there are no TPR, FPR, precision, recall or SHD to draw. Upload one on the dataset’s page; run times are below.
        </div>
      )}
      <div className="chart-grid-2">
        {benchmark.ground_truth && (
          <>
            <Chart
              id="roc"
              title={`ROC points (${set})`}
              x={rateAxis('FPR', fpr)}
              y={rateAxis('TPR', tpr)}
              series={roc}
              diagonal
              describe={describe}
              onOpen={onOpen}
            />
            <Chart
              id="pr"
              title={`Precision–recall (${set})`}
              x={rateAxis('Recall', recall)}
              y={rateAxis('Precision', precision)}
              series={pr}
              describe={describe}
              onOpen={onOpen}
            />
            {x && (
              <Chart
                id="shd"
                title={`SHD (CPDAG) against ${param}`}
                x={x}
                y={{ label: 'SHD', kind: 'linear', domain: valueDomain(shdValues, false), integer: true }}
                series={shd}
                describe={describe}
                onOpen={onOpen}
              />
            )}
          </>
        )}
        {x && (
          <Chart
            id="time"
            title={`Run time against ${param}`}
            x={x}
            y={{ label: 'Run time (s)', kind: 'log', domain: valueDomain(timeValues, true) }}
            series={time}
            describe={describe}
            onOpen={onOpen}
          />
        )}
        {!x && <p className="faint">No parameter varies in this study: the table lists its experiments.</p>}
      </div>
      <BenchmarkTable benchmark={benchmark} set={set} />
    </div>
  );
}

const cell = (v: number | string | null) => (v === null ? '–' : typeof v === 'number' ? String(Number(v.toPrecision(4))) : v);

export function BenchmarkTable({ benchmark, set }: { benchmark: Benchmark; set: MetricSet }) {
  const [sort, setSort] = useState<Sort | null>(null);
  const rows = sortRows(benchmark.rows, sort, set);
  return (
    <div className="table-wrap benchmark-table">
      <table data-testid="benchmark-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                className={c.numeric ? 'num' : ''}
                aria-sort={sort?.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button type="button" className="ghost small sort" onClick={() => setSort(nextSort(sort, c.key))}>
                  {c.label}
                  {sort?.key === c.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.experiment_id} data-experiment-id={r.experiment_id}>
              {COLUMNS.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : ''}>
                  {c.key === 'experiment' ? (
                    <Link to={`/experiments/${r.experiment_id}`}>{r.experiment_name}</Link>
                  ) : (
                    cell(c.value(r, set))
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
