import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { useStartExperiment } from '../../api/mutations';
import { useK8sNodes } from '../../api/queries';
import type { Experiment, StartOptions } from '../../api/types';
import { Field } from '../../components/Field';
import { Modal, SubmitFooter } from '../../components/Modal';
import { useToast } from '../../components/toast';
import { ErrorNote } from '../../components/ui';

const MAX_RUNS = 10_000;

/** Start one or more runs of an experiment (api.md §4.7). */
export function RunDialog({ experiment, onClose, onStarted }: { experiment: Experiment; onClose: () => void; onStarted?: () => void }) {
  const nodes = useK8sNodes();
  const start = useStartExperiment();
  const toast = useToast();
  const needsGpu = experiment.algorithm?.needs_gpu === true;
  const [runs, setRuns] = useState('1');
  const [parallel, setParallel] = useState(true);
  const [node, setNode] = useState('');
  const [gpus, setGpus] = useState('1');
  const [enforceCpus, setEnforceCpus] = useState(true);

  const runsN = Number(runs);
  const runsError = !Number.isInteger(runsN) || runsN < 1 || runsN > MAX_RUNS ? [`Between 1 and ${MAX_RUNS} runs.`] : undefined;
  const gpusN = Number(gpus);
  const gpusError = needsGpu && (!Number.isInteger(gpusN) || gpusN < 1) ? ['At least 1 GPU.'] : undefined;
  const serverFields = start.error && 'fields' in start.error ? (start.error as { fields: Record<string, string[]> }).fields : {};

  const submit = async () => {
    if (runsError || gpusError) return;
    const options: StartOptions = { runs: runsN, parallel, enforce_cpus: enforceCpus };
    if (node) options.node = node;
    if (needsGpu) options.gpus = gpusN;
    try {
      await start.mutateAsync({ id: experiment.id, options });
      toast({ kind: 'success', title: runsN === 1 ? 'Job queued' : `${runsN} jobs queued`, text: experiment.name ?? undefined });
      onClose();
      onStarted?.();
    } catch (err) {
      if (!(err && typeof err === 'object' && 'fields' in err)) {
        toast({ kind: 'error', title: 'Failed to start', text: errorMessage(err) });
      }
    }
  };

  return (
    <Modal
      title={`Run “${experiment.name}”`}
      onClose={onClose}
      onSubmit={submit}
      footer={
        <SubmitFooter
          onCancel={onClose}
          label="Start"
          busyLabel="Starting…"
          busy={start.isPending}
          disabled={!!runsError || !!gpusError}
        />
      }
    >
      <div className="grid-2">
        <Field label="Number of jobs" htmlFor="run-runs" required errors={runsError ?? serverFields.runs}>
          <input id="run-runs" type="number" min={1} max={MAX_RUNS} step={1} value={runs} onChange={(e) => setRuns(e.target.value)} />
        </Field>
        <Field label="Machine" htmlFor="run-node" errors={serverFields.node} hint={nodes.isError ? 'node list unavailable' : undefined}>
          <select id="run-node" value={node} onChange={(e) => setNode(e.target.value)}>
            <option value="">Default (any machine)</option>
            {(nodes.data ?? []).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="field">
        <span className="label">Run mode</span>
        <div className="segmented" role="radiogroup" aria-label="Run mode">
          <button type="button" role="radio" aria-checked={parallel} className={parallel ? 'on' : ''} onClick={() => setParallel(true)}>
            Parallel
          </button>
          <button type="button" role="radio" aria-checked={!parallel} className={!parallel ? 'on' : ''} onClick={() => setParallel(false)}>
            Sequential
          </button>
        </div>
        <span className="hint faint">
          {parallel ? 'Jobs may run side by side with other parallel jobs.' : 'Each job runs alone on its machine.'}
        </span>
      </div>
      {needsGpu && (
        <Field label="GPUs" htmlFor="run-gpus" required errors={gpusError ?? serverFields.gpus}>
          <input id="run-gpus" type="number" min={1} step={1} value={gpus} onChange={(e) => setGpus(e.target.value)} />
        </Field>
      )}
      <label className="field inline">
        <input type="checkbox" checked={enforceCpus} onChange={(e) => setEnforceCpus(e.target.checked)} />
        <span>
          Enforce CPU requests <span className="faint">(limit the job to its `cores` parameter)</span>
        </span>
      </label>
      {start.isError && !Object.keys(serverFields).length && <ErrorNote title="Failed to start." error={start.error} />}
    </Modal>
  );
}
