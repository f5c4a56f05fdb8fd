import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Job, JobStatus } from '../api/types';
import { useAccess } from '../auth/access';
import { StatusBadge } from '../components/ui';
import { formatDateTime, formatSeconds, secondsBetween } from '../util/format';
import { deleteActionLabel, errorCodeText, isActive, logExcerpt } from './status';
import { useJobActions } from './useJobActions';

interface Props {
  jobs: Job[];
  /** experiment the jobs belong to, carried into the job page's breadcrumb */
  experimentId?: number;
  showType?: boolean;
}

/** Rows that changed status since the last render flash once. */
function useChangedRows(jobs: Job[]): Set<number> {
  const previous = useRef(new Map<number, JobStatus>());
  const [changed, setChanged] = useState<Set<number>>(new Set());
  useEffect(() => {
    const now = new Set<number>();
    for (const job of jobs) {
      const before = previous.current.get(job.id);
      if (before !== undefined && before !== job.status) now.add(job.id);
    }
    previous.current = new Map(jobs.map((j) => [j.id, j.status]));
    if (now.size) setChanged(now);
  }, [jobs]);
  return changed;
}

function Duration({ job }: { job: Job }) {
  const [, tick] = useState(0);
  const running = job.status === 'running';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [running]);
  const end = job.end_time ?? (running ? new Date().toISOString() : null);
  return <>{formatSeconds(secondsBetween(job.start_time, end))}</>;
}

export function JobTable({ jobs, experimentId, showType }: Props) {
  const changed = useChangedRows(jobs);
  const { act } = useJobActions();
  const { gate } = useAccess();
  const jobLink = (id: number) => (experimentId ? `/jobs/${id}?experiment=${experimentId}` : `/jobs/${id}`);
  return (
    <div className="table-wrap">
      <table data-testid="job-table">
        <thead>
          <tr>
            <th>Job</th>
            <th>Status</th>
            <th className="hide-sm">Started</th>
            <th className="num hide-sm">Duration</th>
            <th className="hide-sm">Result</th>
            <th className="num">
              <span className="hide-sm">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const error = errorCodeText(job.error_code);
            const label = deleteActionLabel(job.status);
            const result = job.result;
            return (
              <tr key={job.id} data-job-id={job.id} data-status={job.status} className={changed.has(job.id) ? 'flash' : ''}>
                <td className="nowrap">
                  <Link to={jobLink(job.id)}>
                    <strong>#{job.id}</strong>
                  </Link>
                  {showType && <div className="sub">{job.type === 'dataset_generation_job' ? 'generation' : 'experiment'}</div>}
                  {job.node_hostname && <div className="sub">{job.node_hostname}</div>}
                </td>
                <td>
                  <StatusBadge status={job.status} />
                  {job.status === 'error' && (error || job.log) && (
                    <div className="sub" data-testid="job-error" style={{ maxWidth: 420 }}>
                      {error && <div style={{ color: 'var(--danger)' }}>{error}</div>}
                      {logExcerpt(job.log) && <div className="mono">{logExcerpt(job.log)}</div>}
                    </div>
                  )}
                </td>
                <td className="hide-sm nowrap">{formatDateTime(job.start_time)}</td>
                <td className="num hide-sm">{isActive(job.status) && job.status !== 'running' ? '—' : <Duration job={job} />}</td>
                <td className="hide-sm">
                  {result ? (
                    <div className="sub">
                      run {formatSeconds(result.execution_time)}, load {formatSeconds(result.dataset_loading_time)}
                    </div>
                  ) : (
                    <span className="faint">—</span>
                  )}
                </td>
                <td className="actions">
                  {result && (
                    <Link className="button small primary" to={`/results/${result.id}`}>
                      Explore
                    </Link>
                  )}
                  <Link className="button small" to={jobLink(job.id)}>
                    Log
                  </Link>
                  {label && (
                    <button className={`small ${label === 'Cancel' ? 'danger' : ''}`} {...gate('editor')} onClick={() => act(job)}>
                      {label}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
