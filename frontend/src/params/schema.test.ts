import { describe, expect, it } from 'vitest';
import {
  describeField,
  initialValues,
  inputAttributes,
  parseValidParameters,
  toParameters,
  validateAll,
  validateField,
} from './schema';

// pcalg/pc's descriptor from the seeded catalogue, plus a bool and a str.
const PC = {
  alpha: { type: 'float', required: true, minimum: 0.0, maximum: 1.0 },
  independence_test: { type: 'enum', required: true, values: ['gaussCI', 'disCI', 'binCI'] },
  discrete_limit: { type: 'int', minimum: 3, default: 11 },
  cores: { type: 'int', minimum: 1 },
  verbose: { type: 'int', minimum: 0, maximum: 1, default: 0 },
  skeleton_method: { type: 'enum', values: ['stable.fast', 'stable', 'original'], default: 'stable' },
  sampling_factor: { type: 'float', minimum: 0.0, maximum: 1.0, default: 1.0 },
  undirected: { type: 'bool', default: false },
  restrict_args: { type: 'str' },
};

const fields = parseValidParameters(PC);
const field = (name: string) => fields.find((f) => f.name === name)!;

describe('parseValidParameters', () => {
  it('keeps declaration order, types, bounds, enum values and required', () => {
    expect(fields.map((f) => f.name)).toEqual(Object.keys(PC));
    expect(field('alpha')).toMatchObject({ type: 'float', required: true, minimum: 0, maximum: 1 });
    expect(field('independence_test').values).toEqual(['gaussCI', 'disCI', 'binCI']);
    expect(field('cores')).toMatchObject({ type: 'int', required: false, minimum: 1 });
    expect(field('cores').maximum).toBeUndefined();
  });

  it('turns defaults into form strings', () => {
    expect(field('discrete_limit').defaultValue).toBe('11');
    expect(field('verbose').defaultValue).toBe('0');
    expect(field('sampling_factor').defaultValue).toBe('1');
    expect(field('undirected').defaultValue).toBe('false');
    expect(field('skeleton_method').defaultValue).toBe('stable');
    expect(field('alpha').defaultValue).toBe('');
  });

  it('ignores an enum default that is not one of the values', () => {
    const [f] = parseValidParameters({ m: { type: 'enum', values: ['a'], default: 'z' } });
    expect(f.defaultValue).toBe('');
  });

  it('tolerates null, non-objects and unknown types', () => {
    expect(parseValidParameters(null)).toEqual([]);
    expect(parseValidParameters([1, 2])).toEqual([]);
    expect(parseValidParameters({ a: 3, b: { type: 'weird' } })).toMatchObject([{ name: 'b', type: 'str' }]);
  });
});

describe('initialValues', () => {
  it('uses defaults and leaves the rest empty', () => {
    expect(initialValues(fields)).toEqual({
      alpha: '',
      independence_test: '',
      discrete_limit: '11',
      cores: '',
      verbose: '0',
      skeleton_method: 'stable',
      sampling_factor: '1',
      undirected: 'false',
      restrict_args: '',
    });
  });

  it('prefers given parameters (duplicating an experiment) over defaults', () => {
    const v = initialValues(fields, { alpha: 0.01, independence_test: 'binCI', verbose: 1, undirected: true });
    expect(v).toMatchObject({ alpha: '0.01', independence_test: 'binCI', verbose: '1', undirected: 'true' });
  });
});

describe('validateField', () => {
  it('requires required fields and lets optional ones be empty', () => {
    expect(validateField(field('alpha'), '')).toEqual(['Missing data for required field.']);
    expect(validateField(field('independence_test'), ' ')).toEqual(['Missing data for required field.']);
    expect(validateField(field('cores'), '')).toEqual([]);
  });

  it('checks inclusive bounds with the API texts', () => {
    expect(validateField(field('alpha'), '0')).toEqual([]);
    expect(validateField(field('alpha'), '1')).toEqual([]);
    expect(validateField(field('alpha'), '1.5')).toEqual(['Must be between 0.0 and 1.0.']);
    expect(validateField(field('alpha'), '-0.1')).toEqual(['Must be between 0.0 and 1.0.']);
    expect(validateField(field('cores'), '0')).toEqual(['Must be at least 1.']);
    expect(validateField(field('cores'), '64')).toEqual([]);
    const [capped] = parseValidParameters({ n: { type: 'int', maximum: 5 } });
    expect(validateField(capped, '6')).toEqual(['Must be at most 5.']);
  });

  it('checks number syntax', () => {
    expect(validateField(field('cores'), '1.5')).toEqual(['Not a valid integer.']);
    expect(validateField(field('cores'), 'two')).toEqual(['Not a valid integer.']);
    expect(validateField(field('alpha'), 'abc')).toEqual(['Not a valid number.']);
    expect(validateField(field('alpha'), '1e-2')).toEqual([]);
  });

  it('accepts only the enum values', () => {
    expect(validateField(field('independence_test'), 'binCI')).toEqual([]);
    expect(validateField(field('independence_test'), 'chi2')).toEqual(['Not a valid choice.']);
  });
});

describe('validateAll and toParameters', () => {
  it('reports every invalid field', () => {
    const errors = validateAll(fields, { ...initialValues(fields), alpha: '2', cores: '0' });
    expect(Object.keys(errors).sort()).toEqual(['alpha', 'cores', 'independence_test']);
  });

  it('sends typed values and omits empty optional fields', () => {
    const values = { ...initialValues(fields), alpha: '0.05', independence_test: 'binCI', cores: '' };
    const params = toParameters(fields, values);
    expect(params).toEqual({
      alpha: 0.05,
      independence_test: 'binCI',
      discrete_limit: 11,
      verbose: 0,
      skeleton_method: 'stable',
      sampling_factor: 1,
      undirected: false,
    });
    expect(Object.keys(params)[0]).toBe('alpha');
  });
});

describe('input attributes and hints', () => {
  it('gives number inputs their bounds and step', () => {
    expect(inputAttributes(field('cores'))).toMatchObject({ type: 'number', step: 1, min: 1, required: false });
    expect(inputAttributes(field('alpha'))).toMatchObject({ type: 'number', step: 'any', min: 0, max: 1, required: true });
    expect(inputAttributes(field('restrict_args'))).toMatchObject({ type: 'text' });
  });

  it('describes type and range', () => {
    expect(describeField(field('alpha'))).toBe('number, 0.0 – 1.0');
    expect(describeField(field('cores'))).toBe('integer, ≥ 1');
    expect(describeField(field('independence_test'))).toBe('choice');
  });
});
