import { memo } from 'react';
import { Link } from 'react-router';
import { useMetadata } from '../../api/queries';
import type { Dataset } from '../../api/types';
import { Badge, Fact } from '../../components/ui';
import { useInView } from '../../hooks/useInView';
import { formatDateTime, formatNumber } from '../../util/format';
import { DatasetActions } from './DatasetActions';

/** A dataset with its metadata, loaded once the card is near the viewport. */
export const DatasetCard = memo(function DatasetCard({ dataset }: { dataset: Dataset }) {
  const [ref, visible] = useInView<HTMLElement>();
  const meta = useMetadata(dataset.id, visible);
  const loading = !meta.data && !meta.isError;
  return (
    <article ref={ref} className="card dataset-card" data-testid="dataset-card" data-dataset-id={dataset.id}>
      <div className="card-body">
        <h3>
          <Link to={`/datasets/${dataset.id}`} title={dataset.name ?? undefined}>
            {dataset.name || `Dataset #${dataset.id}`}
          </Link>
          {meta.data &&
            (meta.data.has_ground_truth ? (
              <Badge kind="ok" title="A ground-truth graph is stored for this dataset">
                ✓ ground truth
              </Badge>
            ) : (
              <Badge title="No ground-truth graph is stored for this dataset">no ground truth</Badge>
            ))}
        </h3>
        <div className="desc">{dataset.description || <span className="faint">No description</span>}</div>
        <div className="facts">
          <Fact label="Variables" value={formatNumber(meta.data?.variables)} loading={loading} />
          <Fact label="Observations" value={formatNumber(meta.data?.observations)} loading={loading} />
          <Fact label="Source" value={dataset.data_source} />
        </div>
        {meta.isError && <div className="faint" style={{ fontSize: '0.82rem' }}>Metadata unavailable: {meta.error.message}</div>}
        <div className="faint" style={{ fontSize: '0.8rem', marginTop: 'auto' }}>
          Created {formatDateTime(dataset.time_created)}
        </div>
      </div>
      <div className="card-foot">
        <Link className="button small primary" to={`/datasets/${dataset.id}`}>
          Experiments
        </Link>
        <DatasetActions dataset={dataset} compact />
      </div>
    </article>
  );
});
