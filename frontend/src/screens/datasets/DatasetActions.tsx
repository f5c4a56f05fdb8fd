import { useState } from 'react';
import { apiUrl } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { useDeleteDataset, useUpdateDataset } from '../../api/mutations';
import type { Dataset } from '../../api/types';
import { useAccess } from '../../auth/access';
import { useConfirm } from '../../components/confirm';
import { DownloadLink } from '../../components/DownloadLink';
import { EditDescriptionDialog } from '../../components/EditDescriptionDialog';
import { useToast } from '../../components/toast';
import { GroundTruthDialog } from './GroundTruthDialog';

interface Props {
  dataset: Dataset;
  /** on a card: fewer, smaller buttons */
  compact?: boolean;
  onDeleted?: () => void;
}

/** Download, ground truth, edit and delete for one dataset. */
export function DatasetActions({ dataset, compact, onDeleted }: Props) {
  const [dialog, setDialog] = useState<'gt' | 'edit' | null>(null);
  const remove = useDeleteDataset();
  const update = useUpdateDataset();
  const confirm = useConfirm();
  const toast = useToast();
  const size = compact ? 'small' : '';
  const { gate } = useAccess();

  const onDelete = async () => {
    const ok = await confirm({
      title: 'Delete dataset?',
      text: (
        <p>
          “{dataset.name}” is deleted with all its experiments, jobs and results. The data it reads stays where it is.
        </p>
      ),
      confirmLabel: 'Delete dataset',
      danger: true,
    });
    if (!ok) return;
    try {
      await remove.mutateAsync(dataset.id);
      toast({ kind: 'success', title: `Dataset “${dataset.name}” deleted` });
      onDeleted?.();
    } catch (err) {
      toast({ kind: 'error', title: 'Could not delete the dataset', text: errorMessage(err) });
    }
  };

  return (
    <>
      <DownloadLink
        className={`button ${size}`}
        href={apiUrl('/dataset/{dataset_id}/load', { dataset_id: dataset.id })}
        title="Download the data as CSV"
        filename={`${dataset.name ?? `dataset_${dataset.id}`}.csv`}
      >
        {compact ? 'CSV' : 'Download CSV'}
      </DownloadLink>
      <button className={size} {...gate('editor')} onClick={() => setDialog('gt')}>
        {compact ? 'Ground truth' : 'Upload ground truth'}
      </button>
      {!compact && <button {...gate('editor')} onClick={() => setDialog('edit')}>Edit description</button>}
      <button className={`danger ${size} ${compact ? 'push' : ''}`} {...gate('editor', { disabled: remove.isPending })} onClick={onDelete}>
        Delete
      </button>
      {dialog === 'gt' && <GroundTruthDialog dataset={dataset} onClose={() => setDialog(null)} />}
      {dialog === 'edit' && (
        <EditDescriptionDialog
          title="Edit dataset description"
          initial={dataset.description ?? ''}
          onSave={(description) => update.mutateAsync({ id: dataset.id, description })}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
