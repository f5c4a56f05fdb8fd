import { Link, useParams, useSearchParams } from 'react-router';
import { useExperiment, useJob } from '../../api/queries';
import { useAccess } from '../../auth/access';
import { ErrorNote, Loading, PageHead, StatusBadge, type Crumb } from '../../components/ui';
import { LogViewer } from '../../jobs/LogViewer';
import { deleteActionLabel, errorCodeText, isActive } from '../../jobs/status';
import { useJobActions } from '../../jobs/useJobActions';
import { formatDateTime, formatSeconds, secondsBetween } from '../../util/format';

/** One job: its state, its result and its log (followed while it runs). */
export function JobScreen() {
  const jobId = Number(useParams().jobId);
  const [params] = useSearchParams();
  const experimentId = params.get('experiment') ? Number(params.get('experiment')) : null;
  const job = useJob(jobId);
  const experiment = useExperiment(experimentId ?? 0, experimentId !== null);
  const { act } = useJobActions();
  const { gate } = useAccess();

  const crumbs: Crumb[] = experimentId
    ? [
        { label: 'Experiments', to: '/experiments' },
        { label: experiment.data?.name ?? `Experiment #${experimentId}`, to: `/experiments/${experimentId}` },
      ]
    : [{ label: 'Jobs', to: '/jobs' }];

  if (job.isPending) return <Loading />;
  if (job.isError) return <ErrorNote title={`Could not load job #${jobId}.`} error={job.error} onRetry={() => job.refetch()} />;

  const j = job.data;
  const label = deleteActionLabel(j.status);
  const error = errorCodeText(j.error_code);
  return (
    <>
      <PageHead
        crumbs={crumbs}
        title={
          <span className="row">
            Job #{j.id} <StatusBadge status={j.status} />
          </span>
        }
        subtitle={j.type === 'dataset_generation_job' ? 'Dataset generation' : 'Experiment run'}
        actions={
          <>
            {j.result && (
              <Link className="button primary" to={`/results/${j.result.id}`}>
                Explore result
              </Link>
            )}
            {label && (
              <button className={label === 'Cancel' ? 'danger' : ''} {...gate('editor')} onClick={() => act(j)}>
                {label} job
              </button>
            )}
          </>
        }
      />
      {error && j.status === 'error' && (
        <div className="notice error" style={{ marginBottom: '1rem' }} data-testid="job-error">
          <div className="grow">
            <strong>{error}</strong>
          </div>
        </div>
      )}
      <div className="card card-body" style={{ marginBottom: '1rem' }}>
        <dl className="props">
          <dt>Started</dt>
          <dd>{formatDateTime(j.start_time)}</dd>
          <dt>Ended</dt>
          <dd>{j.end_time ? formatDateTime(j.end_time) : isActive(j.status) ? 'still running' : '—'}</dd>
          <dt>Duration</dt>
          <dd>{formatSeconds(secondsBetween(j.start_time, j.end_time))}</dd>
          <dt>Machine</dt>
          <dd>{j.node_hostname ?? 'default'}</dd>
          {j.attempt > 1 && (
            <>
              <dt>Attempt</dt>
              <dd data-testid="job-attempt">
                {j.attempt}, after earlier attempts failed for infrastructure reasons:
                <ul>
                  {j.earlier_attempts.map((earlier) => (
                    <li key={earlier.attempt}>
                      #{earlier.attempt} ({formatDateTime(earlier.at)}): {earlier.reason}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          {j.container_id && (
            <>
              <dt>Container</dt>
              <dd className="mono">{j.container_id}</dd>
            </>
          )}
          {j.result && (
            <>
              <dt>Execution time</dt>
              <dd>{formatSeconds(j.result.execution_time)}</dd>
              <dt>Dataset loading</dt>
              <dd>{formatSeconds(j.result.dataset_loading_time)}</dd>
            </>
          )}
        </dl>
      </div>
      <h2 style={{ marginBottom: '0.5rem' }}>Log</h2>
      <LogViewer jobId={j.id} active={isActive(j.status)} />
    </>
  );
}
