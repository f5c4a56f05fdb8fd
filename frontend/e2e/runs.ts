/**
 * Experiments with Causeway's native PC (catalogue entry `causeway · pc`, the `causeway-pc`
 * binary next to `causeway`), which runs on the server's machine: real results without images.
 */
import { apiJson } from './harness';

export const NATIVE_PC = { package: 'causeway', function: 'pc' };

interface Algorithm {
  id: number;
  package: string | null;
  function: string | null;
}

/** The catalogue id of the native PC (seeded with the catalogue). */
export async function nativePc(): Promise<number> {
  const found = (await apiJson<Algorithm[]>('/algorithms')).find(
    (a) => a.package === NATIVE_PC.package && a.function === NATIVE_PC.function,
  );
  if (!found) throw new Error('the catalogue has no causeway · pc entry');
  return found.id;
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
      throw new Error(`the run ended ${job.status}: ${job.log ?? '(no log)'}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('the run did not finish in time');
}
