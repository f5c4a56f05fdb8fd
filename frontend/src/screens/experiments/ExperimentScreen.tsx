import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useUpdateExperiment } from '../../api/mutations';
import { useDataset, useExperiment, useExperimentJobs } from '../../api/queries';
import { useAccess } from '../../auth/access';
import { EditDescriptionDialog } from '../../components/EditDescriptionDialog';
import { Empty, ErrorNote, Loading, PageHead, StatusBadge } from '../../components/ui';
import { JobTable } from '../../jobs/JobTable';
import { parseValidParameters } from '../../params/schema';
import { plural } from '../../util/format';
import { algorithmLabel } from './algorithms';
import { ExecutionStats } from './ExecutionStats';
import { NewExperimentDialog } from './NewExperimentDialog';
import { RunDialog } from './RunDialog';
import { RunsHereBadge, useRunGate } from './RunsHere';
import { useDeleteExperimentAsking } from './useDeleteExperiment';

/** One experiment: algorithm and parameters, execution-time statistics and its live jobs. */
export function ExperimentScreen() {
  const id = Number(useParams().experimentId);
  const experiment = useExperiment(id);
  const jobs = useExperimentJobs(id);
  const dataset = useDataset(experiment.data?.dataset_id ?? 0, !!experiment.data);
  const [dialog, setDialog] = useState<'run' | 'duplicate' | 'edit' | null>(null);
  const update = useUpdateExperiment();
  const deleteAsking = useDeleteExperimentAsking();
  const navigate = useNavigate();
  const { gate } = useAccess();
  const runGate = useRunGate(experiment.data?.algorithm);

  if (experiment.isPending) return <Loading />;
  if (experiment.isError)
    return <ErrorNote title={`Could not load experiment #${id}.`} error={experiment.error} onRetry={() => experiment.refetch()} />;

  const exp = experiment.data;
  const params = (exp.parameters ?? {}) as Record<string, unknown>;
  const declared = parseValidParameters(exp.algorithm?.valid_parameters);
  const lastResult = exp.last_job?.result;

  const onDelete = async () => {
    if (await deleteAsking(exp)) navigate(`/datasets/${exp.dataset_id}`);
  };

  return (
    <>
      <PageHead
        crumbs={[
          { label: 'Datasets', to: '/' },
          { label: dataset.data?.name ?? `Dataset #${exp.dataset_id}`, to: `/datasets/${exp.dataset_id}` },
        ]}
        title={
          <span className="row">
            {exp.name || `Experiment #${exp.id}`} <StatusBadge status={exp.last_job?.status} />
          </span>
        }
        subtitle={exp.description || undefined}
        actions={
          <>
            <button className="primary" {...runGate} onClick={() => setDialog('run')}>
              Run
            </button>
            {lastResult && (
              <Link className="button" to={`/results/${lastResult.id}/compare`}>
                Compare last result
              </Link>
            )}
            <button {...gate('editor')} onClick={() => setDialog('duplicate')}>Duplicate</button>
            <button {...gate('editor')} onClick={() => setDialog('edit')}>Edit description</button>
            <button className="danger" {...gate('editor')} onClick={onDelete}>
              Delete
            </button>
          </>
        }
      />
      <div className="cards" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))' }}>
        <section className="card card-body">
          <h2 style={{ marginBottom: '0.6rem' }}>Algorithm</h2>
          <dl className="props">
            <dt>Function</dt>
            <dd>
              {algorithmLabel(exp.algorithm)} <RunsHereBadge algorithm={exp.algorithm} />
            </dd>
            {exp.algorithm?.description && (
              <>
                <dt>About</dt>
                <dd>{exp.algorithm.description}</dd>
              </>
            )}
            {exp.algorithm?.docker_image && (
              <>
                <dt>Image</dt>
                <dd className="mono">{exp.algorithm.docker_image}</dd>
              </>
            )}
          </dl>
          <h3 style={{ margin: '1rem 0 0.4rem' }}>Parameters</h3>
          <dl className="props" data-testid="experiment-parameters">
            {declared.map((f) => (
              <ParamRow key={f.name} name={f.name} value={params[f.name]} fallback={f.defaultValue} />
            ))}
            {Object.keys(params)
              .filter((k) => !declared.some((f) => f.name === k))
              .map((k) => (
                <ParamRow key={k} name={k} value={params[k]} fallback="" />
              ))}
          </dl>
        </section>
        <section className="card card-body">
          <h2 style={{ marginBottom: '0.6rem' }}>Execution time</h2>
          <ExecutionStats stats={exp.execution_time_statistics} />
        </section>
      </div>
      <section className="section">
        <div className="section-head">
          <h2>Jobs</h2>
          {jobs.data && <span className="muted">{plural(jobs.data.length, 'job')}, newest first — updated live</span>}
        </div>
        {jobs.isPending ? (
          <Loading />
        ) : jobs.isError ? (
          <ErrorNote error={jobs.error} onRetry={() => jobs.refetch()} />
        ) : jobs.data.length === 0 ? (
          <Empty
            title="Not run yet"
            actions={
              <button className="primary" {...runGate} onClick={() => setDialog('run')}>
                Run it
              </button>
            }
          >
            Each run becomes a job; its result appears here when it is done.
          </Empty>
        ) : (
          <JobTable jobs={jobs.data} experimentId={exp.id} />
        )}
      </section>
      {dialog === 'run' && <RunDialog experiment={exp} onClose={() => setDialog(null)} />}
      {dialog === 'duplicate' && <NewExperimentDialog duplicateOf={exp} onClose={() => setDialog(null)} />}
      {dialog === 'edit' && (
        <EditDescriptionDialog
          title="Edit experiment description"
          initial={exp.description ?? ''}
          onSave={(description) => update.mutateAsync({ id: exp.id, description })}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}

function ParamRow({ name, value, fallback }: { name: string; value: unknown; fallback: string }) {
  return (
    <>
      <dt className="mono">{name}</dt>
      <dd>
        {value !== undefined && value !== null ? (
          <span className="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</span>
        ) : (
          <span className="faint">{fallback ? `default (${fallback})` : 'algorithm default'}</span>
        )}
      </dd>
    </>
  );
}
