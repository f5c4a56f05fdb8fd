/**
 * The built-in dataset generator (`generator_type` CAUSEWAY, `causeway generate`): its options,
 * described like an algorithm's `valid_parameters` so the same form generation
 * (params/schema.ts) renders and checks them. Which fields show depends on how the density is
 * given and on the model.
 */
import { parseValidParameters, type ParamField } from '../../params/schema';

export const BUILTIN_GENERATOR = 'CAUSEWAY';

export type Density = 'edge_probability' | 'expected_degree';
export type Model = 'gaussian' | 'discrete';

export const MODEL_LABEL: Record<Model, string> = {
  gaussian: 'Linear Gaussian',
  discrete: 'Discrete',
};

const GRAPH = {
  num_nodes: { label: 'Variables', type: 'int', required: true, minimum: 1, maximum: 10000, default: 10 },
};

const DENSITY = {
  edge_probability: { label: 'Edge probability', type: 'float', required: true, minimum: 0.0, maximum: 1.0, default: 0.2 },
  expected_degree: { label: 'Expected degree', type: 'float', required: true, minimum: 0.0, default: 2.0 },
};

const SAMPLES = {
  num_samples: { label: 'Samples', type: 'int', required: true, minimum: 1, maximum: 10000000, default: 1000 },
  seed: { label: 'Seed', type: 'int', minimum: 0, default: 0 },
};

const MODEL = {
  gaussian: {
    weight_low: { label: 'Smallest |weight|', type: 'float', minimum: 0.0, default: 0.5 },
    weight_high: { label: 'Largest |weight|', type: 'float', minimum: 0.0, default: 2.0 },
    noise_std: { label: 'Noise std. deviation', type: 'float', minimum: 0.0, default: 1.0 },
  },
  discrete: {
    cardinality: { label: 'States per variable', type: 'int', required: true, minimum: 2, maximum: 20, default: 2 },
  },
};

export function generatorFields(density: Density, model: Model): ParamField[] {
  return parseValidParameters({ ...GRAPH, [density]: DENSITY[density], ...SAMPLES, ...MODEL[model] });
}

/** Checks across fields that the form cannot express per field. */
export function crossFieldErrors(values: Record<string, string>): Record<string, string[]> {
  const low = Number(values.weight_low);
  const high = Number(values.weight_high);
  if (values.weight_low && values.weight_high && low > high) return { weight_high: ['Must be at least the smallest weight.'] };
  if (values.weight_low !== undefined && values.weight_low !== '' && low <= 0) return { weight_low: ['Must be above 0.'] };
  return {};
}

/** MPCSL's rule for generated dataset names (they become table names). */
export const DATASET_NAME = /^[a-z][0-9a-z]*$/;
