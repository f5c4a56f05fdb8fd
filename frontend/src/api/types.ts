import type { components } from './schema';

type Schemas = components['schemas'];

// Names for the generated response types. Fields that the document marks optional may also be
// null at run time (the server writes every field, null when unset): read them with `??`.
export type Algorithm = Schemas['Algorithm'];
export type Dataset = Schemas['Dataset'];
export type DatasetMetadata = Schemas['DatasetMetadata'];
export type Experiment = Schemas['Experiment'];
export type ExperimentJob = Schemas['ExperimentJob'];
export type Job = Schemas['Job'];
export type JobStatus = Schemas['JobStatus'];
export type Node = Schemas['Node'];
export type Result = Schemas['Result'];
export type ExecutionTimeStatistics = Schemas['ExecutionTimeStatistics'];
export type NewExperiment = Schemas['NewExperiment'];
export type NewQueryDataset = Schemas['NewQueryDataset'];
export type StartOptions = Schemas['StartOptions'];
export type ResultFull = Schemas['ResultFull'];
export type Edge = Schemas['Edge'];
export type EdgeInformation = Schemas['EdgeInformation'];
export type Annotation = Schemas['EdgeAnnotation'];
export type NewEdgeInformation = Schemas['NewEdgeInformation'];
export type DatasetGenerationJob = Schemas['DatasetGenerationJob'];
export type NewGenerationJob = Schemas['NewGenerationJob'];

// The comparison answers are not described in the document (their schema is `{}`): this is
// their shape per api.md §6.8. Replace it by the generated type once the document has one.
export interface ErrorType {
  rate: number;
  edges: [number, number][];
}

/** `GET /result/{a}/compare/{b}` and `/gtcompare`: `a` (or the ground truth) is the reference. */
export interface Comparison {
  graph_edit_distance: number;
  mean_jaccard_coefficient: number;
  error_types: {
    true_positives: ErrorType;
    false_positives: ErrorType;
    true_negatives: ErrorType;
    false_negatives: ErrorType;
    precision: { rate: number };
  };
  /** −1 (or null for NaN) when it could not be computed */
  hamming_distance: number | null;
  hamming_distance_pcdag: number | null;
}
