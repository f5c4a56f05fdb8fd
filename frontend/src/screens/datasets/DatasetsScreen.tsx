import { useDeferredValue, useState } from 'react';
import { useDatasets } from '../../api/queries';
import { useAccess } from '../../auth/access';
import { Empty, ErrorNote, PageHead } from '../../components/ui';
import { plural } from '../../util/format';
import { DatasetCard } from './DatasetCard';
import { NewDatasetDialog } from './NewDatasetDialog';

export function DatasetsScreen() {
  const datasets = useDatasets();
  const { gate } = useAccess();
  const [dialog, setDialog] = useState<'upload' | 'query' | null>(null);
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter.trim().toLowerCase());
  const list = datasets.data ?? [];
  const shown = deferred
    ? list.filter((d) => `${d.name ?? ''} ${d.description ?? ''}`.toLowerCase().includes(deferred))
    : list;

  return (
    <>
      <PageHead
        title="Datasets"
        subtitle={datasets.data ? `${plural(list.length, 'dataset')}, newest first` : 'Observation matrices to learn causal structure from'}
        actions={
          <>
            <button className="primary" {...gate('editor')} onClick={() => setDialog('upload')}>
              Upload CSV
            </button>
            <button {...gate('editor')} onClick={() => setDialog('query')}>New from query</button>
          </>
        }
      />
      {list.length > 6 && (
        <div className="row" style={{ marginBottom: '1rem' }}>
          <input
            type="search"
            placeholder="Filter by name or description"
            aria-label="Filter datasets"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            style={{ maxWidth: 360 }}
          />
          {deferred && <span className="muted">{plural(shown.length, 'match', 'matches')}</span>}
        </div>
      )}
      {datasets.isPending ? (
        <div className="cards" aria-busy="true">
          {Array.from({ length: 6 }, (_, i) => (
            <div key={i} className="skeleton-card" />
          ))}
        </div>
      ) : datasets.isError ? (
        <ErrorNote title="Could not load the datasets." error={datasets.error} onRetry={() => datasets.refetch()} />
      ) : list.length === 0 ? (
        <Empty
          title="No datasets yet"
          actions={
            <>
              <button className="primary" {...gate('editor')} onClick={() => setDialog('upload')}>
                Upload a CSV file
              </button>
              <button {...gate('editor')} onClick={() => setDialog('query')}>Register a query</button>
            </>
          }
        >
          A dataset is a table of observations: upload a CSV file or point at a query on a data source.
        </Empty>
      ) : shown.length === 0 ? (
        <Empty title="No dataset matches the filter" />
      ) : (
        <div className="cards" data-testid="dataset-list">
          {shown.map((d) => (
            <DatasetCard key={d.id} dataset={d} />
          ))}
        </div>
      )}
      {dialog && <NewDatasetDialog initialMode={dialog} onClose={() => setDialog(null)} />}
    </>
  );
}
