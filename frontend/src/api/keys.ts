/**
 * React Query keys. Live events (src/live/invalidation.ts) invalidate by these prefixes, so
 * every query of an entity must start with that entity's key.
 */
export const keys = {
  algorithms: ['algorithms'] as const,
  datasources: ['datasources'] as const,
  k8sNodes: ['k8s-nodes'] as const,
  launcher: ['launcher'] as const,

  datasets: ['datasets'] as const,
  dataset: (id: number) => ['dataset', id] as const,
  metadata: (id: number) => ['dataset', id, 'metadata'] as const,
  datasetExperiments: (id: number) => ['dataset', id, 'experiments'] as const,

  experiments: ['experiments'] as const,
  experiment: (id: number) => ['experiment', id] as const,
  experimentJobs: (id: number) => ['experiment', id, 'jobs'] as const,

  jobs: (showHidden: boolean) => ['jobs', { showHidden }] as const,
  job: (id: number) => ['job', id] as const,
  generationJobs: ['jobs', 'generation'] as const,

  studies: ['studies'] as const,
  study: (id: number) => ['study', id] as const,
  benchmark: (id: number) => ['study', id, 'benchmark'] as const,

  result: (id: number) => ['result', id] as const,
  edgeInformation: (resultId: number) => ['result', resultId, 'edge-information'] as const,
  gtCompare: (resultId: number) => ['result', resultId, 'gtcompare'] as const,
  compare: (reference: number, candidate: number) => ['result', candidate, 'compare', reference] as const,
  marginal: (nodeId: number) => ['node', nodeId, 'marginal'] as const,
  conditional: (nodeId: number, conditions: unknown) => ['node', nodeId, 'conditional', conditions] as const,
};
