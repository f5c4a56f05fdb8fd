import { useQueries } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { keys } from '../../api/keys';
import { useDatasetExperiments } from '../../api/queries';

export interface CandidateResult {
  resultId: number;
  jobId: number;
  experimentId: number;
  experimentName: string;
  startTime: string;
}

/** Results of the dataset's experiments (finished jobs), to compare a result with. */
export function useCandidateResults(datasetId: number | undefined, exclude: number) {
  const experiments = useDatasetExperiments(datasetId ?? 0, datasetId !== undefined);
  const jobLists = useQueries({
    queries: (experiments.data ?? []).map((exp) => ({
      queryKey: keys.experimentJobs(exp.id),
      queryFn: () => unwrap(api.GET('/experiment/{experiment_id}/jobs', { params: { path: { experiment_id: exp.id } } })),
    })),
  });
  const candidates: CandidateResult[] = [];
  (experiments.data ?? []).forEach((exp, i) => {
    for (const job of jobLists[i]?.data ?? []) {
      if (!job.result || job.result.id === exclude) continue;
      candidates.push({
        resultId: job.result.id,
        jobId: job.id,
        experimentId: exp.id,
        experimentName: exp.name ?? `Experiment #${exp.id}`,
        startTime: job.start_time,
      });
    }
  });
  return { candidates, loading: experiments.isPending || jobLists.some((q) => q.isPending) };
}
