/**
 * The toy executor (fixtures/toy-executor.mjs) as a catalogue entry with a local command, so a
 * test run produces real results on a machine without the MPCSL images. Replace it by a real
 * locally runnable algorithm (e.g. Causeway's PC) once the catalogue has one.
 */
import { fileURLToPath } from 'node:url';
import { apiJson } from './harness';

export const TOY = { package: 'e2e', function: 'toy_mi' };

interface Algorithm {
  id: number;
  package: string | null;
  function: string | null;
}

export async function ensureToyAlgorithm(): Promise<number> {
  const existing = (await apiJson<Algorithm[]>('/algorithms')).find((a) => a.package === TOY.package && a.function === TOY.function);
  if (existing) return existing.id;
  const created = await apiJson<Algorithm>('/algorithms', {
    method: 'POST',
    body: JSON.stringify({
      ...TOY,
      description: 'Toy learner for the UI tests: links columns with high mutual information (not causal discovery)',
      needs_gpu: false,
      valid_parameters: {
        threshold: { type: 'float', required: true, minimum: 0.0001, default: 0.01 },
        delay_ms: { type: 'int', minimum: 0, maximum: 60000, default: 0 },
      },
      docker_parameters: {},
      local_command: [process.execPath, fileURLToPath(new URL('./fixtures/toy-executor.mjs', import.meta.url))],
    }),
  });
  return created.id;
}

export async function createExperiment(datasetId: number, algorithmId: number, name: string, parameters: object): Promise<number> {
  const exp = await apiJson<{ id: number }>('/experiments', {
    method: 'POST',
    body: JSON.stringify({ name, description: 'created by the UI tests', dataset_id: datasetId, algorithm_id: algorithmId, parameters }),
  });
  return exp.id;
}

interface JobRow {
  id: number;
  status: string;
  log: string | null;
  result: { id: number } | null;
}

/** Starts one run and waits for its result. */
export async function runToResult(experimentId: number, timeoutMs = 60_000): Promise<number> {
  await apiJson(`/experiment/${experimentId}/start`, { method: 'POST', body: JSON.stringify({ runs: 1, parallel: true }) });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [job] = await apiJson<JobRow[]>(`/experiment/${experimentId}/jobs`);
    if (job?.result) return job.result.id;
    if (job && (job.status === 'error' || job.status === 'cancelled')) {
      throw new Error(`the toy run ended ${job.status}: ${job.log ?? '(no log)'}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('the toy run did not finish in time');
}
