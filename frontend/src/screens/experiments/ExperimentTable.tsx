import { useState } from 'react';
import { Link } from 'react-router';
import type { Experiment } from '../../api/types';
import { useAccess } from '../../auth/access';
import { StatusBadge } from '../../components/ui';
import { formatDateTime, formatSeconds } from '../../util/format';
import { algorithmLabel } from './algorithms';
import { NewExperimentDialog } from './NewExperimentDialog';
import { RunDialog } from './RunDialog';
import { RunsHereBadge, useRunGates } from './RunsHere';
import { useDeleteExperimentAsking } from './useDeleteExperiment';

interface Props {
  experiments: Experiment[];
  /** dataset id → name, to show a dataset column */
  datasetNames?: Map<number, string>;
}

type Dialog = { kind: 'run' | 'duplicate'; experiment: Experiment } | null;

/** Experiments with their last job; run, duplicate and delete from each row. */
export function ExperimentTable({ experiments, datasetNames }: Props) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const onDelete = useDeleteExperimentAsking();
  const { gate } = useAccess();
  const runGate = useRunGates();

  return (
    <>
      <div className="table-wrap">
        <table data-testid="experiment-table">
          <thead>
            <tr>
              <th>Experiment</th>
              {datasetNames && <th className="hide-sm">Dataset</th>}
              <th className="hide-sm">Algorithm</th>
              <th>Last job</th>
              <th className="num hide-sm">Mean time</th>
              <th className="num">
                <span className="hide-sm">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((exp) => {
              const last = exp.last_job;
              const result = last?.result;
              return (
                <tr key={exp.id} data-experiment-id={exp.id}>
                  <td>
                    <Link to={`/experiments/${exp.id}`}>
                      <strong>{exp.name || `Experiment #${exp.id}`}</strong>
                    </Link>
                    {exp.description && <div className="sub">{exp.description}</div>}
                  </td>
                  {datasetNames && (
                    <td className="hide-sm">
                      <Link to={`/datasets/${exp.dataset_id}`}>{datasetNames.get(exp.dataset_id) ?? `#${exp.dataset_id}`}</Link>
                    </td>
                  )}
                  <td className="hide-sm">
                    {algorithmLabel(exp.algorithm)} <RunsHereBadge algorithm={exp.algorithm} />
                  </td>
                  <td>
                    <StatusBadge status={last?.status} />
                    {last && <div className="sub">{formatDateTime(last.start_time)}</div>}
                  </td>
                  <td className="num hide-sm">{formatSeconds(exp.execution_time_statistics?.mean)}</td>
                  <td className="actions">
                    {result && (
                      <Link className="button small" to={`/results/${result.id}`}>
                        Last result
                      </Link>
                    )}
                    <button className="small primary" {...runGate(exp.algorithm)} onClick={() => setDialog({ kind: 'run', experiment: exp })}>
                      Run
                    </button>
                    <button className="small hide-sm" {...gate('editor')} onClick={() => setDialog({ kind: 'duplicate', experiment: exp })}>
                      Duplicate
                    </button>
                    <button className="small danger hide-sm" {...gate('editor')} onClick={() => onDelete(exp)}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {dialog?.kind === 'run' && <RunDialog experiment={dialog.experiment} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'duplicate' && (
        <NewExperimentDialog duplicateOf={dialog.experiment} onClose={() => setDialog(null)} />
      )}
    </>
  );
}
