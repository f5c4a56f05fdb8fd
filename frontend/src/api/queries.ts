import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { keys } from './keys';
import type { Benchmark, Comparison, Condition, ConditionalRequest, Distribution, Study } from './types';

// One hook per read. Writes live next to the screens that make them (mutations.ts).

export const useAlgorithms = () =>
  useQuery({ queryKey: keys.algorithms, queryFn: () => unwrap(api.GET('/algorithms')), staleTime: 5 * 60_000 });

export const useDataSources = () =>
  useQuery({
    queryKey: keys.datasources,
    queryFn: async () => (await unwrap(api.GET('/datasources'))).data_sources,
    staleTime: 5 * 60_000,
  });

/** Cluster nodes to run on; empty when the scheduler cannot say. */
export const useK8sNodes = () =>
  useQuery({
    queryKey: keys.k8sNodes,
    queryFn: () => unwrap(api.GET('/k8s/nodes')),
    staleTime: 5 * 60_000,
    retry: false,
  });

/** How this installation runs jobs: decides which algorithms run here (algorithms.ts). */
export const useLauncher = () =>
  useQuery({
    queryKey: keys.launcher,
    queryFn: async () => (await unwrap(api.GET('/launcher'))).launcher,
    staleTime: Infinity,
  });

/** All datasets, newest first (also prefetched at start-up, see App.tsx). */
export const datasetsQuery = {
  queryKey: keys.datasets,
  queryFn: async () => {
    const list = await unwrap(api.GET('/datasets'));
    return [...list].sort((a, b) => b.time_created.localeCompare(a.time_created) || b.id - a.id);
  },
};

export const useDatasets = () => useQuery(datasetsQuery);

export const useDataset = (id: number, enabled = true) =>
  useQuery({
    queryKey: keys.dataset(id),
    queryFn: () => unwrap(api.GET('/dataset/{dataset_id}', { params: { path: { dataset_id: id } } })),
    enabled,
  });

export const useMetadata = (id: number, enabled = true) =>
  useQuery({
    queryKey: keys.metadata(id),
    queryFn: () => unwrap(api.GET('/dataset/{dataset_id}/metadata', { params: { path: { dataset_id: id } } })),
    enabled,
    staleTime: 30_000,
  });

export const useDatasetExperiments = (id: number, enabled = true) =>
  useQuery({
    queryKey: keys.datasetExperiments(id),
    queryFn: () => unwrap(api.GET('/dataset/{dataset_id}/experiments', { params: { path: { dataset_id: id } } })),
    enabled,
  });

export const useExperiments = () =>
  useQuery({ queryKey: keys.experiments, queryFn: () => unwrap(api.GET('/experiments')) });

export const useExperiment = (id: number, enabled = true) =>
  useQuery({
    queryKey: keys.experiment(id),
    queryFn: () => unwrap(api.GET('/experiment/{experiment_id}', { params: { path: { experiment_id: id } } })),
    enabled,
  });

export const useExperimentJobs = (id: number) =>
  useQuery({
    queryKey: keys.experimentJobs(id),
    queryFn: () => unwrap(api.GET('/experiment/{experiment_id}/jobs', { params: { path: { experiment_id: id } } })),
  });

export const useJobs = (showHidden: boolean) =>
  useQuery({
    queryKey: keys.jobs(showHidden),
    queryFn: async () => {
      const list = await unwrap(api.GET('/jobs', { params: { query: { show_hidden: showHidden ? 1 : 0 } } }));
      return [...list].sort((a, b) => b.id - a.id);
    },
  });

export const useJob = (id: number) =>
  useQuery({
    queryKey: keys.job(id),
    queryFn: () => unwrap(api.GET('/job/{job_id}', { params: { path: { job_id: id } } })),
  });

export const useResult = (id: number) =>
  useQuery({
    queryKey: keys.result(id),
    queryFn: () => unwrap(api.GET('/result/{result_id}', { params: { path: { result_id: id } } })),
  });

export const useEdgeInformation = (resultId: number) =>
  useQuery({
    queryKey: keys.edgeInformation(resultId),
    queryFn: () => unwrap(api.GET('/edgeinformation/{id}', { params: { path: { id: resultId } } })),
  });

/** The result against its dataset's ground truth; null when the dataset has none. */
export const useGtCompare = (resultId: number) =>
  useQuery({
    queryKey: keys.gtCompare(resultId),
    queryFn: async () =>
      (await unwrap(api.GET('/result/{result_id}/gtcompare', { params: { path: { result_id: resultId } } }))) as Comparison | null,
  });

/** `candidate` judged against `reference`. */
export const useCompare = (reference: number | null, candidate: number) =>
  useQuery({
    queryKey: keys.compare(reference ?? 0, candidate),
    queryFn: async () =>
      (await unwrap(
        api.GET('/result/{result_id}/compare/{other_result_id}', {
          params: { path: { result_id: reference!, other_result_id: candidate } },
        }),
      )) as Comparison,
    enabled: reference != null,
  });

export const useMarginal = (nodeId: number | null) =>
  useQuery({
    queryKey: keys.marginal(nodeId ?? 0),
    queryFn: async () =>
      (await unwrap(api.GET('/node/{node_id}/marginal', { params: { path: { node_id: nodeId! } } }))) as Distribution,
    enabled: nodeId != null,
    staleTime: 5 * 60_000,
  });

/** The node's distribution among the rows meeting `conditions` (off while there are none). */
export const useConditional = (nodeId: number, conditions: Record<string, Condition>) =>
  useQuery({
    queryKey: keys.conditional(nodeId, conditions),
    queryFn: async () => {
      const body: ConditionalRequest = { conditions };
      return (await unwrap(
        api.POST('/node/{node_id}/conditional', { params: { path: { node_id: nodeId } }, body }),
      )) as Distribution;
    },
    enabled: Object.keys(conditions).length > 0,
    staleTime: 5 * 60_000,
  });

export const useGenerationJobs = () =>
  useQuery({
    queryKey: keys.generationJobs,
    queryFn: async () => {
      const list = await unwrap(api.GET('/jobs/dataset_generation', { params: { query: { show_hidden: 1 } } }));
      return [...list].sort((a, b) => b.id - a.id);
    },
  });

/** Studies, newest first (the server's order). */
export const useStudies = () =>
  useQuery({ queryKey: keys.studies, queryFn: () => unwrap(api.GET('/studies')) });

export const useStudy = (id: number) =>
  useQuery({
    queryKey: keys.study(id),
    queryFn: async () => (await unwrap(api.GET('/study/{study_id}', { params: { path: { study_id: id } } }))) as Study,
  });

export const useBenchmark = (id: number) =>
  useQuery({
    queryKey: keys.benchmark(id),
    queryFn: async () =>
      (await unwrap(api.GET('/study/{study_id}/benchmark', { params: { path: { study_id: id } } }))) as Benchmark,
  });
