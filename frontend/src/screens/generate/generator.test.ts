import { describe, expect, it } from 'vitest';
import { initialValues, toParameters } from '../../params/schema';
import { crossFieldErrors, DATASET_NAME, generatorFields } from './generator';

describe('generator form', () => {
  it('shows the density field chosen and the model’s own fields', () => {
    expect(generatorFields('edge_probability', 'gaussian').map((f) => f.name)).toEqual([
      'num_nodes',
      'edge_probability',
      'num_samples',
      'seed',
      'weight_low',
      'weight_high',
      'noise_std',
    ]);
    expect(generatorFields('expected_degree', 'discrete').map((f) => f.name)).toEqual([
      'num_nodes',
      'expected_degree',
      'num_samples',
      'seed',
      'cardinality',
    ]);
  });

  it('sends the generator’s option names with typed defaults', () => {
    const fields = generatorFields('expected_degree', 'discrete');
    expect(toParameters(fields, initialValues(fields))).toEqual({
      num_nodes: 10,
      expected_degree: 2,
      num_samples: 1000,
      seed: 0,
      cardinality: 2,
    });
  });

  it('checks the weight range and dataset names', () => {
    expect(crossFieldErrors({ weight_low: '3', weight_high: '2' })).toEqual({ weight_high: ['Must be at least the smallest weight.'] });
    expect(crossFieldErrors({ weight_low: '0', weight_high: '2' })).toEqual({ weight_low: ['Must be above 0.'] });
    expect(crossFieldErrors({ weight_low: '0.5', weight_high: '2' })).toEqual({});
    expect(DATASET_NAME.test('synthetic1')).toBe(true);
    expect(DATASET_NAME.test('Synthetic')).toBe(false);
    expect(DATASET_NAME.test('1abc')).toBe(false);
  });
});
