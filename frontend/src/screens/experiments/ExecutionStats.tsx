import type { ExecutionTimeStatistics } from '../../api/types';
import { formatSeconds } from '../../util/format';

const ORDER: [keyof ExecutionTimeStatistics, string][] = [
  ['min', 'Min'],
  ['lower_quantile', '25 %'],
  ['median', 'Median'],
  ['mean', 'Mean'],
  ['upper_quantile', '75 %'],
  ['max', 'Max'],
];

/** Execution-time statistics over every result of the experiment, with a box plot. */
export function ExecutionStats({ stats }: { stats: ExecutionTimeStatistics | null | undefined }) {
  if (!stats) return <p className="muted">No finished run yet: statistics appear once a job has a result.</p>;
  const span = stats.max - stats.min || 1;
  const x = (v: number) => 8 + ((v - stats.min) / span) * 284;
  return (
    <div>
      <div className="stats-row">
        {ORDER.map(([key, label]) => (
          <div key={key} className="stat">
            <div className="k">{label}</div>
            <div className="v">{formatSeconds(stats[key])}</div>
          </div>
        ))}
      </div>
      <svg className="boxplot" viewBox="0 0 300 46" preserveAspectRatio="none" role="img" aria-label="Box plot of execution times">
        <line x1={x(stats.min)} x2={x(stats.max)} y1={23} y2={23} stroke="#8a93a3" />
        <line x1={x(stats.min)} x2={x(stats.min)} y1={14} y2={32} stroke="#8a93a3" />
        <line x1={x(stats.max)} x2={x(stats.max)} y1={14} y2={32} stroke="#8a93a3" />
        <rect
          x={x(stats.lower_quantile)}
          y={9}
          width={Math.max(1, x(stats.upper_quantile) - x(stats.lower_quantile))}
          height={28}
          fill="#dbe6fd"
          stroke="#2563eb"
        />
        <line x1={x(stats.median)} x2={x(stats.median)} y1={9} y2={37} stroke="#1d4ed8" strokeWidth={2} />
        <circle cx={x(stats.mean)} cy={23} r={3} fill="#c2312b" />
      </svg>
    </div>
  );
}
