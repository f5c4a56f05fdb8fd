/**
 * TEMPORARY: the studies API (studies-contract.md) typed by hand until the server's document
 * has it; then these names point at the generated schemas in types.ts and this file goes.
 */
import { authFetch } from '../auth/credentials';
import { toApiError } from './errors';

export interface Progress {
  waiting: number;
  running: number;
  done: number;
  error: number;
  cancelled: number;
  total: number;
}

export type StudyState = 'new' | 'running' | 'finished';

export interface StudySummary {
  id: number;
  name: string;
  description?: string | null;
  created_at: string;
  created_by?: string | null;
  dataset_ids: number[];
  experiment_count: number;
  progress: Progress;
  state: StudyState;
}

export type GridScalar = number | string | boolean;
export type GridRange = { from: number; to: number; steps: number; scale: 'linear' | 'log' };
export type Grid = GridScalar | GridScalar[] | GridRange;

export interface StudyAlgorithm {
  algorithm_id: number;
  parameters: Record<string, Grid>;
  runs?: number | null;
}

export interface NewStudy {
  name: string;
  description?: string | null;
  dataset_ids: number[];
  algorithms: StudyAlgorithm[];
  max_retries?: number | null;
}

export interface StudyExperiment {
  id: number;
  name: string;
  dataset_id: number;
  algorithm_id: number;
  algorithm_name: string;
  parameters: Record<string, unknown>;
  point_label: string;
  jobs: Progress;
}

export interface Study extends StudySummary {
  algorithms: StudyAlgorithm[];
  experiments: StudyExperiment[];
}

export interface Stat {
  median: number;
  min: number;
  max: number;
}

export interface Scores {
  tpr?: Stat | null;
  fpr?: Stat | null;
  precision?: Stat | null;
  recall?: Stat | null;
  f1?: Stat | null;
}

export interface BenchmarkRow {
  experiment_id: number;
  experiment_name: string;
  dataset_id: number;
  algorithm_id: number;
  algorithm_name: string;
  parameters: Record<string, unknown>;
  point_label: string;
  results: number;
  skeleton: Scores;
  directed: Scores;
  shd?: Stat | null;
  execution_time?: Stat | null;
  dataset_loading_time?: Stat | null;
  ci_tests?: Stat | null;
}

export interface Benchmark {
  study_id: number;
  ground_truth: boolean;
  swept_parameters: string[];
  rows: BenchmarkRow[];
}

export interface StudyStarted {
  study_id: number;
  jobs: number[];
}

/** One call of the studies API (JSON both ways), with the credentials; ApiError on failure. */
export async function studyCall<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await authFetch(`/api${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw toApiError(0, { message: 'Cannot reach the Causeway server. Is it running?' });
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* keep the text */
  }
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T;
}
