import { errorMessage } from '../api/errors';
import { useDeleteJob } from '../api/mutations';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { deleteActionLabel } from './status';

/** Cancel (running or waiting) or hide (finished) a job, asking first. */
export function useJobActions() {
  const remove = useDeleteJob();
  const confirm = useConfirm();
  const toast = useToast();

  const act = async (job: { id: number; status: string }) => {
    const label = deleteActionLabel(job.status);
    if (!label) return;
    const cancel = label === 'Cancel';
    const ok = await confirm({
      title: cancel ? `Cancel job #${job.id}?` : `Hide job #${job.id}?`,
      text: cancel ? (
        <p>The job is stopped{job.status === 'waiting' ? ' before it starts' : ''}. Its log is kept.</p>
      ) : (
        <p>The job disappears from the lists; it is kept and can be shown with “Show hidden”.</p>
      ),
      confirmLabel: cancel ? 'Cancel job' : 'Hide job',
      danger: cancel,
    });
    if (!ok) return;
    try {
      const job2 = await remove.mutateAsync(job.id);
      toast({ kind: 'success', title: `Job #${job.id} ${job2.status === 'cancelled' ? 'cancelled' : 'hidden'}` });
    } catch (err) {
      toast({ kind: 'error', title: `Could not ${label.toLowerCase()} job #${job.id}`, text: errorMessage(err) });
    }
  };

  return { act, pending: remove.isPending };
}
