import { useSearchParams } from 'react-router';
import { useJobs } from '../../api/queries';
import { Empty, ErrorNote, Loading, PageHead } from '../../components/ui';
import { JobTable } from '../../jobs/JobTable';
import { isActive } from '../../jobs/status';
import { plural } from '../../util/format';

const FILTERS = {
  all: { label: 'All', keep: () => true },
  active: { label: 'Active', keep: (s: string) => isActive(s) },
  done: { label: 'Done', keep: (s: string) => s === 'done' },
  failed: { label: 'Failed', keep: (s: string) => s === 'error' || s === 'cancelled' },
} as const;
type Filter = keyof typeof FILTERS;

/** Every job, live: status changes arrive over the websocket. */
export function JobsScreen() {
  const [params, setParams] = useSearchParams();
  const showHidden = params.get('hidden') === '1';
  const filter = (params.get('status') as Filter) in FILTERS ? (params.get('status') as Filter) : 'all';
  const jobs = useJobs(showHidden);
  const list = (jobs.data ?? []).filter((j) => FILTERS[filter].keep(j.status));
  const active = (jobs.data ?? []).filter((j) => isActive(j.status)).length;

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHead
        title="Jobs"
        subtitle={jobs.data ? `${plural(jobs.data.length, 'job')}, ${active} active — updated live` : 'Runs of experiments and dataset generators'}
      />
      <div className="row" style={{ marginBottom: '1rem' }}>
        <div className="segmented" role="radiogroup" aria-label="Status filter">
          {(Object.keys(FILTERS) as Filter[]).map((f) => (
            <button
              key={f}
              type="button"
              role="radio"
              aria-checked={filter === f}
              className={filter === f ? 'on' : ''}
              onClick={() => set('status', f === 'all' ? null : f)}
            >
              {FILTERS[f].label}
            </button>
          ))}
        </div>
        <label className="row" style={{ gap: '0.35rem' }}>
          <input type="checkbox" checked={showHidden} onChange={(e) => set('hidden', e.target.checked ? '1' : null)} /> Show hidden
        </label>
      </div>
      {jobs.isPending ? (
        <Loading />
      ) : jobs.isError ? (
        <ErrorNote title="Could not load the jobs." error={jobs.error} onRetry={() => jobs.refetch()} />
      ) : list.length === 0 ? (
        <Empty title={jobs.data.length === 0 ? 'No jobs yet' : 'No job matches the filter'}>
          {jobs.data.length === 0 && 'Jobs appear here when an experiment is run.'}
        </Empty>
      ) : (
        <JobTable jobs={list} showType />
      )}
    </>
  );
}
