import { errorMessage } from '../../api/errors';
import { useDeleteExperiment } from '../../api/mutations';
import type { Experiment } from '../../api/types';
import { useConfirm } from '../../components/confirm';
import { useToast } from '../../components/toast';

/**
 * Deleting an experiment from anywhere: asks first, deletes, says how it went. Resolves to
 * whether the experiment is gone.
 */
export function useDeleteExperimentAsking(): (exp: Experiment) => Promise<boolean> {
  const remove = useDeleteExperiment();
  const confirm = useConfirm();
  const toast = useToast();
  return async (exp) => {
    const ok = await confirm({
      title: 'Delete experiment?',
      text: <p>“{exp.name}” is deleted with all its jobs and results; running jobs are stopped.</p>,
      confirmLabel: 'Delete experiment',
      danger: true,
    });
    if (!ok) return false;
    try {
      await remove.mutateAsync(exp.id);
      toast({ kind: 'success', title: `Experiment “${exp.name}” deleted` });
      return true;
    } catch (err) {
      toast({ kind: 'error', title: 'Could not delete the experiment', text: errorMessage(err) });
      return false;
    }
  };
}
