import { metricRows, type MetricColumn } from '../../compare/metrics';

/** Comparison metrics, one column per comparison; with `markBest`, the better value of a row is bold. */
export function MetricTable({ columns, markBest = false }: { columns: MetricColumn[]; markBest?: boolean }) {
  const rows = metricRows(columns, markBest);
  return (
    <div className="table-wrap">
      <table className="metric-table" data-testid="metric-table">
        <thead>
          <tr>
            <th>Metric</th>
            {columns.map((c) => (
              <th key={c.label} className="num">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <td>
                {row.label}
                <div className="sub">{row.hint}</div>
              </td>
              {row.cells.map((cell, i) => (
                <td key={i} className={`num ${row.best === i ? 'best' : ''}`}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
