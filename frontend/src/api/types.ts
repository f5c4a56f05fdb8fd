import type { components } from './schema';

type Schemas = components['schemas'];

// Names for the generated response types. Optional fields are also nullable in the document
// (the server writes every field, null when unset): read them with `??`.
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

// Distributions (api.md §9.1–9.2). The document types `bins` and `conditions` as any JSON
// (the server builds them as untyped values), so their shapes are narrowed here; everything
// else comes from the generated `Distribution` and `ConditionalRequest`.

/** A condition on another node: categories to keep, or an inclusive value range. */
export type Condition =
  | { categorical: true; values: (string | number | boolean)[] }
  | { categorical: false; from_value: number; to_value: number };

export type Distribution = Omit<Schemas['Distribution'], 'bins' | 'conditions'> & {
  /** Categorical: value (as the server writes it, e.g. `1`, `1.0`, `True`) → count. Continuous: counts per bin. */
  bins: Record<string, number> | number[];
  /** The conditions as applied (conditional answers only); `{auto: true}` ones filled in. */
  conditions?: Record<string, Condition & { auto?: boolean }>;
};

export type ConditionalRequest = Omit<Schemas['ConditionalRequest'], 'conditions'> & {
  /** node id → condition */
  conditions: Record<string, Condition | { auto: true }>;
};

/** One error type of a comparison: its rate and its `[from, to]` edges. */
export type ErrorType = Schemas['ErrorType'];

/** `GET /result/{a}/compare/{b}` and `/gtcompare`: `a` (or the ground truth) is the reference. */
export type Comparison = Schemas['Comparison'];

// Studies (api.md, Studies). The document types grid points and grids as any JSON (the server
// keeps them as given), so `parameters` is narrowed here: a point maps names to values; a grid
// maps names to a value, a list or a range.

export type GridScalar = number | string | boolean;
export type GridRange = { from: number; to: number; steps: number; scale: 'linear' | 'log' };
export type Grid = GridScalar | GridScalar[] | GridRange;

export type Progress = Schemas['StudyProgress'];
export type StudyState = Schemas['StudySummary']['state'];
export type StudySummary = Schemas['StudySummary'];
export type StudyAlgorithm = Omit<Schemas['StudyAlgorithm'], 'parameters'> & { parameters: Record<string, Grid> };
export type StudyExperiment = Omit<Schemas['StudyExperiment'], 'parameters'> & { parameters: Record<string, unknown> };
export type Study = Omit<Schemas['Study'], 'algorithms' | 'experiments'> & {
  algorithms: StudyAlgorithm[];
  experiments: StudyExperiment[];
};
export type NewStudyAlgorithm = Omit<Schemas['NewStudyAlgorithm'], 'parameters'> & { parameters: Record<string, Grid> };
export type NewStudy = Omit<Schemas['NewStudy'], 'algorithms'> & { algorithms: NewStudyAlgorithm[] };
export type StudyStart = Schemas['StudyStart'];
export type Stat = Schemas['Stat'];
export type Scores = Schemas['Scores'];
export type BenchmarkRow = Omit<Schemas['BenchmarkRow'], 'parameters'> & { parameters: Record<string, unknown> };
export type Benchmark = Omit<Schemas['Benchmark'], 'rows'> & { rows: BenchmarkRow[] };
