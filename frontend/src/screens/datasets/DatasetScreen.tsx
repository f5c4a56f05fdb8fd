import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { EXPORT_FORMATS, exportFilename, groundTruthExportUrl } from '../../api/export';
import { useDataset, useDatasetExperiments, useMetadata } from '../../api/queries';
import { useAccess } from '../../auth/access';
import { DownloadLink } from '../../components/DownloadLink';
import { Badge, Empty, ErrorNote, Fact, Loading, PageHead } from '../../components/ui';
import { formatDateTime, formatNumber, plural } from '../../util/format';
import { ExperimentTable } from '../experiments/ExperimentTable';
import { NewExperimentDialog } from '../experiments/NewExperimentDialog';
import { DatasetActions } from './DatasetActions';

/** A dataset: its metadata and its experiments. */
export function DatasetScreen() {
  const id = Number(useParams().datasetId);
  const dataset = useDataset(id);
  const meta = useMetadata(id);
  const experiments = useDatasetExperiments(id);
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  const { gate } = useAccess();

  if (dataset.isPending) return <Loading />;
  if (dataset.isError) return <ErrorNote title={`Could not load dataset #${id}.`} error={dataset.error} onRetry={() => dataset.refetch()} />;
  const d = dataset.data;

  return (
    <>
      <PageHead
        crumbs={[{ label: 'Datasets', to: '/' }]}
        title={
          <span className="row">
            {d.name || `Dataset #${d.id}`}
            {meta.data?.has_ground_truth && <Badge kind="ok">✓ ground truth</Badge>}
          </span>
        }
        subtitle={d.description || undefined}
        actions={
          <>
            <button className="primary" {...gate('editor')} onClick={() => setCreating(true)}>
              New experiment
            </button>
            <DatasetActions dataset={d} onDeleted={() => navigate('/')} />
          </>
        }
      />
      <div className="card card-body">
        <div className="facts" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(130px, 1fr))' }}>
          <Fact label="Variables" value={formatNumber(meta.data?.variables)} loading={meta.isPending} />
          <Fact label="Observations" value={formatNumber(meta.data?.observations)} loading={meta.isPending} />
          <Fact label="Source" value={d.data_source} />
          <Fact label="Ground truth" value={meta.data ? (meta.data.has_ground_truth ? 'yes' : 'no') : '—'} loading={meta.isPending} />
          <Fact label="Created" value={formatDateTime(d.time_created)} />
        </div>
        {meta.isError && <ErrorNote title="Metadata unavailable." error={meta.error} />}
        <details style={{ marginTop: '0.75rem' }}>
          <summary className="muted">Query and content hash</summary>
          <pre className="mono" style={{ whiteSpace: 'pre-wrap', margin: '0.5rem 0' }}>{d.load_query}</pre>
          <div className="faint mono" style={{ overflowWrap: 'anywhere' }}>{d.content_hash}</div>
        </details>
        {meta.data?.has_ground_truth && (
          <div className="row" style={{ marginTop: '0.75rem' }}>
            <span className="muted">Export ground truth:</span>
            {EXPORT_FORMATS.map((f) => (
              <DownloadLink key={f} className="button small" href={groundTruthExportUrl(d.id, f)} filename={exportFilename(`ground_truth_${d.id}`, f)}>
                {f}
              </DownloadLink>
            ))}
          </div>
        )}
      </div>
      <section className="section">
        <div className="section-head">
          <h2>Experiments</h2>
          {experiments.data && <span className="muted">{plural(experiments.data.length, 'experiment')}</span>}
        </div>
        {experiments.isPending ? (
          <Loading />
        ) : experiments.isError ? (
          <ErrorNote error={experiments.error} onRetry={() => experiments.refetch()} />
        ) : experiments.data.length === 0 ? (
          <Empty
            title="No experiments on this dataset"
            actions={
              <button className="primary" {...gate('editor')} onClick={() => setCreating(true)}>
                New experiment
              </button>
            }
          >
            Pick an algorithm and its parameters to learn a causal graph from this data.
          </Empty>
        ) : (
          <ExperimentTable experiments={experiments.data} />
        )}
      </section>
      {creating && <NewExperimentDialog datasetId={d.id} onClose={() => setCreating(false)} />}
    </>
  );
}
