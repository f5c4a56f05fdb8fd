import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl, unwrap } from './client';
import { keys } from './keys';
import type { Annotation, Dataset, NewExperiment, NewGenerationJob, NewQueryDataset, NewStudy, StartOptions, Study } from './types';
import { postForm } from './upload';

// Writes. Each refreshes what it changed at once; the live feed would too, a moment later.

export function useCreateDataset() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewQueryDataset) => unwrap(api.POST('/datasets', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.datasets, exact: true }),
  });
}

export interface UploadDataset {
  file: File;
  name: string;
  description: string;
  onProgress?: (fraction: number) => void;
}

export function useUploadDataset() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ file, name, description, onProgress }: UploadDataset) => {
      const form = new FormData();
      form.append('name', name);
      if (description) form.append('description', description);
      form.append('file', file, file.name);
      return postForm<Dataset>(apiUrl('/datasets/upload'), form, onProgress);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.datasets, exact: true }),
  });
}

export function useUpdateDataset() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, description }: { id: number; description: string }) =>
      unwrap(api.PUT('/dataset/{dataset_id}', { params: { path: { dataset_id: id } }, body: { description } })),
    onSuccess: (_, { id }) => {
      void qc.invalidateQueries({ queryKey: keys.datasets, exact: true });
      void qc.invalidateQueries({ queryKey: keys.dataset(id) });
    },
  });
}

export function useDeleteDataset() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/dataset/{dataset_id}', { params: { path: { dataset_id: id } } })),
    onSuccess: (_, id) => {
      qc.removeQueries({ queryKey: keys.dataset(id) });
      void qc.invalidateQueries({ queryKey: keys.datasets, exact: true });
      void qc.invalidateQueries({ queryKey: keys.experiments, exact: true });
    },
  });
}

export function useUploadGroundTruth() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ datasetId, file, onProgress }: { datasetId: number; file: File; onProgress?: (f: number) => void }) => {
      const form = new FormData();
      form.append('graph_file', file, file.name);
      return postForm<Dataset>(apiUrl('/dataset/{dataset_id}/ground-truth', { dataset_id: datasetId }), form, onProgress);
    },
    onSuccess: (_, { datasetId }) => qc.invalidateQueries({ queryKey: keys.dataset(datasetId) }),
  });
}

export function useCreateExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewExperiment) => unwrap(api.POST('/experiments', { body })),
    onSuccess: (exp) => {
      void qc.invalidateQueries({ queryKey: keys.experiments, exact: true });
      void qc.invalidateQueries({ queryKey: keys.datasetExperiments(exp.dataset_id) });
    },
  });
}

export function useUpdateExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, description }: { id: number; description: string }) =>
      unwrap(api.PUT('/experiment/{experiment_id}', { params: { path: { experiment_id: id } }, body: { description } })),
    onSuccess: (exp) => {
      void qc.invalidateQueries({ queryKey: keys.experiments, exact: true });
      void qc.invalidateQueries({ queryKey: keys.experiment(exp.id) });
      void qc.invalidateQueries({ queryKey: keys.datasetExperiments(exp.dataset_id) });
    },
  });
}

export function useDeleteExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE('/experiment/{experiment_id}', { params: { path: { experiment_id: id } } })),
    onSuccess: (exp) => {
      qc.removeQueries({ queryKey: keys.experiment(exp.id) });
      void qc.invalidateQueries({ queryKey: keys.experiments, exact: true });
      void qc.invalidateQueries({ queryKey: keys.datasetExperiments(exp.dataset_id) });
      void qc.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
}

export function useStartExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, options }: { id: number; options: StartOptions }) =>
      unwrap(api.POST('/experiment/{experiment_id}/start', { params: { path: { experiment_id: id } }, body: options })),
    onSuccess: (_, { id }) => {
      void qc.invalidateQueries({ queryKey: keys.experiment(id) });
      void qc.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
}

/** Cancels a running job, hides any other. */
export function useDeleteJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/job/{job_id}', { params: { path: { job_id: id } } })),
    onSuccess: (job) => {
      qc.setQueryData(keys.job(job.id), job);
      void qc.invalidateQueries({ queryKey: ['jobs'] });
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'experiment' && q.queryKey[2] === 'jobs' });
    },
  });
}

export function useAnnotate(resultId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ from, to, annotation }: { from: number; to: number; annotation: Annotation }) =>
      unwrap(
        api.POST('/edgeinformation/{id}', {
          params: { path: { id: resultId } },
          body: { result_id: resultId, from_node_id: from, to_node_id: to, annotation },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.edgeInformation(resultId) }),
  });
}

export function useRemoveAnnotation(resultId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (edgeInformationId: number) =>
      unwrap(api.DELETE('/edgeinformation/{id}', { params: { path: { id: edgeInformationId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.edgeInformation(resultId) }),
  });
}

export function useStartGeneration() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewGenerationJob) => unwrap(api.POST('/jobs/dataset_generation', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['jobs'] }),
  });
}

export function useCreateStudy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewStudy) => (await unwrap(api.POST('/studies', { body }))) as Study,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.studies, exact: true });
      void qc.invalidateQueries({ queryKey: keys.experiments, exact: true });
    },
  });
}

export function useStartStudy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/study/{study_id}/start', { params: { path: { study_id: id } } })),
    onSuccess: (_, id) => {
      void qc.invalidateQueries({ queryKey: keys.study(id) });
      void qc.invalidateQueries({ queryKey: keys.studies, exact: true });
      void qc.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
}

export function useDeleteStudy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/study/{study_id}', { params: { path: { study_id: id } } })),
    onSuccess: (_, id) => {
      qc.removeQueries({ queryKey: keys.study(id) });
      void qc.invalidateQueries({ queryKey: keys.studies, exact: true });
      void qc.invalidateQueries({ queryKey: keys.experiments, exact: true });
      void qc.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
}
