import { useState } from 'react';
import { Link } from 'react-router';
import { useDatasets, useStudies } from '../../api/queries';
import { useAccess } from '../../auth/access';
import { Empty, ErrorNote, Loading, PageHead } from '../../components/ui';
import { formatDateTime } from '../../util/format';
import { NewStudyDialog } from './NewStudyDialog';
import { ProgressBar, StudyStateBadge } from './ProgressBar';

/** Every study with its datasets, experiments, live progress and state. */
export function StudiesScreen() {
  const studies = useStudies();
  const datasets = useDatasets();
  const [creating, setCreating] = useState(false);
  const { gate } = useAccess();
  const names = new Map((datasets.data ?? []).map((d) => [d.id, d.name ?? `#${d.id}`]));

  return (
    <>
      <PageHead
        title="Studies"
        subtitle="Parameter sweeps: datasets × algorithms × parameter grids, benchmarked against the ground truth."
        actions={
          <button className="primary" {...gate('editor')} onClick={() => setCreating(true)}>
            New study
          </button>
        }
      />
      {studies.isPending ? (
        <Loading />
      ) : studies.isError ? (
        <ErrorNote error={studies.error} onRetry={() => studies.refetch()} />
      ) : studies.data.length === 0 ? (
        <Empty title="No studies yet">
          A study runs algorithms over grids of parameters (e.g. alpha from 0.001 to 0.1 on a log scale) on one or more
          datasets, and draws ROC points, precision–recall, SHD and run time across them.
        </Empty>
      ) : (
        <div className="table-wrap">
          <table data-testid="study-table">
            <thead>
              <tr>
                <th>Study</th>
                <th className="hide-sm">Datasets</th>
                <th className="num hide-sm">Experiments</th>
                <th>Progress</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {studies.data.map((s) => (
                <tr key={s.id} data-study-id={s.id}>
                  <td>
                    <Link to={`/studies/${s.id}`}>
                      <strong>{s.name}</strong>
                    </Link>
                    <div className="sub">
                      {s.description || formatDateTime(s.created_at)}
                    </div>
                  </td>
                  <td className="hide-sm">
                    {s.dataset_ids.map((d, i) => (
                      <span key={d}>
                        {i > 0 && ', '}
                        <Link to={`/datasets/${d}`}>{names.get(d) ?? `#${d}`}</Link>
                      </span>
                    ))}
                  </td>
                  <td className="num hide-sm">{s.experiment_count}</td>
                  <td className="progress-cell">
                    <ProgressBar progress={s.progress} compact />
                  </td>
                  <td>
                    <StudyStateBadge state={s.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <NewStudyDialog onClose={() => setCreating(false)} />}
    </>
  );
}

export default StudiesScreen;
