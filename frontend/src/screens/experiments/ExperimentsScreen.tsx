import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useDatasets, useExperiments } from '../../api/queries';
import { useAccess } from '../../auth/access';
import { Empty, ErrorNote, Loading, PageHead } from '../../components/ui';
import { plural } from '../../util/format';
import { ExperimentTable } from './ExperimentTable';
import { NewExperimentDialog } from './NewExperimentDialog';

/** Every experiment, optionally narrowed to one dataset (?dataset=ID). */
export function ExperimentsScreen() {
  const experiments = useExperiments();
  const datasets = useDatasets();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const { gate } = useAccess();
  const datasetFilter = params.get('dataset') ? Number(params.get('dataset')) : null;

  const names = useMemo(
    () => new Map((datasets.data ?? []).map((d) => [d.id, d.name ?? `#${d.id}`] as [number, string])),
    [datasets.data],
  );
  const list = (experiments.data ?? []).filter((e) => datasetFilter === null || e.dataset_id === datasetFilter);

  return (
    <>
      <PageHead
        title="Experiments"
        subtitle={experiments.data ? plural(list.length, 'experiment') : 'Algorithms with parameters over a dataset'}
        actions={
          <button className="primary" {...gate('editor')} onClick={() => setCreating(true)}>
            New experiment
          </button>
        }
      />
      <div className="row" style={{ marginBottom: '1rem' }}>
        <label htmlFor="exp-filter" className="muted">
          Dataset
        </label>
        <select
          id="exp-filter"
          style={{ maxWidth: 300 }}
          value={datasetFilter ?? ''}
          onChange={(e) => setParams(e.target.value ? { dataset: e.target.value } : {})}
        >
          <option value="">All datasets</option>
          {(datasets.data ?? []).map((d) => (
            <option key={d.id} value={d.id}>
              {d.name ?? `#${d.id}`}
            </option>
          ))}
        </select>
      </div>
      {experiments.isPending ? (
        <Loading />
      ) : experiments.isError ? (
        <ErrorNote title="Could not load the experiments." error={experiments.error} onRetry={() => experiments.refetch()} />
      ) : list.length === 0 ? (
        <Empty
          title={datasetFilter === null ? 'No experiments yet' : 'No experiments on this dataset'}
          actions={
            <button className="primary" {...gate('editor')} onClick={() => setCreating(true)}>
              New experiment
            </button>
          }
        >
          An experiment runs one algorithm, with its parameters, over a dataset.
        </Empty>
      ) : (
        <ExperimentTable experiments={list} datasetNames={names} />
      )}
      {creating && <NewExperimentDialog datasetId={datasetFilter ?? undefined} onClose={() => setCreating(false)} />}
    </>
  );
}
